/**
 * Binding: which items must hold on the same record (semantics 7.2).
 *
 * - A subtree whose items all test one document is a {@link PlanUnit}: true over the host when
 *   one record satisfies it (`∃ r`). Inside, AND/OR/NOT are plain logic on that record.
 * - Units of different documents are independent: host-level AND/OR over their values.
 * - A mixed AND merges its single-document children of the same document into one unit (the
 *   same record). Where a mixed child constrains a document a sibling also binds, only that
 *   cluster of children is expanded into local DNF; the rest of the tree never is (APT1 GREENCAT
 *   would expand to 25,134 conjunctions).
 *
 * @module
 */
import { diagnostic, type Diagnostic } from "../ioc/diagnostics.js";
import { docsOf, group, leavesOf, toRecordNode, type Logic } from "./logic.js";
import type { HitBlock, HostNode, ItemRange, PlanItem, PlanItems, PlanUnit, RecordNode } from "./plan-types.js";
import { evaluateTree, type BlockValue, type LeafValue } from "./record-tree.js";
import { FALSE, TRUE, UNKNOWN, type Tri } from "./tri.js";
import type { UnitIndex } from "./unit-index.js";

/** The growing plan parts binding writes to. */
export interface BindingSink {
  readonly items: PlanItems;
  readonly units: PlanUnit[];
  readonly unitsOfItem: UnitIndex;
  readonly diagnostics: Diagnostic[];
  readonly ioc: number;
  readonly maxLocalConjunctions: number;
}

/** The fixed value of an item that records do not decide; undefined for a supported item. */
export function constantOf(item: PlanItem): Tri | undefined {
  switch (item.status.kind) {
    case "supported":
      return undefined;
    case "never":
      return FALSE;
    case "unknown":
      return UNKNOWN;
  }
}

/** A leaf function with every supported item fixed to `base` (before negation), or UNKNOWN. */
function fixedLeaves(items: PlanItems, base: boolean | "unknown"): LeafValue {
  return (ref) => {
    const item = items.shape(ref) as PlanItem;
    const c = constantOf(item);
    if (c !== undefined) return c;
    if (base === "unknown") return UNKNOWN;
    return base !== item.negate ? TRUE : FALSE;
  };
}

/**
 * A block's value under {@link fixedLeaves}: its items are positive and supported (binding
 * makes blocks of nothing else), so all are worth `base`; a hash list is not walked item by item.
 */
function fixedBlock(base: boolean | "unknown"): BlockValue {
  const value = base === "unknown" ? UNKNOWN : base ? TRUE : FALSE;
  return () => value;
}

function constant(value: Tri): HostNode {
  return { op: "const", value };
}

/** Host-level group with light constant folding. */
function hostGroup(op: "and" | "or", children: readonly HostNode[]): HostNode {
  const decisive = op === "and" ? FALSE : TRUE;
  const flat: HostNode[] = [];
  for (const c of children) {
    if (c.op === "const") {
      if (c.value === decisive) return c;
      if (c.value === UNKNOWN) flat.push(c);
      continue; // the neutral value drops out
    }
    if (c.op === op) flat.push(...c.children);
    else flat.push(c);
  }
  if (flat.length === 0) return constant(op === "and" ? TRUE : FALSE);
  return flat.length === 1 ? (flat[0] as HostNode) : { op, children: flat };
}

class ExpansionTooLarge extends Error {}

interface Conjunction {
  readonly parts: ReadonlyMap<string, readonly Logic[]>;
  readonly consts: readonly Logic[];
}

