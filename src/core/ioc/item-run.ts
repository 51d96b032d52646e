/**
 * A compact form of an indicator tree for hash lists: consecutive IndicatorItems that differ
 * only in id, value and positions are one {@link ItemRun}, read column by column. A million-item
 * list then costs a few arrays instead of a million objects; the compiler takes a run straight
 * into its digest table, and an item is built ({@link runItem}) only when something reads it.
 *
 * Every {@link IocDocument} is also a {@link CompactDocument} (one with no runs).
 *
 * @module
 */
import type { Indicator, IndicatorItem, IndicatorNode, IocDocument, SourcePosition } from "./model.js";

/** The fields the items of a run share: all but id, value and positions (and no parameters). */
export type RunFields = Omit<IndicatorItem, "kind" | "id" | "value" | "parameters" | "position" | "valuePosition">;

/** Digests of a run whose values are all lower-case hex of one length: the bytes, back to back. */
export interface RunDigests {
  /** Bytes per digest (16 MD5, 20 SHA-1, 32 SHA-256). */
  readonly width: number;
  /** `count * width` bytes; item k's value is the hex of bytes `k * width` to `(k + 1) * width`. */
  readonly bytes: Uint8Array;
  /** An index over the digests, as the compiler's digest table builds it (`runSlots`), when stored with them. */
  readonly slots?: Int32Array;
  /** The bits of a filter over that index's hashes (`runFilter`). */
  readonly filter?: Uint32Array;
}

/** Consecutive sibling items sharing {@link RunFields}, column-wise (at least two). */
export interface ItemRun {
  readonly kind: "items";
  readonly shared: RunFields;
  readonly count: number;
  /** Set when every value is exactly the lower-case hex of its digest (no blanks, no capitals). */
  readonly digests?: RunDigests;
  id(k: number): string;
  value(k: number): string;
  position(k: number): SourcePosition;
  valuePosition(k: number): SourcePosition;
}

/** An indicator whose children may be runs. */
export interface CompactIndicator extends Omit<Indicator, "children"> {
  readonly children: readonly CompactNode[];
}

export type CompactNode = CompactIndicator | IndicatorNode | ItemRun;

/** A document whose indicator tree may hold runs. */
export interface CompactDocument extends Omit<IocDocument, "criteria"> {
  readonly criteria?: CompactIndicator;
}

const NO_PARAMETERS: readonly never[] = [];

/** Item `k` of `run`, as the parser would have built it. */
export function runItem(run: ItemRun, k: number): IndicatorItem {
  const { condition, sourceCondition, negate, preserveCase, context, term, document, contentType, hasContent } = run.shared;
  // Built in the parser's field order, so the items have the parser's object shape.
  return {
    kind: "item",
    id: run.id(k),
    condition,
    sourceCondition,
    negate,
    preserveCase,
    context,
    term,
    document,
    contentType,
    value: run.value(k),
    hasContent,
    parameters: NO_PARAMETERS,
    position: run.position(k),
    valuePosition: run.valuePosition(k),
  };
}

/** The plain indicator tree `indicator` stands for (every run expanded: the slow path). */
export function expandCriteria(indicator: CompactIndicator): Indicator {
  const children: IndicatorNode[] = [];
  for (const child of indicator.children) {
    if (child.kind === "items") for (let k = 0; k < child.count; k++) children.push(runItem(child, k));
    else if (child.kind === "indicator") children.push(expandCriteria(child));
    else children.push(child);
  }
  return { ...indicator, children };
}

/** The plain document `document` stands for (`document` itself when it holds no run). */
export function expandDocument(document: CompactDocument): IocDocument {
  const { criteria, ...rest } = document;
  if (criteria === undefined) return rest;
  return hasRuns(criteria) ? { ...rest, criteria: expandCriteria(criteria) } : (document as IocDocument);
}

function hasRuns(indicator: CompactIndicator): boolean {
  return indicator.children.some((child) => child.kind === "items" || (child.kind === "indicator" && hasRuns(child)));
}
