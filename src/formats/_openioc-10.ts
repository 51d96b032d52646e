/**
 * The OpenIOC 1.0 serialiser. 1.0 is a subset of the model: four conditions (`is`, `contains`
 * and their `…not` forms), no case sensitivity, one `Comment` per item as the only parameter, no
 * `published-date`. Anything else becomes a problem naming the node; nothing is dropped quietly.
 *
 * @module
 */
import type { Indicator, IndicatorItem, IocDocument, IocParameter } from "../core/ioc/model.js";
import {
  UNPUBLISHED,
  checkNodeModel,
  placeChildren,
  writeContextAndContent,
  writeMetadata,
  type PlacedNode,
} from "./_openioc-common.js";
import type { WriteProblem } from "./_write-problems.js";
import type { XmlOut } from "./_xml-out.js";

const NAMESPACE_10 = "http://schemas.mandiant.com/2010/ioc";
const COMMENT = "comment";

/** The comments written so far, to check the document-wide parameter list against. */
interface CommentLedger {
  readonly written: Set<IocParameter>;
  readonly keys: Map<string, number>;
}

/** Writes `doc` as OpenIOC 1.0 into `out`, adding what 1.0 cannot hold to `problems`. */
export function writeOpenIoc10(
  out: XmlOut,
  doc: IocDocument,
  lastModified: string | undefined,
  problems: WriteProblem[],
): void {
  if (doc.publishedDate !== undefined && doc.publishedDate !== UNPUBLISHED) {
    problems.push({
      code: "published-date-not-in-1.0",
      message: `Cannot write published-date "${doc.publishedDate}" as OpenIOC 1.0: it exists only in 1.1`,
      path: "published-date",
    });
  }
  out.open("ioc", [
    ["xmlns", NAMESPACE_10],
    ["xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"],
    ["xmlns:xsd", "http://www.w3.org/2001/XMLSchema"],
    ["id", doc.id],
    ["last-modified", lastModified],
  ]);
  writeMetadata(out, doc, false);
  const ledger: CommentLedger = { written: new Set(), keys: new Map() };
  if (doc.criteria) {
    out.open("definition");
    writeIndicator(out, { node: doc.criteria, path: "Indicator" }, ledger, problems);
    out.close("definition");
  }
  out.close("ioc");
  problems.push(...strayParameters(doc, ledger));
}

function writeIndicator(out: XmlOut, placed: PlacedNode, ledger: CommentLedger, problems: WriteProblem[]): void {
  const indicator = placed.node as Indicator;
  problems.push(...checkNodeModel(placed));
  for (const parameter of indicator.parameters) {
    problems.push(parameterProblem(parameter, `indicator "${indicator.id}"`, indicator.id, placed.path));
  }
  const attributes = [
    ["operator", indicator.operator],
    ["id", optionalId(indicator.id)],
  ] as const;
  const where = `indicator "${indicator.id}"`;
  if (indicator.children.length === 0) {
    out.leaf("Indicator", attributes, undefined, where);
    return;
  }
  out.open("Indicator", attributes, where);
  for (const child of placeChildren(indicator.children, placed.path)) {
    if (child.node.kind === "indicator") writeIndicator(out, child, ledger, problems);
    else writeItem(out, child, ledger, problems);
  }
  out.close("Indicator");
}

function writeItem(out: XmlOut, placed: PlacedNode, ledger: CommentLedger, problems: WriteProblem[]): void {
  const item = placed.node as IndicatorItem;
  const where = `item "${item.id}"`;
  problems.push(...checkNodeModel(placed), ...itemProblems(item, placed.path));
  let comment: IocParameter | undefined;
  for (const parameter of item.parameters) {
    if (parameter.name === COMMENT && comment === undefined) {
      comment = parameter;
      ledger.written.add(parameter);
      const key = commentKey(parameter, item.id);
      ledger.keys.set(key, (ledger.keys.get(key) ?? 0) + 1);
    } else {
      problems.push(parameterProblem(parameter, where, item.id, placed.path));
    }
  }
  out.open(
    "IndicatorItem",
    [
      ["id", optionalId(item.id)],
      ["condition", condition10(item)],
    ],
    where,
  );
  writeContextAndContent(out, item, where);
  if (comment) out.leaf("Comment", [], comment.value, `Comment of ${where}`);
  out.close("IndicatorItem");
}

/** `isnot`/`containsnot` for negated `is`/`contains`; other conditions are reported, written as is. */
function condition10(item: IndicatorItem): string {
  if (!item.negate) return item.condition;
  return item.condition === "is" || item.condition === "contains" ? `${item.condition}not` : item.condition;
}

function itemProblems(item: IndicatorItem, path: string): WriteProblem[] {
  const problems: WriteProblem[] = [];
  if (item.condition !== "is" && item.condition !== "contains") {
    const negated = item.negate ? "negated " : "";
    problems.push({
      code: "condition-not-in-1.0",
      message: `Cannot write item "${item.id}" as OpenIOC 1.0: ${negated}condition "${item.condition}" exists only in 1.1`,
      nodeId: item.id,
      path,
    });
  }
  if (item.preserveCase) {
    problems.push({
      code: "preserve-case-not-in-1.0",
      message: `Cannot write item "${item.id}" as OpenIOC 1.0: preserve-case="true" exists only in 1.1`,
      nodeId: item.id,
      path,
    });
  }
  return problems;
}

function parameterProblem(parameter: IocParameter, where: string, nodeId: string, path: string): WriteProblem {
  return {
    code: "parameter-not-in-1.0",
    message: `Cannot write parameter "${parameter.name}" of ${where} as OpenIOC 1.0: only one "comment" per IndicatorItem exists in 1.0`,
    nodeId,
    path,
  };
}

/**
 * Parameters of the document-wide list that no written `Comment` accounts for (a 1.1 parameter
 * whose ref-id names no node, or a comment on an indicator): 1.0 has nowhere to put them.
 */
function strayParameters(doc: IocDocument, ledger: CommentLedger): WriteProblem[] {
  const problems: WriteProblem[] = [];
  for (const parameter of doc.parameters) {
    if (ledger.written.has(parameter)) continue;
    const key = commentKey(parameter, parameter.refId ?? "");
    const count = ledger.keys.get(key) ?? 0;
    if (parameter.name === COMMENT && count > 0) {
      ledger.keys.set(key, count - 1);
      continue;
    }
    const refId = parameter.refId ?? "";
    problems.push({
      code: "parameter-not-in-1.0",
      message: `Cannot write parameter "${parameter.name}" (ref-id "${refId}") as OpenIOC 1.0: it annotates no IndicatorItem comment`,
      nodeId: refId,
      path: "parameters",
    });
  }
  return problems;
}

/** 1.0 keeps a comment's text only; its id and value type have no place there. */
function commentKey(parameter: IocParameter, refId: string): string {
  return JSON.stringify([refId, parameter.name, parameter.value]);
}

/** `@id` is optional in 1.0: an empty id (the model's "none") is left out rather than written empty. */
function optionalId(id: string): string | undefined {
  return id === "" ? undefined : id;
}
