/**
 * The stored form of an IOC document's indicator tree: consecutive IndicatorItems that differ
 * only in id, value and positions (a hash list: thousands of `FileItem/Sha256sum is ...`) are
 * kept column-wise, the shared fields once. A 10,000-item entry then decodes as a few arrays of
 * strings and numbers instead of 10,000 objects of 15 fields each: JSON.parse and the collector
 * do a fraction of the work, and {@link unpackCriteria} rebuilds the very same document.
 *
 * @module
 */
import { CONDITIONS, type Condition, type Indicator, type IndicatorItem, type IndicatorNode, type IocParameter, type ItemContext, type SourcePosition } from "../../core/ioc/index.js";

/** The fields a run of items shares (an item's fields but its id, value, positions and parameters, which are none). */
type SharedFields = Omit<IndicatorItem, "kind" | "id" | "value" | "parameters" | "position" | "valuePosition">;

/** Consecutive items with the same {@link SharedFields} and no parameters, column-wise. */
export interface ItemRun {
  readonly kind: "items";
  readonly shared: SharedFields;
  readonly ids: readonly string[];
  readonly values: readonly string[];
  /** Per item: line, column, value line, value column. */
  readonly positions: readonly number[];
}

/** An indicator as stored: its children may be runs. */
export interface PackedIndicator extends Omit<Indicator, "children"> {
  readonly children: readonly PackedNode[];
}

export type PackedNode = PackedIndicator | IndicatorItem | ItemRun;

/** Shorter runs stay plain items: a run's header costs about as much as one item. */
const MIN_RUN = 2;

/**
 * The stored form of `criteria`.
 *
 * @example
 * ```ts
 * const packed = packCriteria(document.criteria); // a hash list's items become one ItemRun
 * unpackCriteria(JSON.parse(JSON.stringify(packed))); // deep-equals document.criteria
 * ```
 */
export function packCriteria(indicator: Indicator): PackedIndicator {
  const children: PackedNode[] = [];
  const list = indicator.children;
  for (let i = 0; i < list.length; ) {
    const child = list[i] as IndicatorNode;
    if (child.kind === "indicator") {
      children.push(packCriteria(child));
      i++;
      continue;
    }
    let end = i + 1;
    while (end < list.length && sharesFields(child, list[end] as IndicatorNode)) end++;
    if (end - i < MIN_RUN || child.parameters.length > 0) children.push(...(list.slice(i, end) as IndicatorItem[]));
    else children.push(runOf(list.slice(i, end) as IndicatorItem[]));
    i = end;
  }
  return { ...indicator, children };
}

/**
 * The indicator tree `packed` stands for; throws when a run is malformed (the caller treats
 * the entry as a miss). Items of one run share their context and parameters objects.
 */
export function unpackCriteria(packed: PackedIndicator): Indicator {
  const children: IndicatorNode[] = [];
  for (const child of packed.children) {
    if (child.kind === "indicator") children.push(unpackCriteria(child));
    else if (child.kind === "items") expandRun(child, children);
    else children.push(child);
  }
  return { ...packed, children };
}

function sharesFields(a: IndicatorItem, node: IndicatorNode): boolean {
  if (node.kind !== "item") return false;
  const b = node;
  return (
    b.parameters.length === a.parameters.length &&
    b.condition === a.condition &&
    b.sourceCondition === a.sourceCondition &&
    b.negate === a.negate &&
    b.preserveCase === a.preserveCase &&
    b.context.document === a.context.document &&
    b.context.search === a.context.search &&
    b.context.type === a.context.type &&
    b.term === a.term &&
    b.document === a.document &&
    b.contentType === a.contentType &&
    b.hasContent === a.hasContent
  );
}

function runOf(items: readonly IndicatorItem[]): ItemRun {
  const first = items[0] as IndicatorItem;
  const { condition, sourceCondition, negate, preserveCase, context, term, document, contentType, hasContent } = first;
  const positions: number[] = [];
  for (const item of items) positions.push(item.position.line, item.position.column, item.valuePosition.line, item.valuePosition.column);
  return {
    kind: "items",
    shared: { condition, sourceCondition, negate, preserveCase, context, term, document, contentType, hasContent },
    ids: items.map((item) => item.id),
    values: items.map((item) => item.value),
    positions,
  };
}

function expandRun(run: ItemRun, into: IndicatorNode[]): void {
  const { shared, ids, values, positions } = run;
  const count = ids.length;
  if (!isShared(shared) || !Array.isArray(ids) || !Array.isArray(values) || !Array.isArray(positions) || values.length !== count || positions.length !== count * 4) {
    throw new Error("malformed item run");
  }
  const { condition, sourceCondition, negate, preserveCase, term, document, contentType, hasContent } = shared;
  const context: ItemContext = { document: shared.context.document, search: shared.context.search, type: shared.context.type };
  const parameters: readonly IocParameter[] = [];
  for (let k = 0; k < count; k++) {
    const id: unknown = ids[k];
    const value: unknown = values[k];
    if (typeof id !== "string" || typeof value !== "string") throw new Error("malformed item run");
    // Built in the parser's field order, so the items have the parser's object shape.
    into.push({
      kind: "item",
      id,
      condition,
      sourceCondition,
      negate,
      preserveCase,
      context,
      term,
      document,
      contentType,
      value,
      hasContent,
      parameters,
      position: positionAt(positions, k * 4),
      valuePosition: positionAt(positions, k * 4 + 2),
    });
  }
}

function positionAt(positions: readonly number[], at: number): SourcePosition {
  const line = positions[at];
  const column = positions[at + 1];
  if (typeof line !== "number" || typeof column !== "number") throw new Error("malformed item run");
  return { line, column };
}

function isShared(value: unknown): value is SharedFields {
  if (typeof value !== "object" || value === null) return false;
  const s = value as Record<string, unknown>;
  const context = s["context"] as Record<string, unknown> | null | undefined;
  return (
    CONDITIONS.includes(s["condition"] as Condition) &&
    typeof s["sourceCondition"] === "string" &&
    typeof s["negate"] === "boolean" &&
    typeof s["preserveCase"] === "boolean" &&
    typeof s["term"] === "string" &&
    typeof s["document"] === "string" &&
    typeof s["contentType"] === "string" &&
    typeof s["hasContent"] === "boolean" &&
    typeof context === "object" &&
    context !== null &&
    typeof context["document"] === "string" &&
    typeof context["search"] === "string" &&
    typeof context["type"] === "string"
  );
}
