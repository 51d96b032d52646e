/**
 * The indicator tree reduced to logic: AND-in-AND and OR-in-OR flattened, single-child groups
 * replaced by their child, empty groups made FALSE (semantics 5.2, 7.2). Each leaf knows its item
 * ref, whether it is negated, and the document it binds, if any: an item iocscan cannot evaluate
 * binds nothing, it is a constant.
 *
 * @module
 */
import { runItem, type CompactIndicator, type CompactNode, type ItemRun } from "../ioc/item-run.js";
import type { IndicatorItem } from "../ioc/model.js";
import type { RecordNode } from "./plan-types.js";
import { FALSE, type Tri } from "./tri.js";

export type Logic = LogicLeaf | LogicRun | LogicGroup | LogicConst;

export interface LogicLeaf {
  readonly t: "leaf";
  readonly ref: number;
  readonly negated: boolean;
  /** The document whose records decide the item; undefined for an item that is a constant. */
  readonly doc: string | undefined;
}
/**
 * Items `lo`..`hi` of a run under an OR, compiled whole: positive, supported, all of document
 * `doc`; true on a record where one of them holds. Stands for that many leaves without an
 * object per leaf.
 */
export interface LogicRun {
  readonly t: "run";
  readonly lo: number;
  readonly hi: number;
  readonly doc: string;
}
export interface LogicGroup {
  readonly t: "and" | "or";
  readonly children: readonly Logic[];
}
export interface LogicConst {
  readonly t: "const";
  readonly value: Tri;
}

/** What {@link toLogic} needs to know about items and empty groups. */
export interface LogicSource {
  /** Compiles an item (in document order) and returns its leaf. */
  leaf(item: IndicatorItem): LogicLeaf;
  /**
   * Compiles a run under an OR whole (in document order), or says undefined: its items are then
   * compiled one by one through {@link leaf}.
   */
  run(items: ItemRun): LogicRun | undefined;
  /** Called for each empty Indicator. */
  emptyGroup(indicator: CompactIndicator): void;
}

/** Builds the flattened logic of an indicator tree. */
export function toLogic(node: Exclude<CompactNode, ItemRun>, source: LogicSource): Logic {
  if (node.kind === "item") return source.leaf(node);
  const op = node.operator === "AND" ? "and" : "or";
  const children: Logic[] = [];
  for (const child of node.children) {
    if (child.kind === "items") {
      // Under an AND every item must hold: a run stands for an OR only under an OR.
      const run = op === "or" ? source.run(child) : undefined;
      if (run !== undefined) children.push(run);
      else for (let k = 0; k < child.count; k++) children.push(source.leaf(runItem(child, k)));
      continue;
    }
    const logic = toLogic(child, source);
    if (logic.t === op) children.push(...logic.children);
    else children.push(logic);
  }
  if (node.children.length === 0) {
    source.emptyGroup(node);
    return { t: "const", value: FALSE };
  }
  return group(op, children);
}

/** A group, flattened, or its only child. */
export function group(op: "and" | "or", children: readonly Logic[]): Logic {
  const flat: Logic[] = [];
  for (const c of children) {
    if (c.t === op) flat.push(...c.children);
    else flat.push(c);
  }
  const only = flat.length === 1 ? (flat[0] as Logic) : undefined;
  if (only === undefined) return { t: op, children: flat };
  // A run is an OR of its items, at least two: as they would, it stays a group of its own.
  return only.t === "run" ? { t: "or", children: flat } : only;
}

const docsCache = new WeakMap<Logic, ReadonlySet<string>>();
const NO_DOCS: ReadonlySet<string> = new Set();
/** One shared set per document: a million leaves must not mean a million sets. */
const singleDocs = new Map<string, ReadonlySet<string>>();

/** The documents whose records a subtree binds. */
export function docsOf(logic: Logic): ReadonlySet<string> {
  if (logic.t === "const") return NO_DOCS;
  if (logic.t === "leaf" || logic.t === "run") {
    if (logic.doc === undefined) return NO_DOCS;
    let single = singleDocs.get(logic.doc);
    if (single === undefined) singleDocs.set(logic.doc, (single = new Set([logic.doc])));
    return single;
  }
  let docs = docsCache.get(logic);
  if (docs === undefined) {
    const all = new Set<string>();
    for (const c of logic.children) for (const d of docsOf(c)) all.add(d);
    docs = all;
    docsCache.set(logic, docs);
  }
  return docs;
}

/** Every leaf and run of a subtree, in order. */
export function leavesOf(logic: Logic, out: (LogicLeaf | LogicRun)[] = []): (LogicLeaf | LogicRun)[] {
  if (logic.t === "leaf" || logic.t === "run") out.push(logic);
  else if (logic.t !== "const") for (const c of logic.children) leavesOf(c, out);
  return out;
}

/** The per-record tree of a subtree. */
export function toRecordNode(logic: Logic): RecordNode {
  if (logic.t === "leaf") return logic.ref;
  // Plain positive items of one document under an OR: exactly what a block stands for.
  if (logic.t === "run") return { op: "block", lo: logic.lo, hi: logic.hi };
  if (logic.t === "const") return { op: "const", value: logic.value };
  return { op: logic.t, children: logic.children.map(toRecordNode) };
}
