/**
 * Pieces shared by the OpenIOC 1.0 and 1.1 writers: metadata elements, tree paths, dates.
 *
 * @module
 */
import {
  CONDITIONS,
  type IndicatorItem,
  type IndicatorNode,
  type IocDocument,
} from "../core/ioc/model.js";
import type { WriteProblem } from "./_write-problems.js";
import type { XmlOut } from "./_xml-out.js";

/** The conventional "never published" `published-date` of OpenIOC 1.1. */
export const UNPUBLISHED = "0001-01-01T00:00:00";

/** A node of the indicator tree with its XPath-like location, for problem messages. */
export interface PlacedNode {
  readonly node: IndicatorNode;
  readonly path: string;
}

/**
 * The children of an indicator with their paths: `Indicator[2]` is the second child Indicator,
 * counted apart from IndicatorItems as XPath does.
 *
 * @example
 * placeChildren([item, group, item2], "Indicator").map((p) => p.path);
 * // ["Indicator/IndicatorItem[1]", "Indicator/Indicator[1]", "Indicator/IndicatorItem[2]"]
 */
export function placeChildren(children: readonly IndicatorNode[], parentPath: string): PlacedNode[] {
  let indicators = 0;
  let items = 0;
  return children.map((node) => {
    const index = node.kind === "indicator" ? ++indicators : ++items;
    const name = node.kind === "indicator" ? "Indicator" : "IndicatorItem";
    return { node, path: `${parentPath}/${name}[${index}]` };
  });
}

/** The problems of a node that no OpenIOC version can hold (a model built by hand or from JSON). */
export function checkNodeModel(placed: PlacedNode): WriteProblem[] {
  const { node, path } = placed;
  if (node.kind === "item") {
    if ((CONDITIONS as readonly string[]).includes(node.condition)) return [];
    return [
      {
        code: "invalid-model",
        message: `Cannot write item "${node.id}": unknown condition "${String(node.condition)}"`,
        nodeId: node.id,
        path,
      },
    ];
  }
  if (node.operator === "AND" || node.operator === "OR") return [];
  return [
    {
      code: "invalid-model",
      message: `Cannot write indicator "${node.id}": unknown operator "${String(node.operator)}"`,
      nodeId: node.id,
      path,
    },
  ];
}

/**
 * Writes the metadata elements in the order both schemas use. `authored_date` only when the
 * document has one (the schemas want it, but inventing a date would be worse). The 1.1 schema
 * requires `link/@rel`; 1.0 writes it only when non-empty, since an empty rel means "none" there.
 */
export function writeMetadata(out: XmlOut, doc: IocDocument, relRequired: boolean): void {
  if (doc.title !== "") out.leaf("short_description", [], doc.title);
  if (doc.description !== undefined) out.leaf("description", [], doc.description);
  if (doc.keywords !== undefined) out.leaf("keywords", [], doc.keywords);
  if (doc.authoredBy !== undefined) out.leaf("authored_by", [], doc.authoredBy);
  if (doc.authoredDate !== undefined) out.leaf("authored_date", [], doc.authoredDate);
  if (doc.links.length === 0) {
    out.leaf("links");
    return;
  }
  out.open("links");
  for (const link of doc.links) {
    const rel = relRequired || link.rel !== "" ? link.rel : undefined;
    const attributes = [
      ["rel", rel],
      ["type", link.type],
      ["title", link.title],
      ["href", link.href],
    ] as const;
    out.leaf("link", attributes, link.text, `link "${link.rel}"`);
  }
  out.close("links");
}

/**
 * The `last-modified` to write: the document's own, else `now` (an ISO string as given, or a
 * `Date` in UTC to the second), else none. The writer never reads the clock itself, so the same
 * input always gives the same bytes.
 *
 * @throws {TypeError} for an invalid `Date`: a caller bug, not a property of the document.
 * @example
 * lastModifiedOf(docWithoutDate, new Date(0)); // "1970-01-01T00:00:00Z"
 */
export function lastModifiedOf(doc: IocDocument, now: Date | string | undefined): string | undefined {
  if (doc.lastModified !== undefined) return doc.lastModified;
  if (now === undefined || typeof now === "string") return now;
  if (Number.isNaN(now.getTime())) throw new TypeError("Cannot write last-modified: options.now is an invalid Date");
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * `Context` and `Content` as the model holds them. `Content` is left out only when the item had
 * none (`hasContent` false and no value): the 1.1 schema wants it, but an empty one would read
 * back as a different item.
 */
export function writeContextAndContent(out: XmlOut, item: IndicatorItem, where: string): void {
  const { document, search, type } = item.context;
  out.leaf(
    "Context",
    [
      ["document", document],
      ["search", search],
      ["type", type],
    ],
    undefined,
    `Context of ${where}`,
  );
  if (item.hasContent || item.value !== "") {
    out.leaf("Content", [["type", item.contentType]], item.value, `Content of ${where}`);
  }
}
