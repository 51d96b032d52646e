/**
 * The OpenIOC 1.1 serialiser. Every construct of the model exists in 1.1, so the only problems
 * are values XML cannot hold and values no version allows.
 *
 * @module
 */
import type { Indicator, IndicatorItem, IocDocument } from "../core/ioc/model.js";
import { planParameters, type OutputParameter, type ParameterPlan } from "./_openioc-11-parameters.js";
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

const NAMESPACE_11 = "http://openioc.org/schemas/OpenIOC_1.1";

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
  const plan = planParameters(doc);
  if (doc.criteria) {
    out.open("criteria");
    new TreeWriter(out, plan, problems).indicator({ node: doc.criteria, path: "Indicator" });
    out.close("criteria");
  } else {
    out.leaf("criteria");
  }
  writeParameters(out, plan.parameters);
  out.close("OpenIOC");
}

class TreeWriter {
  constructor(
    private readonly out: XmlOut,
    private readonly plan: ParameterPlan,
    private readonly problems: WriteProblem[],
  ) {}

  indicator(placed: PlacedNode): void {
    const indicator = placed.node as Indicator;
    this.problems.push(...checkNodeModel(placed));
    const attributes = [
      ["operator", indicator.operator],
      ["id", this.plan.nodeIds.get(indicator) ?? indicator.id],
    ] as const;
    const where = `indicator "${indicator.id}"`;
    if (indicator.children.length === 0) {
      this.out.leaf("Indicator", attributes, undefined, where);
      return;
    }
    this.out.open("Indicator", attributes, where);
    for (const child of placeChildren(indicator.children, placed.path)) {
      if (child.node.kind === "indicator") this.indicator(child);
      else this.item(child);
    }
    this.out.close("Indicator");
  }

  item(placed: PlacedNode): void {
    const item = placed.node as IndicatorItem;
    this.problems.push(...checkNodeModel(placed));
    const where = `item "${item.id}"`;
    this.out.open(
      "IndicatorItem",
      [
        ["id", this.plan.nodeIds.get(item) ?? item.id],
        ["condition", item.condition],
        ["preserve-case", String(item.preserveCase)],
        ["negate", String(item.negate)],
      ],
      where,
    );
    writeContextAndContent(this.out, item, where);
    this.out.close("IndicatorItem");
  }
}

function writeParameters(out: XmlOut, parameters: readonly OutputParameter[]): void {
  if (parameters.length === 0) {
    out.leaf("parameters");
    return;
  }
  out.open("parameters");
  for (const { parameter, id, refId } of parameters) {
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
  }
  out.close("parameters");
}
