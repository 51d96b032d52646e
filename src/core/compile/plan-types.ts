/**
 * The evaluation plan: every loaded IOC compiled together, once, into an immutable structure
 * that says what collection needs (documents, fields, prefilters) and how to evaluate records
 * (indexes, per-record trees, the binding of items to records).
 *
 * @module
 */
import type { Diagnostic, DiagnosticCode } from "../ioc/diagnostics.js";
import type { CompactDocument } from "../ioc/item-run.js";
import type { Condition, OpenIocVersion, SourcePosition } from "../ioc/model.js";
import type { EventValueView, Platform, ValueType } from "../vocabulary/index.js";
import type { Channel } from "./channel.js";
import type { RegexEngine } from "./regex-engine.js";
import type { Tri } from "./tri.js";

/** One loaded IOC and the file it came from (reported with every detection). */
export interface IocInput {
  readonly file: string;
  /** The IOC; its hash lists may come as runs (an IOC cache entry), compiled without an object per item. */
  readonly document: CompactDocument;
}

/** Options of {@link compilePlan}. */
export interface CompileOptions {
  /** Platform whose collectors produce the records; terms not collected there are UNKNOWN. Default "linux". */
  readonly platform?: Platform;
  /** Read FireEye HX event terms as host-state terms (semantics 7.9). Default true. */
  readonly mapEvents?: boolean;
  /** Read `Network/DNS` as `DnsEntryItem/Host` (an opt-in heuristic, semantics 7.7). Default false. */
  readonly mapNetworkTerms?: boolean;
  /** Runs `matches` items. Without one, every `matches` item is UNKNOWN. */
  readonly regexEngine?: RegexEngine;
  /** Largest local DNF expansion of one mixed-document AND before it is given up as UNKNOWN. Default 4096. */
  readonly maxLocalConjunctions?: number;
  /**
   * Gate items behind a sibling in their AND (gating.ts): a speed-up that never changes a result.
   * Default true; tests turn it off to compare.
   */
  readonly gateItems?: boolean;
}

/** Why an item cannot be evaluated; it is then UNKNOWN. */
export type UnknownReason =
  | "unknown-term"
  | "unknown-condition"
  | "event-term"
  | "informational"
  | "not-collected"
  | "not-applicable"
  | "bad-value"
  | "unrunnable-regex"
  | "no-regex-engine";

/** An item that evaluates as UNKNOWN, negated or not. */
export interface UnknownStatus {
  readonly kind: "unknown";
  readonly reason: UnknownReason;
  readonly code: DiagnosticCode;
  readonly message: string;
}

/**
 * A defective item (empty content): evaluates as FALSE, negated or not, so it can never match
 * anything. Counted as supported, as `iocscan ioc check` does: iocscan knows what it means.
 */
export interface NeverStatus {
  readonly kind: "never";
  readonly reason: "empty-content";
  readonly code: "IOC023";
  readonly message: string;
}

/** Whether and how an item takes part in evaluation. */
export type ItemStatus = { readonly kind: "supported" } | UnknownStatus | NeverStatus;

/**
 * How a record's value is read before comparing: as is, or a part of a path (event mapping,
 * semantics 7.9), or without a leading dot (`FileExtension`, semantics 6.2).
 */
export type ChannelView = EventValueView | "no-dot";

/**
 * One compiled IndicatorItem. It copies what reports need from the source item instead of
 * holding it, so a caller may drop its IOC documents once compiled (a million items' worth of
 * parse tree is most of a large plan's memory).
 */
export interface PlanItem {
  /** Index in {@link EvaluationPlan.items}. */
  readonly ref: number;
  /** Index in {@link EvaluationPlan.iocs}. */
  readonly ioc: number;
  /** `IndicatorItem/@id` (may be empty or repeated in real files). */
  readonly id: string;
  /** Where the IndicatorItem is in its file. */
  readonly position: SourcePosition;
  /** The condition and the `Content` text as written (1.0 `isnot` reads as a negated `is`). */
  readonly condition: Condition;
  readonly value: string;
  /** The term evaluated, canonical spelling: the mapped host-state term for an event term. */
  readonly term: string;
  /** The host-state document whose records the item is tested on. */
  readonly document: string;
  /** The record key: {@link term} without `Document/`. */
  readonly field: string;
  readonly view: ChannelView;
  /** Comparison type: the vocabulary's, else `Content/@type`. */
  readonly type: ValueType;
  readonly listValued: boolean;
  readonly negate: boolean;
  readonly ignoreCase: boolean;
  /** The source term when the item was read through event or network mapping, else undefined. */
  readonly mappedFrom: string | undefined;
  readonly status: ItemStatus;
}

/** Refs `lo`..`hi`. */
export interface ItemRange {
  readonly lo: number;
  readonly hi: number;
}

/** Refs `lo`..`hi` whose items share every field but id, value and positions. */
export interface ItemSpan {
  readonly lo: number;
  readonly hi: number;
  /** The item `lo`: its shared fields are every item's of the span. */
  readonly first: PlanItem;
}

