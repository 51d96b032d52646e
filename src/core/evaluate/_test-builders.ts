/**
 * Small builders for tests: IOC documents written as code instead of XML, and a one-call
 * evaluation. Not part of the public API.
 *
 * @module
 */
import { compilePlan } from "../compile/compile.js";
import type { CompileOptions, EvaluationPlan } from "../compile/plan-types.js";
import type { Condition, Indicator, IndicatorItem, IndicatorNode, IocDocument, OpenIocVersion } from "../ioc/model.js";
import { createEvaluation } from "./evaluation.js";
import type { Detection, HostRecord, IocVerdict } from "./types.js";

const AT = { line: 1, column: 1 };
let nextId = 0;

/** Options of one built item. */
export interface ItemSpec {
  readonly id?: string;
  readonly negate?: boolean;
  readonly preserveCase?: boolean;
  readonly contentType?: string;
  readonly hasContent?: boolean;
}

/** An IndicatorItem on `term` (`FileItem/FileName`); the id defaults to a fresh `i<n>`. */
export function item(term: string, condition: Condition, value: string, spec: ItemSpec = {}): IndicatorItem {
  const document = term.split("/")[0] ?? term;
  return {
    kind: "item",
    id: spec.id ?? `i${++nextId}`,
    condition,
    sourceCondition: condition,
    negate: spec.negate ?? false,
    preserveCase: spec.preserveCase ?? false,
    context: { document, search: term, type: "mir" },
    term,
    document,
    contentType: spec.contentType ?? "string",
    value,
    hasContent: spec.hasContent ?? true,
    parameters: [],
    position: AT,
    valuePosition: AT,
  };
}

/** A negated item (1.0 `isnot`/`containsnot`, 1.1 `negate="true"`). */
export function not(node: IndicatorItem): IndicatorItem {
  return { ...node, negate: !node.negate };
}

function indicator(operator: "AND" | "OR", children: IndicatorNode[]): Indicator {
  return { kind: "indicator", id: `g${++nextId}`, operator, children, parameters: [], position: AT };
}

export const and = (...children: IndicatorNode[]): Indicator => indicator("AND", children);
export const or = (...children: IndicatorNode[]): Indicator => indicator("OR", children);

/** An IOC document around `criteria`. */
export function ioc(criteria: Indicator, spec: { id?: string; title?: string; version?: OpenIocVersion } = {}): IocDocument {
  return {
    version: spec.version ?? "1.1",
    id: spec.id ?? `ioc${++nextId}`,
    title: spec.title ?? "test IOC",
    links: [],
    criteria,
    parameters: [],
    position: AT,
  };
}

/** Compiles IOC documents (file names `test<n>.ioc`). */
export function plan(documents: IocDocument | readonly IocDocument[], options: CompileOptions = {}): EvaluationPlan {
  const list: readonly IocDocument[] = "criteria" in documents || "version" in documents ? [documents] : documents;
  return compilePlan(
    list.map((document, i) => ({ file: `test${i}.ioc`, document })),
    options,
  );
}

/** A record of `document`. */
export function record(document: string, id: string, fields: HostRecord["fields"]): HostRecord {
  return { document, id, fields };
}

/** Evaluates records against a plan; documents default to those of the records plus FileItem. */
export function run(
  compiled: EvaluationPlan,
  records: readonly HostRecord[],
  availableDocuments: readonly string[] = ["FileItem", ...records.map((r) => r.document)],
): { detections: Detection[]; verdicts: IocVerdict[]; verdict: string } {
  const evaluation = createEvaluation(compiled, { availableDocuments });
  for (const r of records) evaluation.addRecord(r);
  const detections = evaluation.finish();
  const verdicts = evaluation.verdicts();
  return { detections, verdicts, verdict: verdicts[0]?.verdict ?? "none" };
}
