/**
 * Random IOC trees and records for the property tests of the engine: a few terms of two
 * documents, nesting up to depth 3, exclusions (a negated item next to a positive item of its
 * document).
 */
import fc from "fast-check";
import type { IndicatorNode } from "../ioc/model.js";
import { and, item, or } from "./_test-builders.js";

export type Leaf = { term: "FileItem/FileName" | "FileItem/SizeInBytes" | "ProcessItem/name"; condition: "is" | "contains" | "greater-than"; value: string };

const leaf: fc.Arbitrary<Leaf> = fc.oneof(
  fc.record({ term: fc.constant("FileItem/FileName" as const), condition: fc.constantFrom("is" as const, "contains" as const), value: fc.constantFrom("a", "b", "ab") }),
  fc.record({ term: fc.constant("FileItem/SizeInBytes" as const), condition: fc.constantFrom("is" as const, "greater-than" as const), value: fc.constantFrom("1", "2") }),
  fc.record({ term: fc.constant("ProcessItem/name" as const), condition: fc.constant("is" as const), value: fc.constantFrom("a", "b") }),
);

export type Tree = { leaf: Leaf } | { op: "and" | "or"; children: Tree[]; exclude: Leaf | undefined };
export const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 3, withCrossShrink: true },
    fc.record({ leaf }),
    fc.record({ op: fc.constantFrom("and" as const, "or" as const), children: fc.array(tie("node"), { minLength: 1, maxLength: 3 }), exclude: fc.option(leaf, { nil: undefined }) }),
  ),
})).node;

const docOf = (l: Leaf) => l.term.split("/")[0] as string;

/** Builds the IOC; an AND's `exclude` becomes a negated item only when a positive direct child has its document. */
export function build(t: Tree): IndicatorNode {
  if ("leaf" in t) return item(t.leaf.term, t.leaf.condition, t.leaf.value);
  const children = t.children.map(build);
  if (t.op === "and" && t.exclude) {
    const ex = t.exclude;
    const anchored = t.children.some((c) => "leaf" in c && docOf(c.leaf) === docOf(ex));
    if (anchored) children.push(item(ex.term, ex.condition, ex.value, { negate: true }));
  }
  return t.op === "and" ? and(...children) : or(...children);
}

export const fileRec = fc.record({ FileName: fc.constantFrom("a", "b", "ab", "c"), SizeInBytes: fc.constantFrom(1, 2, 3) });
export const procRec = fc.record({ name: fc.constantFrom("a", "b", "c") });

