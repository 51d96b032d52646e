/**
 * Gating: which items a record need not be matched against unless a sibling item holds on it.
 *
 * In `FileName is X AND SizeInBytes is N`, the name only matters on a record of size N: on any
 * other record the AND is FALSE whatever the name is. So the name item is *gated* behind the
 * size item, its *guard*: every record is looked up by size, and only the few of size N are
 * looked up by name. With 10,000 such pairs, a million files cost a million integer look-ups
 * instead of a million integer and a million name look-ups, and the name items no longer make
 * the IOC's unit a candidate on every file called `index.js`.
 *
 * An item P is gated behind guards when every occurrence of its leaf, in every unit of its IOC,
 * is a direct child of an AND that also has a guard G as a direct child, where P and G are
 * positive items the unit's record decides (supported, of the unit's document). Then on a record
 * where no guard of P holds, each AND holding P is FALSE (G is FALSE: G is positive and its field
 * is known; records with unknown fields are matched in full), so every unit's value and evidence
 * are the same whether P holds or not. Only units FALSE on a record where nothing holds are
 * gated: their records are found through hits alone (a vacuous unit is settled by the first
 * record with no hit, which gating could change). Guards are never gated themselves.
 * Of an AND's candidates, the guard is the one whose look-up is cheapest ({@link lookupCost}).
 *
 * @module
 */
import type { Operand } from "./operand.js";
import type { HitBlock, PlanItem, PlanItems, PlanUnit, RecordNode } from "./plan-types.js";
import { FALSE } from "./tri.js";

/**
 * Rough cost of matching a record against an item: a number look-up, a digest look-up, a string
 * look-up, a binary search, an automaton pass, a regex.
 */
export function lookupCost(item: PlanItem, operand: Operand): number {
  switch (operand.kind) {
    case "typed-eq":
      if ((item.type === "int" || item.type === "uint64") && item.view === "value") return 1;
      return item.type === "md5" || item.type === "sha1" || item.type === "sha256" ? 2 : 3;
    case "text-eq":
      return 3;
    case "order":
      return 4;
    case "search":
      return 5;
    case "regex":
      return 6;
  }
}

/**
 * The gated items of one IOC's units: gated ref → its guard refs.
 *
 * @param units the IOC's units (every unit its items appear in)
 * @param cost look-up cost of a supported item (see {@link lookupCost}); undefined for an item with no comparison
 */
export function gateItems(units: readonly PlanUnit[], items: PlanItems, cost: (ref: number) => number | undefined): Map<number, number[]> {
  /** Refs with an occurrence no guard covers. */
  const exposed = new Set<number>();
  const guardRefs = new Set<number>();
  /** Covered occurrences: ref → guards. */
  const covered = new Map<number, number[]>();
  /** Blocks met: their refs are exposed too. */
  const exposedBlocks: HitBlock[] = [];

  const visit = (node: RecordNode, document: string): void => {
    if (typeof node === "number") {
      exposed.add(node); // not a direct child of an AND (the unit's root, an OR's child)
      return;
    }
    if (node.op === "const") return;
    if (node.op === "block") {
      exposedBlocks.push(node);
      return;
    }
    if (node.op === "or") {
      for (const child of node.children) visit(child, document);
      return;
    }
    let guard: number | undefined;
    let guardCost = Infinity;
    for (const child of node.children) {
      if (typeof child !== "number") continue;
      const item = items.shape(child) as PlanItem;
      const c = cost(child);
      if (c === undefined || item.negate || item.status.kind !== "supported" || item.document !== document) continue;
      if (c < guardCost) {
        guard = child;
        guardCost = c;
      }
    }
    for (const child of node.children) {
      if (typeof child !== "number") {
        visit(child, document);
        continue;
      }
      const item = items.shape(child) as PlanItem;
      if (guard === undefined || child === guard || item.negate || item.status.kind !== "supported" || item.document !== document || cost(child) === undefined) {
        exposed.add(child);
        continue;
      }
      const guards = covered.get(child);
      if (guards === undefined) covered.set(child, [guard]);
      else if (!guards.includes(guard)) guards.push(guard);
    }
    if (guard !== undefined) guardRefs.add(guard);
  };

  const exposeAll = (node: RecordNode): void => {
    if (typeof node === "number") exposed.add(node);
    else if (node.op === "block") exposedBlocks.push(node);
    else if (node.op !== "const") for (const child of node.children) exposeAll(child);
  };
  for (const unit of units) {
    // A unit that is not FALSE on a record where nothing holds is settled by the first record that
    // touches none of its items, and a gated item that holds without its guard would change which
    // record that is (and the count of matching records): no gating there.
    if (unit.vacuous === FALSE) visit(unit.tree, unit.document);
    else exposeAll(unit.tree);
  }
  const gated = new Map<number, number[]>();
  // Most IOCs gate nothing (a hash list is one OR): only then are block refs worth a set entry.
  if (covered.size === 0) return gated;
  for (const block of exposedBlocks) for (let r = block.lo; r <= block.hi; r++) exposed.add(r);
  for (const [ref, guards] of covered) if (!exposed.has(ref) && !guardRefs.has(ref)) gated.set(ref, guards);
  return gated;
}
