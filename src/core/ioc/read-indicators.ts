/**
 * The indicator tree: `Indicator` (AND/OR) and `IndicatorItem` elements, in any order.
 *
 * @module
 */
import { readBoolean, readCondition, readOperator } from "./conditions.js";
import { diagnostic } from "./diagnostics.js";
import type { Condition, Indicator, IndicatorItem, IndicatorNode, IocParameter } from "./model.js";
import { readParam } from "./read-parameters.js";
import { child, childrenNamed, type ReadContext } from "./read-context.js";
import type { XmlElement } from "./xml-tree.js";

/**
 * Reads the indicators under `definition`/`criteria`. Several top-level indicators (allowed by
 * the 1.1 schema) are read as an OR over them.
 */
export function readIndicatorTree(
  logic: XmlElement,
  parameters: readonly IocParameter[],
  context: ReadContext,
): { criteria?: Indicator; inlineParameters: IocParameter[] } {
  const byRef = new Map<string, IocParameter[]>();
  for (const parameter of parameters) {
    // An empty ref-id names no node (ids may be empty too): such a parameter stays file-level only.
    if (parameter.refId === undefined || parameter.refId === "") continue;
    const list = byRef.get(parameter.refId) ?? [];
    list.push(parameter);
    byRef.set(parameter.refId, list);
  }
  const reader = new IndicatorReader(context, byRef);
  const tops = childrenNamed(logic, "Indicator").map((element) => reader.indicator(element));
  const inlineParameters = reader.inlineParameters;
  if (tops.length <= 1) return tops[0] ? { criteria: tops[0], inlineParameters } : { inlineParameters };
  return {
    criteria: { kind: "indicator", id: "", operator: "OR", children: tops, parameters: [], position: logic.position },
    inlineParameters,
  };
}

class IndicatorReader {
  /** 1.0 comments and `TR:param`s, written inside the tree rather than in a parameters section. */
  readonly inlineParameters: IocParameter[] = [];

  constructor(
    private readonly context: ReadContext,
    private readonly parametersByRef: ReadonlyMap<string, readonly IocParameter[]>,
  ) {}

  indicator(element: XmlElement): Indicator {
    const id = element.attributes.get("id") ?? "";
    const rawOperator = element.attributes.get("operator");
    const operator = readOperator(rawOperator ?? "");
    if (!operator) {
      const what = rawOperator === undefined ? "has no operator" : `has operator "${rawOperator}"`;
      this.report("IOC010", `Indicator "${id}" ${what}; expected "AND" or "OR"`, element);
    }
    const children: IndicatorNode[] = [];
    const ownParameters: IocParameter[] = [];
    for (const childElement of element.children) {
      if (childElement.local === "Indicator") children.push(this.indicator(childElement));
      else if (childElement.local === "IndicatorItem") {
        const item = this.item(childElement);
        if (item) children.push(item);
      } else if (childElement.local === "param") ownParameters.push(readParam(childElement));
      else this.report("IOC016", `Unexpected element "${childElement.local}" in Indicator "${id}", ignored`, childElement);
    }
    if (element.children.length === 0) {
      this.report("IOC032", `Indicator "${id}" is empty: an empty ${operator ?? "group"} never matches`, element);
    }
    this.inlineParameters.push(...ownParameters);
    return {
      kind: "indicator",
      id,
      // An unknown operator is an error above; AND keeps the tree usable for reporting only.
      operator: operator ?? "AND",
      children,
      parameters: [...(this.parametersByRef.get(id) ?? []), ...ownParameters],
      position: element.position,
    };
  }

  item(element: XmlElement): IndicatorItem | undefined {
    const { version } = this.context;
    const id = element.attributes.get("id") ?? "";
    const label = id ? `IndicatorItem "${id}"` : "IndicatorItem";
    if (!id) this.report("IOC015", "An IndicatorItem has no id", element);

    const contextElement = child(element, "Context");
    const search = contextElement?.attributes.get("search")?.trim() ?? "";
    if (!search) {
      this.report("IOC013", `${label} has no search term (Context/@search is missing or empty)`, contextElement ?? element);
      return undefined;
    }

    const rawCondition = element.attributes.get("condition");
    const reading = readCondition(rawCondition ?? "", version);
    if (!reading.ok) {
      // Semantics 5.1: an unknown spelling makes an unsupported item (UNKNOWN), not an unusable
      // IOC; dropping the file would also drop every other item of it (a whole hash list).
      const what = rawCondition === undefined ? "has no condition" : `has unknown condition "${rawCondition}"`;
      this.report("IOC011", `${label} ${what}: the item evaluates as unknown`, element);
    } else if (reading.otherVersion) {
      this.report("IOC014", `${label}: condition "${rawCondition ?? ""}" belongs to the other OpenIOC version than ${version} (read anyway)`, element);
    } else if (reading.alias !== undefined) {
      this.report("IOC012", `${label}: condition "${rawCondition ?? ""}" read as "${reading.alias}"`, element);
    }

    const negate = this.flag(element, "negate", label) ?? false;
    // OpenIOC 1.0 is case-insensitive throughout (openioc-semantics.md 7.4).
    const preserveCase = version === "1.1" ? (this.flag(element, "preserve-case", label) ?? false) : false;
    if (version === "1.0" && element.attributes.has("preserve-case")) {
      this.report("IOC014", `${label}: preserve-case is OpenIOC 1.1 only; 1.0 always ignores case`, element);
    }

    const term = search.replace(/^eventItem\//i, "");
    const slash = term.indexOf("/");
    const document = slash === -1 ? term : term.slice(0, slash);
    const contextDocument = contextElement?.attributes.get("document") ?? "";
    if (contextDocument && contextDocument !== document && contextDocument !== "eventItem") {
      this.report("IOC031", `${label}: Context/@document "${contextDocument}" disagrees with search "${search}"; the search term decides`, contextElement ?? element);
    }

    const content = child(element, "Content");
    const comment = child(element, "Comment");
    const inline = [
      ...childrenNamed(element, "param").map(readParam),
      ...(comment ? [{ refId: id, name: "comment", value: comment.text, position: comment.position }] : []),
    ];
    this.inlineParameters.push(...inline);
    const parameters = [...(this.parametersByRef.get(id) ?? []), ...inline];
    return {
      kind: "item",
      id,
      // An unknown spelling is kept as written, for classifyItem to leave the item UNKNOWN.
      condition: reading.ok ? reading.condition : ((rawCondition ?? "").trim() as Condition),
      sourceCondition: rawCondition ?? "",
      // 1.0 "isnot" plus a (non-standard) negate="true" is still one negation, never a double one.
      negate: (reading.ok && reading.negated) || negate,
      preserveCase,
      context: {
        document: contextDocument,
        search,
        type: contextElement?.attributes.get("type") ?? "",
      },
      term,
      document,
      contentType: content?.attributes.get("type") ?? "",
      value: content?.text ?? "",
      hasContent: content !== undefined,
      parameters,
      position: element.position,
      valuePosition: (content ?? element).position,
    };
  }

  private flag(element: XmlElement, name: string, label: string): boolean | undefined {
    const raw = element.attributes.get(name);
    if (raw === undefined) return undefined;
    const value = readBoolean(raw);
    if (value === undefined) this.report("IOC017", `${label}: ${name}="${raw}" is not a boolean; read as false`, element);
    return value;
  }

  private report(code: Parameters<typeof diagnostic>[0], message: string, element: XmlElement): void {
    this.context.diagnostics.push(diagnostic(code, message, element.position));
  }
}