/**
 * The plan's items by ref. The items of a hash list taken from a run are not objects until read:
 * {@link at} builds one (a report reads a few), {@link shape} answers the shared fields without
 * building anything, and a walk over every item goes span by span.
 */
export interface PlanItems extends Iterable<PlanItem> {
  readonly length: number;
  /** Item `ref`; undefined out of range. An item of a run is built anew by each call. */
  at(ref: number): PlanItem | undefined;
  /**
   * An item sharing every field of item `ref` but id, value and positions (item `ref` itself,
   * or the first of its run): for reading status, document, field, negation and the like.
   */
  shape(ref: number): PlanItem | undefined;
  /** Every ref, in order, in spans of items that share their fields (a plain item is a span of one). */
  spans(): Iterable<ItemSpan>;
  /** The span holding `ref`; undefined out of range. */
  spanAt(ref: number): ItemSpan | undefined;
}

/** Item ref → the units its leaf appears in. */
export interface UnitsOfItems {
  readonly length: number;
  /** A unit, several (after local DNF), or undefined for an item in no unit (or out of range). */
  at(ref: number): number | readonly number[] | undefined;
}

/** A per-record boolean tree. A number is a leaf: the ref of an item. */
export type RecordNode = number | RecordGroup | ConstNode | HitBlock;

/**
 * Consecutive OR children that are plain positive items of the unit's document, refs `lo`..`hi`
 * (a hash list): TRUE exactly when one of them holds on the record. Evaluation asks the record's
 * few hits instead of visiting a thousand leaves.
 */
export interface HitBlock {
  readonly op: "block";
  readonly lo: number;
  readonly hi: number;
}
export interface RecordGroup {
  readonly op: "and" | "or";
  readonly children: readonly RecordNode[];
}
export interface ConstNode {
  readonly op: "const";
  readonly value: Tri;
}

/**
 * A binding unit: a maximal single-document subtree, true over the host when one record of
 * {@link document} satisfies {@link tree} (`∃ r`, semantics 7.2).
 */
export interface PlanUnit {
  readonly index: number;
  readonly ioc: number;
  readonly document: string;
  readonly tree: RecordNode;
  /**
   * Refs of the supported items of the tree (the ones records decide): maximal ranges of
   * consecutive refs, in increasing order (a hash list of any length is one range).
   */
  readonly items: readonly ItemRange[];
  /** The tree's value on a record where no item's condition holds (every positive item false, every negated one true). */
  readonly vacuous: Tri;
  /** The unit's value when its document was not collected: every supported item UNKNOWN. */
  readonly ifUncollected: Tri;
}

/** Host-level logic over units: different units bind records independently. */
export type HostNode = { readonly op: "unit"; readonly unit: number } | { readonly op: "and" | "or"; readonly children: readonly HostNode[] } | ConstNode;

/** One compiled IOC. */
export interface PlanIoc {
  readonly index: number;
  readonly file: string;
  readonly id: string;
  readonly title: string;
  readonly version: OpenIocVersion;
  /** Number of IndicatorItems. */
  readonly items: number;
  /** Items iocscan can evaluate here (status supported or never), as `iocscan ioc check` counts them. */
  readonly supportedItems: number;
  readonly root: HostNode;
  /** Compile-time findings (unknown terms, negation-only groups, mapped terms, ...), located. */
  readonly diagnostics: readonly Diagnostic[];
}

/** What the plan needs from one document, and how to match its records. */
export interface DocumentPlan {
  readonly document: string;
  /** Record keys used by supported items, sorted. */
  readonly fields: readonly string[];
  /** One channel per (field, view) with the indexes of every item reading it. */
  readonly channels: readonly Channel[];
  /** Units binding records of this document. */
  readonly units: readonly number[];
  /** Units whose {@link PlanUnit.vacuous} value is not FALSE: any record may make them true or unknown. */
  readonly vacuousUnits: readonly number[];
  /**
   * The channels holding items that are not gated (gating.ts): every record goes through them.
   * Equal to {@link channels} when nothing is gated.
   */
  readonly eagerChannels: readonly Channel[];
  /** Guard item ref → the channels whose gated items a record must be matched against once the guard holds on it. */
  readonly guards: ReadonlyMap<number, readonly Channel[]>;
}

/** The compiled form of all loaded IOCs. Immutable; share it between evaluations. */
export interface EvaluationPlan {
  readonly platform: Platform;
  readonly iocs: readonly PlanIoc[];
  readonly items: PlanItems;
  readonly units: readonly PlanUnit[];
  /** Item ref → the units its leaf appears in (more than one only after local DNF); undefined for items in no unit. */
  readonly unitsOfItem: UnitsOfItems;
  /** Documents with at least one supported item, by name. */
  readonly documents: ReadonlyMap<string, DocumentPlan>;
}