/** Binds one IOC's logic; units are appended to the sink. */
export function bindLogic(logic: Logic, sink: BindingSink): HostNode {
  const negationOnly = new Set<number>();

  const makeUnit = (doc: string, subtree: Logic): HostNode => {
    const leaves = leavesOf(subtree);
    // A run's items are never negated.
    if (leaves.every((l) => l.t === "leaf" && l.negated)) {
      // Rule 7.6 (a): "some file is not named x" holds on almost every host; such a group
      // never produces matches (the host-level "absence" reading is not implemented).
      const first = leaves[0];
      if (first?.t === "leaf" && !negationOnly.has(first.ref)) {
        negationOnly.add(first.ref);
        const position = (sink.items.at(first.ref) as PlanItem).position;
        const ids = leaves.map((l) => `"${l.t === "leaf" ? (sink.items.at(l.ref) as PlanItem).id : ""}"`).join(", ");
        sink.diagnostics.push(diagnostic("IOC025", `The ${doc} items of this group are all negated: the group never matches (items ${ids})`, position));
      }
      return constant(FALSE);
    }
    const tree = withBlocks(toRecordNode(subtree), (ref) => {
      const item = sink.items.shape(ref) as PlanItem;
      return item.status.kind === "supported" && !item.negate && item.document === doc;
    });
    // The unit's refs as pairs [lo, hi]: a leaf a range of one, a run its refs.
    const pairs: number[] = [];
    for (const l of leaves) {
      if (l.doc !== doc) continue;
      if (l.t === "leaf") pairs.push(l.ref, l.ref);
      else pairs.push(l.lo, l.hi);
    }
    // A hash list of any length is one range, the same from the parser's leaves and a cached run.
    const items = consecutiveRanges(pairs);
    const index = sink.units.length;
    sink.units.push({
      index,
      ioc: sink.ioc,
      document: doc,
      tree,
      items,
      vacuous: evaluateTree(tree, fixedLeaves(sink.items, false), undefined, fixedBlock(false)),
      ifUncollected: evaluateTree(tree, fixedLeaves(sink.items, "unknown"), undefined, fixedBlock("unknown")),
    });
    for (const { lo, hi } of items) sink.unitsOfItem.addRange(lo, hi, index);
    return { op: "unit", unit: index };
  };

  const expand = (l: Logic): Conjunction[] => {
    const docs = docsOf(l);
    if (docs.size === 0) return [{ parts: new Map(), consts: [l] }];
    if (docs.size === 1) return [{ parts: new Map([[[...docs][0] as string, [l]]]), consts: [] }];
    if (l.t === "or") return l.children.flatMap(expand);
    if (l.t !== "and") return [];
    let acc: Conjunction[] = [{ parts: new Map(), consts: [] }];
    for (const child of l.children) {
      const options = expand(child);
      if (acc.length * options.length > sink.maxLocalConjunctions) throw new ExpansionTooLarge();
      acc = acc.flatMap((a) => options.map((o) => merge(a, o)));
    }
    return acc;
  };

  const conjunctionToHost = (c: Conjunction): HostNode =>
    hostGroup("and", [...[...c.parts].map(([doc, parts]) => makeUnit(doc, group("and", parts))), ...c.consts.map(toHost)]);

  const mixedAnd = (children: readonly Logic[]): HostNode => {
    const out: HostNode[] = [];
    const byDoc = new Map<string, Logic[]>();
    const members: { docs: ReadonlySet<string>; logic: Logic }[] = [];
    for (const child of children) {
      const docs = docsOf(child);
      if (docs.size === 0) out.push(toHost(child));
      else if (docs.size === 1) {
        const doc = [...docs][0] as string;
        const list = byDoc.get(doc);
        if (list === undefined) byDoc.set(doc, [child]);
        else list.push(child);
      } else members.push({ docs, logic: child });
    }
    // Same-document children become one conjunction on one record.
    for (const [doc, list] of byDoc) members.push({ docs: new Set([doc]), logic: group("and", list) });
    for (const component of components(members)) {
      if (component.length === 1) {
        out.push(toHost((component[0] as { logic: Logic }).logic));
        continue;
      }
      // Children sharing a document must bind it to one record together: local DNF.
      try {
        out.push(hostGroup("or", expand(group("and", component.map((m) => m.logic))).map(conjunctionToHost)));
      } catch (e) {
        if (!(e instanceof ExpansionTooLarge)) throw e;
        // No real IOC comes near the cap (the 6 mixed subtrees of the corpus expand to a few
        // conjunctions). There is no diagnostic code for this yet; the IOC simply cannot be TRUE.
        out.push(constant(UNKNOWN));
      }
    }
    return hostGroup("and", out);
  };

  /**
   * `∃r A(r) ∨ ∃r B(r)` is `∃r (A ∨ B)(r)`: the same-document children of an OR become one unit,
   * so an IOC whose top OR lists 200 file hashes and one process name has two units, not 201.
   */
  const mixedOr = (children: readonly Logic[]): HostNode => {
    const out: HostNode[] = [];
    const byDoc = new Map<string, Logic[]>();
    for (const child of children) {
      const docs = docsOf(child);
      if (docs.size !== 1) {
        out.push(toHost(child));
        continue;
      }
      const doc = [...docs][0] as string;
      const list = byDoc.get(doc);
      if (list === undefined) byDoc.set(doc, [child]);
      else list.push(child);
    }
    for (const [doc, list] of byDoc) out.push(makeUnit(doc, group("or", list)));
    return hostGroup("or", out);
  };

  const toHost = (l: Logic): HostNode => {
    const docs = docsOf(l);
    if (docs.size === 0) return constant(evaluateTree(toRecordNode(l), fixedLeaves(sink.items, "unknown")));
    if (docs.size === 1) return makeUnit([...docs][0] as string, l);
    if (l.t === "or") return mixedOr(l.children);
    if (l.t === "and") return mixedAnd(l.children);
    return constant(UNKNOWN);
  };

  return toHost(logic);
}

