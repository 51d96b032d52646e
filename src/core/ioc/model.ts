/**
 * The normalised model of an OpenIOC 1.0 or 1.1 file.
 *
 * One model serves both versions: 1.0 `isnot`/`containsnot` become a negated `is`/`contains`,
 * 1.0 `Comment` becomes a `comment` parameter, and every element keeps its source position so
 * diagnostics and reports can point at `file:line:column`.
 *
 * @module
 */

/** The two OpenIOC versions iocscan reads. */
export type OpenIocVersion = "1.0" | "1.1";

/** Where an element starts in its source file (1-based line and column). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** The seven OpenIOC 1.1 conditions; the 1.0 `isnot`/`containsnot` are stored as negated `is`/`contains`. */
export type Condition =
  | "is"
  | "contains"
  | "matches"
  | "starts-with"
  | "ends-with"
  | "greater-than"
  | "less-than";

/** All conditions, in a stable order. */
export const CONDITIONS: readonly Condition[] = [
  "is",
  "contains",
  "matches",
  "starts-with",
  "ends-with",
  "greater-than",
  "less-than",
];

const KNOWN_CONDITIONS: ReadonlySet<string> = new Set(CONDITIONS);

/**
 * True when `condition` is one of the seven conditions, false for the spelling of an unknown one
 * that the parser keeps on {@link IndicatorItem.condition}.
 *
 * @example
 * ```ts
 * if (!isKnownCondition(item.condition)) return unknownItem(item); // UNKNOWN, never FALSE
 * ```
 */
export function isKnownCondition(condition: string): condition is Condition {
  return KNOWN_CONDITIONS.has(condition);
}

/** `Indicator/@operator`, normalised to upper case. */
export type Operator = "AND" | "OR";

/** A `metadata/links/link` (1.1) or `links/link` (1.0) element. */
export interface IocLink {
  readonly rel: string;
  readonly text: string;
  readonly href?: string;
  readonly title?: string;
  readonly type?: string;
  readonly position: SourcePosition;
}

/**
 * A 1.1 `parameters/param`, or a 1.0 `IndicatorItem/Comment` turned into a `comment` parameter.
 * Parameters are metadata: they never change whether an item matches.
 */
export interface IocParameter {
  readonly id?: string;
  /** The id of the Indicator or IndicatorItem the parameter annotates. */
  readonly refId?: string;
  readonly name: string;
  readonly value: string;
  readonly valueType?: string;
  readonly position: SourcePosition;
}

/** `IndicatorItem/Context`, exactly as written. */
export interface ItemContext {
  readonly document: string;
  readonly search: string;
  readonly type: string;
}

/** One `IndicatorItem`: a single test of one term. */
export interface IndicatorItem {
  readonly kind: "item";
  /** `@id`; empty when the file has none (ids are not unique in real files). */
  readonly id: string;
  /**
   * The normalised condition. When the file spells one that is no condition nor known alias
   * (`condition="frobs"`, or none at all), the parser keeps the item with that spelling, trimmed,
   * here: semantics 5.1 makes it an unsupported item, which evaluates UNKNOWN like an unknown
   * term, instead of dropping the whole IOC. Code that switches over the seven conditions must
   * test {@link isKnownCondition} first (the evaluator does, in `classifyItem`; the OpenIOC writer
   * refuses such an item).
   */
  readonly condition: Condition;
  /** The condition attribute as written (`isnot`, `Contains`, `greaterthan`, ...). */
  readonly sourceCondition: string;
  readonly negate: boolean;
  readonly preserveCase: boolean;
  readonly context: ItemContext;
  /**
   * The term this item tests, normalised from `Context/@search`: a leading `eventItem/` removed,
   * otherwise as written (vocabulary look-ups resolve its case).
   */
  readonly term: string;
  /** The document named by the first segment of {@link term} (real files disagree with `@document`). */
  readonly document: string;
  /** `Content/@type` as written (often less precise than the term's own type). */
  readonly contentType: string;
  /** `Content` text exactly as written: no trimming, newlines kept. Empty when absent. */
  readonly value: string;
  /** False when the item has no `Content` element at all. */
  readonly hasContent: boolean;
  readonly parameters: readonly IocParameter[];
  readonly position: SourcePosition;
  /** Position of the `Content` element (or of the item when it has none). */
  readonly valuePosition: SourcePosition;
}

/** One `Indicator`: an AND or OR over items and nested indicators, in document order. */
export interface Indicator {
  readonly kind: "indicator";
  readonly id: string;
  readonly operator: Operator;
  readonly children: readonly IndicatorNode[];
  readonly parameters: readonly IocParameter[];
  readonly position: SourcePosition;
}

/** A node of the indicator tree. */
export type IndicatorNode = Indicator | IndicatorItem;

/** One IOC: the metadata and the indicator tree of one file. */
export interface IocDocument {
  readonly version: OpenIocVersion;
  /** `ioc/@id` or `OpenIOC/@id`; empty when missing. */
  readonly id: string;
  /** `short_description`, the display name; empty when missing. */
  readonly title: string;
  readonly description?: string;
  readonly keywords?: string;
  readonly authoredBy?: string;
  readonly authoredDate?: string;
  readonly lastModified?: string;
  /** 1.1 only. */
  readonly publishedDate?: string;
  readonly links: readonly IocLink[];
  /**
   * The top-level indicator. A 1.1 `criteria` with several top-level indicators is read as an OR
   * over them (id "", position of `criteria`). Undefined when the file has no logic at all.
   */
  readonly criteria?: Indicator;
  /** Every parameter of the file (1.1 `parameters/param` and 1.0 comments), in document order. */
  readonly parameters: readonly IocParameter[];
  readonly position: SourcePosition;
}

/** Calls `visit` for every item under `node`, depth first, in document order. */
export function forEachItem(node: IndicatorNode, visit: (item: IndicatorItem) => void): void {
  if (node.kind === "item") {
    visit(node);
    return;
  }
  for (const child of node.children) forEachItem(child, visit);
}

/** All items of a document, in document order. */
export function itemsOf(document: IocDocument): IndicatorItem[] {
  const items: IndicatorItem[] = [];
  if (document.criteria) forEachItem(document.criteria, (item) => items.push(item));
  return items;
}
