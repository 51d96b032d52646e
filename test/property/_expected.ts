/**
 * What a document should read back as after `writeIoc` in a given version: the writer's documented
 * choices (canonical condition spelling, the 1.1 published-date placeholder, 1.0 comments that keep
 * only their text) applied to the original.
 */
import type {
  Indicator,
  IndicatorItem,
  IndicatorNode,
  IocDocument,
  IocParameter,
  OpenIocVersion,
} from "../../src/core/ioc/model.js";

export const UNPUBLISHED = "0001-01-01T00:00:00";

/** The document `parseIoc(writeIoc(doc, { version }))` should return, positions aside. */
export function expectedAfterWrite(doc: IocDocument, version: OpenIocVersion): IocDocument {
  const comments: IocParameter[] = [];
  const mapNode = (node: IndicatorNode): IndicatorNode =>
    node.kind === "item" ? mapItem(node) : { ...node, children: node.children.map(mapNode) };
  const mapItem = (item: IndicatorItem): IndicatorItem => {
    if (version === "1.1") return { ...item, sourceCondition: item.condition };
    const parameters = item.parameters.map((p): IocParameter => ({ refId: item.id, name: p.name, value: p.value, position: p.position }));
    comments.push(...parameters);
    return { ...item, sourceCondition: item.negate ? `${item.condition}not` : item.condition, parameters };
  };
  const criteria = doc.criteria ? (mapNode(doc.criteria) as Indicator) : undefined;
  const { publishedDate, criteria: _, ...rest } = doc;
  return {
    ...rest,
    version,
    ...(criteria ? { criteria } : {}),
    ...(version === "1.1" ? { publishedDate: publishedDate ?? UNPUBLISHED } : {}),
    parameters: version === "1.1" ? doc.parameters : comments,
  };
}

/** Removes parameter ids everywhere: an upgraded 1.0 comment gets a generated one. */
export function withoutParameterIds(doc: IocDocument): IocDocument {
  const strip = (parameters: readonly IocParameter[]): IocParameter[] =>
    parameters.map(({ id: _, ...rest }) => rest);
  const mapNode = (node: IndicatorNode): IndicatorNode =>
    node.kind === "item"
      ? { ...node, parameters: strip(node.parameters) }
      : { ...node, parameters: strip(node.parameters), children: node.children.map(mapNode) };
  const { criteria, ...rest } = doc;
  return {
    ...rest,
    ...(criteria ? { criteria: mapNode(criteria) as Indicator } : {}),
    parameters: strip(doc.parameters),
  };
}

/** Every item of the tree, depth first. */
export function allItems(node: IndicatorNode | undefined): IndicatorItem[] {
  if (!node) return [];
  return node.kind === "item" ? [node] : node.children.flatMap(allItems);
}

/** Every indicator of the tree, depth first. */
export function allIndicators(node: IndicatorNode | undefined): Indicator[] {
  if (!node || node.kind === "item") return [];
  return [node, ...node.children.flatMap(allIndicators)];
}
