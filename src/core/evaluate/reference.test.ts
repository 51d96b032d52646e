/**
 * The engine against a brute-force reference of semantics 7.2: an IOC matches iff some choice
 * of ONE record per document makes the whole tree TRUE (equivalent to "some DNF conjunction is
 * satisfiable with one record per document", without expanding anything). Random trees mix
 * documents, nesting and exclusions (negated items next to a positive item of their document).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IndicatorItem, IndicatorNode } from "../ioc/model.js";
import { and, ioc, item, or, plan, record, run } from "./_test-builders.js";
import type { HostRecord } from "./types.js";

type Leaf = { term: "FileItem/FileName" | "FileItem/SizeInBytes" | "ProcessItem/name"; condition: "is" | "contains" | "greater-than"; value: string };

const leaf: fc.Arbitrary<Leaf> = fc.oneof(
  fc.record({ term: fc.constant("FileItem/FileName" as const), condition: fc.constantFrom("is" as const, "contains" as const), value: fc.constantFrom("a", "b", "ab") }),
  fc.record({ term: fc.constant("FileItem/SizeInBytes" as const), condition: fc.constantFrom("is" as const, "greater-than" as const), value: fc.constantFrom("1", "2") }),
  fc.record({ term: fc.constant("ProcessItem/name" as const), condition: fc.constant("is" as const), value: fc.constantFrom("a", "b") }),
);

type Tree = { leaf: Leaf } | { op: "and" | "or"; children: Tree[]; exclude: Leaf | undefined };
const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 3, withCrossShrink: true },
    fc.record({ leaf }),
    fc.record({ op: fc.constantFrom("and" as const, "or" as const), children: fc.array(tie("node"), { minLength: 1, maxLength: 3 }), exclude: fc.option(leaf, { nil: undefined }) }),
  ),
})).node;

const docOf = (l: Leaf) => l.term.split("/")[0] as string;

/** Builds the IOC; an AND's `exclude` becomes a negated item only when a positive direct child has its document. */
function build(t: Tree): IndicatorNode {
  if ("leaf" in t) return item(t.leaf.term, t.leaf.condition, t.leaf.value);
  const children = t.children.map(build);
  if (t.op === "and" && t.exclude) {
    const ex = t.exclude;
    const anchored = t.children.some((c) => "leaf" in c && docOf(c.leaf) === docOf(ex));
    if (anchored) children.push(item(ex.term, ex.condition, ex.value, { negate: true }));
  }
  return t.op === "and" ? and(...children) : or(...children);
}

function holds(i: IndicatorItem, r: HostRecord): boolean {
  const field = i.term.slice(i.term.indexOf("/") + 1);
  const v = r.fields[field];
  if (v === undefined || v === null) return false;
  if (i.condition === "is") return String(v).toLowerCase() === i.value.toLowerCase();
  if (i.condition === "contains") return String(v).toLowerCase().includes(i.value.toLowerCase());
  return Number(v) > Number(i.value);
}

function evaluate(n: IndicatorNode, choice: Record<string, HostRecord>): boolean {
  if (n.kind === "item") {
    const r = choice[n.document] as HostRecord;
    return holds(n, r) !== n.negate;
  }
  const values = (n).children.map((c) => evaluate(c, choice));
  return n.operator === "AND" ? values.every(Boolean) : values.some(Boolean);
}

const fileRec = fc.record({ FileName: fc.constantFrom("a", "b", "ab", "c"), SizeInBytes: fc.constantFrom(1, 2, 3) });
const procRec = fc.record({ name: fc.constantFrom("a", "b", "c") });

describe("binding matches the brute-force reference (semantics 7.2)", () => {
  it("an IOC is TRUE iff some choice of one record per document satisfies it", () => {
    fc.assert(
      fc.property(tree, fc.array(fileRec, { minLength: 1, maxLength: 2 }), fc.array(procRec, { minLength: 2, maxLength: 3 }), (t, files, procs) => {
        const root = build(t);
        const criteria = root.kind === "item" ? or(root) : (root);
        const records = [...files.map((f, i) => record("FileItem", `/f${i}`, f)), ...procs.map((p, i) => record("ProcessItem", String(i), p))];
        let expected = false;
        for (const f of records.filter((r) => r.document === "FileItem")) {
          for (const p of records.filter((r) => r.document === "ProcessItem")) {
            if (evaluate(criteria, { FileItem: f, ProcessItem: p })) expected = true;
          }
        }
        const { verdict } = run(plan(ioc(criteria)), records);
        expect(verdict === "true").toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
