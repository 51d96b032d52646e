/**
 * The OpenIOC 1.1 serialiser. Every construct of the model exists in 1.1, so the only problems
 * are values XML cannot hold and values no version allows.
 *
 * @module
 */
import type { Indicator, IndicatorItem, IocDocument, IocParameter } from "../core/ioc/model.js";
import {
  UNPUBLISHED,
  checkNodeModel,
  writeContextAndContent,
  parameterKey,
  placeChildren,
  writeMetadata,
  type PlacedNode,
} from "./_openioc-common.js";
import { stableId } from "./_stable-id.js";
import type { WriteProblem } from "./_write-problems.js";
import type { XmlOut } from "./_xml-out.js";

const NAMESPACE_11 = "http://openioc.org/schemas/OpenIOC_1.1";

/** A parameter ready to be written: the `ref-id` it points at is settled. */
interface OutputParameter {
  readonly parameter: IocParameter;
  readonly refId: string;
}

/** Writes `doc` as OpenIOC 1.1 into `out`, adding model problems to `problems`. */
export function writeOpenIoc11(
  out: XmlOut,
  doc: IocDocument,
  lastModified: string | undefined,
  problems: WriteProblem[],
): void {
  out.open("OpenIOC", [
    ["xmlns", NAMESPACE_11],
    ["xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"],
    ["xmlns:xsd", "http://www.w3.org/2001/XMLSchema"],
    ["id", doc.id],
    ["last-modified", lastModified],
    ["published-date", doc.publishedDate ?? UNPUBLISHED],
  ]);
  out.open("metadata");
  writeMetadata(out, doc, true);
  out.close("metadata");
  const parameters = collectDocumentParameters(doc);
  if (doc.criteria) {
    out.open("criteria");
    writeIndicator(out, { node: doc.criteria, path: "Indicator" }, parameters, problems);
    out.close("criteria");
  } else {
    out.leaf("criteria");
  }
  writeParameters(out, doc, parameters.list);
  out.close("OpenIOC");
}

/**
 * The parameters to write, in order: the document-wide list first (it is in file order for a
 * document that was read), then node parameters it does not already hold (a document built in
 * code may attach parameters to nodes only).
 */
interface ParameterPlan {
  readonly list: OutputParameter[];
  readonly seen: ReadonlySet<IocParameter>;
  readonly unmatched: Map<string, number>;
}

function collectDocumentParameters(doc: IocDocument): ParameterPlan {
  const unmatched = new Map<string, number>();
  for (const parameter of doc.parameters) {
    const key = parameterKey(parameter, parameter.refId);
    unmatched.set(key, (unmatched.get(key) ?? 0) + 1);
  }
  return {
    list: doc.parameters.map((parameter) => ({ parameter, refId: parameter.refId ?? "" })),
    seen: new Set(doc.parameters),
    unmatched,
  };
}

/** Adds a node's parameter unless the document-wide list already holds it. */
function addNodeParameter(plan: ParameterPlan, parameter: IocParameter, nodeId: string): void {
  if (plan.seen.has(parameter)) return;
  // A parameter hangs off the node it is attached to, whatever its own refId says.
  const key = parameterKey(parameter, nodeId);
  const count = plan.unmatched.get(key) ?? 0;
  if (count > 0) {
    plan.unmatched.set(key, count - 1);
    return;
  }
  plan.list.push({ parameter, refId: nodeId });
}

function writeIndicator(out: XmlOut, placed: PlacedNode, plan: ParameterPlan, problems: WriteProblem[]): void {
  const indicator = placed.node as Indicator;
  problems.push(...checkNodeModel(placed));
  for (const parameter of indicator.parameters) addNodeParameter(plan, parameter, indicator.id);
  const attributes = [
    ["operator", indicator.operator],
    ["id", indicator.id],
  ] as const;
  const where = `indicator "${indicator.id}"`;
  if (indicator.children.length === 0) {
    out.leaf("Indicator", attributes, undefined, where);
    return;
  }
  out.open("Indicator", attributes, where);
  for (const child of placeChildren(indicator.children, placed.path)) {
    if (child.node.kind === "indicator") writeIndicator(out, child, plan, problems);
    else writeItem(out, child, plan, problems);
  }
  out.close("Indicator");
}

function writeItem(out: XmlOut, placed: PlacedNode, plan: ParameterPlan, problems: WriteProblem[]): void {
  const item = placed.node as IndicatorItem;
  problems.push(...checkNodeModel(placed));
  for (const parameter of item.parameters) addNodeParameter(plan, parameter, item.id);
  const where = `item "${item.id}"`;
  out.open(
    "IndicatorItem",
    [
      ["id", item.id],
      ["condition", item.condition],
      ["preserve-case", String(item.preserveCase)],
      ["negate", String(item.negate)],
    ],
    where,
  );
  writeContextAndContent(out, item, where);
  out.close("IndicatorItem");
}

function writeParameters(out: XmlOut, doc: IocDocument, list: readonly OutputParameter[]): void {
  if (list.length === 0) {
    out.leaf("parameters");
    return;
  }
  out.open("parameters");
  list.forEach(({ parameter, refId }, index) => {
    const id = parameter.id ?? stableId([doc.id, refId, parameter.name, parameter.value, String(index)]);
    const where = `parameter "${parameter.name}" of "${refId}"`;
    out.open(
      "param",
      [
        ["id", id],
        ["ref-id", refId],
        ["name", parameter.name],
      ],
      where,
    );
    out.leaf("value", [["type", parameter.valueType]], parameter.value, where);
    out.close("param");
  });
  out.close("parameters");
}