/** Shortest run of plain leaves worth a block. */
const MIN_BLOCK = 4;

/**
 * Replaces runs of consecutive refs among an OR's children, each a plain positive item of the
 * unit's document, by {@link HitBlock}s. Order inside an OR does not matter, so the runs are
 * taken from the sorted refs. A block already among the children (a run compiled whole, whose
 * items are all plain) counts as its refs: the tree is the one its items as leaves would give,
 * whether the IOC came from the parser or from the IOC cache.
 */
function withBlocks(node: RecordNode, plain: (ref: number) => boolean): RecordNode {
  if (typeof node === "number" || node.op === "const" || node.op === "block") return node;
  const children = node.children.map((c) => withBlocks(c, plain));
  if (node.op !== "or") return { op: node.op, children };
  // Ranges [lo, hi] of plain refs, flattened in pairs.
  const ranges: number[] = [];
  for (const c of children) {
    if (typeof c === "number") {
      if (plain(c)) ranges.push(c, c);
    } else if (c.op === "block") ranges.push(c.lo, c.hi);
  }
  const blocks: HitBlock[] = [];
  for (const { lo, hi } of consecutiveRanges(ranges)) if (hi - lo + 1 >= MIN_BLOCK) blocks.push({ op: "block", lo, hi });
  const rest: RecordNode[] = [];
  for (const c of children) {
    if (typeof c === "number") {
      if (!inBlocks(blocks, c)) rest.push(c);
    } else if (c.op !== "block") rest.push(c);
    else if (!inBlocks(blocks, c.lo)) for (let r = c.lo; r <= c.hi; r++) rest.push(r); // too short for a block of its own
  }
  if (blocks.length === 0) return { op: "or", children: rest };
  return { op: "or", children: [...blocks, ...rest] };
}

function rangesIncreasing(ranges: readonly number[]): boolean {
  for (let i = 2; i < ranges.length; i += 2) if ((ranges[i] as number) <= (ranges[i - 1] as number)) return false;
  return true;
}

function sortedRanges(ranges: readonly number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i] as number, ranges[i + 1] as number]);
  pairs.sort((a, b) => a[0] - b[0]);
  // Refs repeat only after local DNF: a repeated ref is one leaf of the OR twice.
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last) out[out.length - 1] = Math.max(last, hi);
    else out.push(lo, hi);
  }
  return out;
}

/**
 * Ranges given as pairs [lo, hi] (in any order, overlapping after local DNF) as the maximal
 * ranges of consecutive refs they cover, in increasing order.
 */
function consecutiveRanges(pairs: readonly number[]): ItemRange[] {
  // A hash list's refs come in order already; sorting 10,000 pairs with a comparator is not free.
  const sorted = rangesIncreasing(pairs) ? pairs : sortedRanges(pairs);
  const out: { lo: number; hi: number }[] = [];
  for (let i = 0; i < sorted.length; i += 2) {
    const lo = sorted[i] as number;
    const hi = sorted[i + 1] as number;
    const last = out[out.length - 1];
    if (last !== undefined && lo === last.hi + 1) last.hi = hi;
    else out.push({ lo, hi });
  }
  return out;
}

/** Whether `ref` is in one of `blocks` (disjoint, in increasing order). */
function inBlocks(blocks: readonly HitBlock[], ref: number): boolean {
  let low = 0;
  let high = blocks.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const block = blocks[middle] as HitBlock;
    if (ref < block.lo) high = middle - 1;
    else if (ref > block.hi) low = middle + 1;
    else return true;
  }
  return false;
}

function merge(a: Conjunction, b: Conjunction): Conjunction {
  const parts = new Map(a.parts);
  for (const [doc, list] of b.parts) parts.set(doc, [...(parts.get(doc) ?? []), ...list]);
  return { parts, consts: [...a.consts, ...b.consts] };
}

/** Groups members into connected components of shared documents (union-find). */
function components<M extends { docs: ReadonlySet<string> }>(members: readonly M[]): M[][] {
  const parent = members.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] as number] as number;
    return i;
  };
  const owner = new Map<string, number>();
  members.forEach((m, i) => {
    for (const d of m.docs) {
      const o = owner.get(d);
      if (o === undefined) owner.set(d, i);
      else parent[find(i)] = find(o);
    }
  });
  const groups = new Map<number, M[]>();
  members.forEach((m, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (g === undefined) groups.set(root, [m]);
    else g.push(m);
  });
  return [...groups.values()];
}
