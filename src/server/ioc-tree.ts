/**
 * An IOC file's indicator tree as the console's IOC viewer draws it: indicators with their AND/OR
 * operator and children, items with document, search term, condition, value and flags. Item ids
 * are the ids detections list in `matchedItems`, so the viewer can highlight what matched.
 *
 * @module
 */
import { parseIoc, type IndicatorNode, type IocDocument } from "../core/ioc/index.js";
import type { z } from "zod";
import type { IocTreeNode, IocTreeOut } from "./schemas.js";

function toNode(node: IndicatorNode): IocTreeNode {
  if (node.kind === "indicator") return { kind: "indicator", id: node.id, operator: node.operator, children: node.children.map(toNode) };
  return {
    kind: "item",
    id: node.id,
    document: node.context.document,
    search: node.context.search,
    condition: node.condition,
    content: node.value,
    contentType: node.contentType,
    negate: node.negate,
    preserveCase: node.preserveCase,
    line: node.position.line,
  };
}

/** The tree of a parsed document. */
export function iocTree(document: IocDocument): z.infer<typeof IocTreeOut> {
  return { iocId: document.id, title: document.title, version: document.version, criteria: document.criteria === undefined ? null : toNode(document.criteria) };
}

/** Parses a stored file's bytes; undefined when the reader cannot make a document of them. */
export function iocTreeOf(content: Uint8Array): z.infer<typeof IocTreeOut> | undefined {
  const { document } = parseIoc(content);
  return document === undefined ? undefined : iocTree(document);
}
