/**
 * The engine against a brute-force reference of semantics 7.2: an IOC matches iff some choice
 * of ONE record per document makes the whole tree TRUE (equivalent to "some DNF conjunction is
 * satisfiable with one record per document", without expanding anything). Random trees mix
 * documents, nesting and exclusions (negated items next to a positive item of their document).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IndicatorItem, IndicatorNode } from "../ioc/model.js";
import { ioc, or, plan, record, run } from "./_test-builders.js";
import { build, fileRec, procRec, tree } from "./_test-arbitraries.js";
import type { HostRecord } from "./types.js";

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
