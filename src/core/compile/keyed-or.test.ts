import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KEYED_OR_MIN_CHILDREN, KeyedOrs } from "./keyed-or.js";
import type { RecordGroup, RecordNode } from "./plan-types.js";
import { evaluateTree, pendingLeaves, type LeafValue } from "./record-tree.js";
import { FALSE, TRUE, UNKNOWN, type Tri } from "./tri.js";

const and = (...children: RecordNode[]): RecordGroup => ({ op: "and", children });
const or = (...children: RecordNode[]): RecordGroup => ({ op: "or", children });

/** `pairs` children `key AND other`: key refs 0, 2, 4..., the others 1, 3, 5... */
const pairList = (pairs: number): RecordGroup => or(...Array.from({ length: pairs }, (_, i) => and(2 * i, 2 * i + 1)));

describe("wide ORs visit only the children whose key holds", () => {
  it("a record hitting one key visits that pair alone", () => {
    const tree = pairList(100);
    const hits = [40];
    const keyed = new KeyedOrs((ref) => ref % 2 === 0);
    const visited: number[] = [];
    const leaf: LeafValue = (ref) => {
      visited.push(ref);
      return hits.includes(ref) ? TRUE : ref % 2 === 1 ? UNKNOWN : FALSE;
    };
    expect(evaluateTree(tree, leaf, undefined, undefined, (node) => keyed.children(node, hits))).toBe(UNKNOWN);
    expect(visited).toEqual([40, 41]);
    visited.length = 0;
    const out: number[] = [];
    expect(pendingLeaves(tree, leaf, (ref) => ref % 2 === 1, out, undefined, (node) => keyed.children(node, hits))).toBe(UNKNOWN);
    expect(out).toEqual([41]);
    expect(visited).toEqual([40, 41]);
    // No hit: no pair is visited.
    visited.length = 0;
    expect(evaluateTree(tree, leaf, undefined, undefined, (node) => keyed.children(node, []))).toBe(FALSE);
    expect(visited).toEqual([]);
  });

  it("children without a key are always visited, in their order", () => {
    const tree = or(...pairList(10).children, 99, and(or(97, 98), 96));
    const keyed = new KeyedOrs((ref) => ref % 2 === 0 && ref < 90);
    expect(keyed.children(tree, [6, 2])).toEqual([and(2, 3), and(6, 7), 99, and(or(97, 98), 96)]);
    expect(keyed.children(tree, [])).toEqual([99, and(or(97, 98), 96)]);
  });

  it("a child whose key is a plain leaf of the OR is opened by that leaf", () => {
    const tree = or(...Array.from({ length: 12 }, (_, i) => i));
    const keyed = new KeyedOrs(() => true);
    expect(keyed.children(tree, [3, 11])).toEqual([3, 11]);
  });

  it("narrow, mostly keyless and AND nodes are walked whole", () => {
    const keyed = new KeyedOrs((ref) => ref < 4);
    expect(keyed.children(pairList(KEYED_OR_MIN_CHILDREN - 1), [0])).toBeUndefined();
    expect(keyed.children(pairList(KEYED_OR_MIN_CHILDREN), [0])).toBeUndefined(); // keys on 2 of 8
    expect(keyed.children(and(...pairList(20).children), [0])).toBeUndefined();
  });

  it("gives the values and pending leaves of the full walk (random trees, leaves and hits)", () => {
    // Refs 0..29; a key is FALSE unless hit (the contract of isKey), any other leaf takes any value.
    const ref = fc.integer({ min: 0, max: 29 });
    const node: fc.Arbitrary<RecordNode> = fc.letrec<{ node: RecordNode }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        ref,
        fc.record({ op: fc.constantFrom("and" as const, "or" as const), children: fc.array(tie("node"), { minLength: 0, maxLength: 4 }) }),
        fc.array(fc.tuple(ref, tie("node")), { minLength: KEYED_OR_MIN_CHILDREN, maxLength: 24 }).map((pairs) => or(...pairs.map(([key, rest]) => and(key, rest)))),
      ),
    })).node;
    const tri = fc.constantFrom<Tri>(FALSE, UNKNOWN, TRUE);
    fc.assert(
      fc.property(node, fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), fc.uniqueArray(ref), fc.array(tri, { minLength: 30, maxLength: 30 }), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), (tree, isKey, hits, values, pendingOf) => {
        const leaf: LeafValue = (r) => (isKey[r] === true && !hits.includes(r) ? FALSE : (values[r] as Tri));
        const pending = (r: number): boolean => leaf(r) === UNKNOWN && pendingOf[r] === true;
        const keyed = new KeyedOrs((r) => isKey[r] === true);
        const orChildren = (group: RecordGroup) => keyed.children(group, hits);
        expect(evaluateTree(tree, leaf, undefined, undefined, orChildren)).toBe(evaluateTree(tree, leaf));
        const all: number[] = [];
        const picked: number[] = [];
        expect(pendingLeaves(tree, leaf, pending, picked, undefined, orChildren)).toBe(pendingLeaves(tree, leaf, pending, all));
        expect(picked).toEqual(all);
      }),
      { numRuns: 1500 },
    );
  });
});
