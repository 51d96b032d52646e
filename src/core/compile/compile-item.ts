/**
 * One IndicatorItem → one {@link PlanItem} plus its compiled comparison. Term resolution, event
 * and network mapping, collection and condition applicability come from `classifyItem` (shared
 * with `iocscan ioc check`, so a check and a scan never disagree about which items count); this
 * module adds what evaluation needs on top: the record field, the view, case folding and the
 * parsed operand.
 *
 * @module
 */
import { classifyItem } from "../ioc/item-support.js";
import type { IndicatorItem, OpenIocVersion } from "../ioc/model.js";
import { isEventDocument, type ValueType } from "../vocabulary/index.js";
import { buildOperand, unknown, type Operand, type OperandFailure } from "./operand.js";
import type { ChannelView, CompileOptions, ItemStatus, PlanItem, UnknownReason } from "./plan-types.js";

/** A compiled item and, when it is evaluable, its comparison. */
export interface CompiledItem {
  readonly item: PlanItem;
  readonly operand?: Operand;
}

/** `Content/@type` spellings → value types; used only when the vocabulary does not know the term. */
const CONTENT_TYPES: Readonly<Record<string, ValueType>> = {
  string: "string",
  md5: "md5",
  sha1: "sha1",
  sha256: "sha256",
  int: "int",
  uint64: "uint64",
  float: "float",
  double: "float",
  date: "date",
  datetime: "date",
  ip: "ip",
  bool: "bool",
  boolean: "bool",
  duration: "duration",
};

function contentType(item: IndicatorItem): ValueType {
  return CONTENT_TYPES[item.contentType.trim().toLowerCase()] ?? "string";
}

function documentOf(term: string): string {
  const slash = term.indexOf("/");
  return slash < 0 ? term : term.slice(0, slash);
}

const REASON_OF_CODE: Readonly<Record<string, UnknownReason>> = {
  IOC020: "unknown-term",
  IOC021: "not-collected",
  IOC022: "informational",
  IOC024: "not-applicable",
};

/**
 * Case folding (semantics 7.4): 1.0 is always case-insensitive; 1.1 preserves case only when
 * `preserve-case="true"`, and only for strings (the operand forces hashes/IPs/bools insensitive).
 */
function ignoresCase(item: IndicatorItem, version: OpenIocVersion): boolean {
  return version === "1.0" || !item.preserveCase;
}

function isFailure(x: Operand | OperandFailure): x is OperandFailure {
  return x.kind === "unknown" || x.kind === "never";
}

/** Compiles one item. `ref` and `ioc` are its indexes in the plan. */
export function compileItem(item: IndicatorItem, ref: number, ioc: number, version: OpenIocVersion, options: CompileOptions): CompiledItem {
  const support = classifyItem(item, options);
  const base = { ref, ioc, source: item, negate: item.negate, ignoreCase: ignoresCase(item, version) };

  if (!support.supported) {
    const reason = support.source && isEventDocument(support.source.document) ? "event-term" : (REASON_OF_CODE[support.code] ?? "unknown-term");
    const term = support.source?.term ?? item.term;
    const document = support.source?.document ?? documentOf(term);
    const status: ItemStatus = { ...unknown(reason, support.reason), code: support.code };
    return {
      item: {
        ...base,
        term,
        document,
        field: term.slice(document.length + 1),
        view: "value",
        type: support.source?.type ?? contentType(item),
        listValued: support.source?.listValued ?? false,
        status,
      },
    };
  }

  const target = support.target;
  const mapping = support.mapping;
  let view: ChannelView = mapping !== undefined && "view" in mapping ? mapping.view : "value";
  if (view === "value" && /\/FileExtension$/i.test(target.term)) view = "no-dot";
  const operand = buildOperand(
    { condition: item.condition, value: item.value, type: target.type, view, ignoreCase: base.ignoreCase, hasContent: item.hasContent },
    options.regexEngine,
  );
  const planItem: PlanItem = {
    ...base,
    term: target.term,
    document: target.document,
    field: target.term.slice(target.document.length + 1),
    view,
    type: target.type,
    listValued: target.listValued,
    ...(mapping !== undefined ? { mappedFrom: support.source.term } : {}),
    status: isFailure(operand) ? operand : { kind: "supported" },
  };
  return isFailure(operand) ? { item: planItem } : { item: planItem, operand };
}
