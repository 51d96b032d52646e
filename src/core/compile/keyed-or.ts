/**
 * Wide ORs whose children each need one item to hold: a list of `SizeInBytes is N AND Sha256sum
 * is D` pairs, `FileName is X AND Md5sum is Y`, a thousand of them in one indicator. On a record,
 * such a child is FALSE unless its key item is among the record's hits, so an evaluation visits
 * the few children whose key holds instead of all of them (a file with a listed size visited
 * every pair of the list, twice: once to decide whether to hash it, once to evaluate it).
 *
 * Which items may serve as keys is the caller's: an item whose leaf is FALSE whenever it is not a
 * hit in that evaluation (a positive item whose field the record has).
 *
 * @module
 */
import type { RecordGroup, RecordNode } from "./plan-types.js";

/** The children of a wide OR that may be other than FALSE on the current record; undefined: all. */
export type OrChildren = (node: RecordGroup) => readonly RecordNode[] | undefined;

/** Below this many children an OR is simply walked. */
export const KEYED_OR_MIN_CHILDREN = 8;

/** A wide OR's children by key: `byKey` maps a key ref to the indexes of the children it opens. */
interface KeyIndex {
  readonly byKey: Map<number, number[]>;
  /** Children with no key: always visited. */
  readonly always: readonly number[];
}

/**
 * The keys of the ORs of a plan for one kind of evaluation, built for each OR the first time it
 * is asked about.
 *
 * @example
 * ```ts
 * const keyed = new KeyedOrs((ref) => isPositiveKnownItem(ref));
 * evaluateTree(unit.tree, leaf, undefined, undefined, (node) => keyed.children(node, hits.refs));
 * ```
 */
export class KeyedOrs {
  /** Null: the OR has keys on too few children to be worth it. */
  private readonly indexes = new WeakMap<RecordGroup, KeyIndex | null>();
  private readonly picked: number[] = [];

  constructor(private readonly isKey: (ref: number) => boolean) {}

  /**
   * The children of `node` (an OR) that are not FALSE for certain when the hits among the keys
   * are exactly `hits`, in their order; undefined when every child is to be visited.
   */
  children(node: RecordGroup, hits: readonly number[]): readonly RecordNode[] | undefined {
    if (node.op !== "or" || node.children.length < KEYED_OR_MIN_CHILDREN) return undefined;
    let index = this.indexes.get(node);
    if (index === undefined) this.indexes.set(node, (index = this.build(node)));
    if (index === null) return undefined;
    const picked = this.picked;
    picked.length = 0;
    for (const ref of hits) {
      const opened = index.byKey.get(ref);
      if (opened !== undefined) for (const child of opened) picked.push(child);
    }
    for (const child of index.always) picked.push(child);
    if (picked.length > 1) picked.sort((a, b) => a - b);
    const out: RecordNode[] = [];
    let last = -1;
    for (const child of picked) {
      if (child === last) continue;
      last = child;
      out.push(node.children[child] as RecordNode);
    }
    return out;
  }

  private build(node: RecordGroup): KeyIndex | null {
    const byKey = new Map<number, number[]>();
    const always: number[] = [];
    node.children.forEach((child, i) => {
      const key = this.keyOf(child);
      if (key === undefined) always.push(i);
      else {
        const opened = byKey.get(key);
        if (opened === undefined) byKey.set(key, [i]);
        else opened.push(i);
      }
    });
    // Mostly keyless: picking would cost more than it saves.
    return always.length * 2 > node.children.length ? null : { byKey, always };
  }

  /** An item that must hold for `child` to be other than FALSE: the child itself, or a leaf of its AND. */
  private keyOf(child: RecordNode): number | undefined {
    if (typeof child === "number") return this.isKey(child) ? child : undefined;
    if (child.op !== "and") return undefined;
    for (const grandchild of child.children) if (typeof grandchild === "number" && this.isKey(grandchild)) return grandchild;
    return undefined;
  }
}
