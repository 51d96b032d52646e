/**
 * An item's value turned into the form its index needs: a hash key, a needle, a compiled
 * regex or an ordered bound. Everything that can be decided about the IOC value is decided
 * here, once, so that matching a record never re-parses the IOC.
 *
 * @module
 */
import type { Condition } from "../ioc/model.js";
import { xsdOnlySyntax } from "../ioc/regex-dialect.js";
import { canonicalText, comparisonMode, dateSpan, normalizeExtension, parseValue, type ValueType } from "../vocabulary/index.js";
import type { Bound } from "./order-index.js";
import type { ChannelView, NeverStatus, UnknownReason, UnknownStatus } from "./plan-types.js";
import { isRegexError, type CompiledRegex, type RegexEngine } from "./regex-engine.js";
import { equalityKey, orderKey, unparsedIpKey } from "./typed-keys.js";

/** Where a needle must occur. */
export type SearchPosition = "contains" | "starts-with" | "ends-with";

/** The compiled comparison of one item (its negation is applied by the tree, not here). */
export type Operand =
  /** String `is`: exact (or case-folded) text. */
  | { readonly kind: "text-eq"; readonly key: string; readonly ignoreCase: boolean }
  /** `is` on a typed term: canonical key (see typed-keys.ts). */
  | { readonly kind: "typed-eq"; readonly key: string }
  | { readonly kind: "search"; readonly needle: string; readonly position: SearchPosition; readonly ignoreCase: boolean }
  | { readonly kind: "regex"; readonly regex: CompiledRegex; readonly pattern: string; readonly ignoreCase: boolean }
  /** Ordered comparison; `numeric-text` is greater-than/less-than on a string term read as numbers. */
  | { readonly kind: "order"; readonly domain: string; readonly bound: Bound };

/** What {@link buildOperand} needs to know about the item. */
export interface OperandInput {
  readonly condition: Condition;
  /** Content text exactly as written. */
  readonly value: string;
  readonly type: ValueType;
  readonly view: ChannelView;
  readonly ignoreCase: boolean;
  /** False when the item has no `Content` element at all. */
  readonly hasContent: boolean;
}

/** The domain of greater-than/less-than on string terms (semantics 5.3: numbers only). */
export const NUMERIC_TEXT_DOMAIN = "numeric-text";

/** Why an operand could not be built. */
export type OperandFailure = UnknownStatus | NeverStatus;
type Failure = OperandFailure;

const CODE_OF: Readonly<Record<UnknownReason, UnknownStatus["code"]>> = {
  "unknown-term": "IOC020",
  "unknown-condition": "IOC011",
  "event-term": "IOC021",
  "not-collected": "IOC021",
  informational: "IOC022",
  "not-applicable": "IOC024",
  "bad-value": "IOC030",
  "unrunnable-regex": "IOC034",
  "no-regex-engine": "IOC034",
};

/** An UNKNOWN status with the diagnostic code `iocscan ioc check` uses for the same reason. */
export function unknown(reason: UnknownReason, message: string): UnknownStatus {
  return { kind: "unknown", reason, code: CODE_OF[reason], message };
}

const EMPTY: NeverStatus = {
  kind: "never",
  reason: "empty-content",
  code: "IOC023",
  message: "Empty content: the item never matches (only `is \"\"` on a string term tests for an empty value)",
};

/**
 * Compiles an item's comparison, or says why it cannot be evaluated.
 *
 * @example
 * ```ts
 * buildOperand({ condition: "is", value: "2AA6 ", type: "md5", view: "value", ignoreCase: true });
 * // { kind: "typed-eq", key: "2aa6…" }   (for a 32-digit value)
 * ```
 */
export function buildOperand(input: OperandInput, engine: RegexEngine | undefined): Operand | Failure {
  const { condition, type } = input;
  const mode = comparisonMode(condition, type);
  if (mode === "not-applicable") return unknown("not-applicable", `"${condition}" does not apply to ${type} values`);
  const value = input.view === "no-dot" || input.view === "extension" ? normalizeExtension(input.value) : input.value;
  const textual = type === "string";
  // Same rule as the checker: blank content never matches, except `is ""` on a string term with
  // a Content element, which deliberately tests for an empty field (semantics 6.2).
  if (value.trim() === "" && !(textual && condition === "is" && input.hasContent)) return EMPTY;
  // Hashes, IPs and booleans compare case-insensitively whatever preserve-case says (semantics 7.4).
  const ignoreCase = textual ? input.ignoreCase : true;

  if (mode === "text") {
    // String conditions on ip/hash/bool run on the canonical text when the value parses
    // (`contains "174.142.57"` is a partial address and stays as written).
    let text = value;
    if (!textual) {
      const parsed = parseValue(type, value, { ranges: false });
      text = parsed.ok ? canonicalText(parsed.value) : value.trim();
    }
    switch (condition) {
      case "is":
        return { kind: "text-eq", key: ignoreCase ? text.toLowerCase() : text, ignoreCase };
      case "matches": {
        if (engine === undefined) return unknown("no-regex-engine", "No regular-expression engine was given: `matches` cannot run");
        const dialect = xsdOnlySyntax(text);
        if (dialect !== undefined) return unknown("unrunnable-regex", dialect);
        const regex = engine.compile(text, { ignoreCase });
        if (isRegexError(regex)) return unknown("unrunnable-regex", regex.error);
        return { kind: "regex", regex, pattern: text, ignoreCase };
      }
      default:
        return { kind: "search", needle: ignoreCase ? text.toLowerCase() : text, position: condition as SearchPosition, ignoreCase };
    }
  }

  if (mode === "numeric-text") {
    const parsed = parseValue("float", value, { ranges: false });
    if (!parsed.ok || parsed.value.kind !== "float") {
      return unknown("not-applicable", `"${condition}" on a string term needs a number, got "${value}"`);
    }
    const key = parsed.value.value;
    return { kind: "order", domain: NUMERIC_TEXT_DOMAIN, bound: condition === "greater-than" ? { op: "gt", key } : { op: "lt", key } };
  }

  // Typed: `is` on a non-string term, or greater-than/less-than on an ordered one.
  const parsed = parseValue(type, value, { ranges: condition === "is" });
  if (!parsed.ok) {
    // An IP that does not parse is compared as a string (semantics 7.5).
    if (type === "ip" && condition === "is") return { kind: "typed-eq", key: unparsedIpKey(value) };
    return unknown("bad-value", `The value does not parse as ${type}: ${parsed.reason}`);
  }
  const v = parsed.value;
  // An IOC date names the whole span it is written to (ambiguity of semantics 7.5, which says
  // "instant equality"): `is 2011-08-05T07:10:09Z` is that second, `is 2011-08-05` that UTC day.
  // Records carry milliseconds (a Linux mtime does), so an instant reading would make a real
  // IOC's whole-second time miss every file written at a fraction of a second, and a date
  // alone miss everything but midnight. A range ends at the end of its end's span;
  // greater-than means after the span, less-than before it (as a day reads in a sentence).
  const last = type === "date" && (v.kind === "date" || v.kind === "range") ? dateSpan(value) - 1 : 0;
  if (v.kind === "range") {
    const low = orderKey(v.low);
    const high = orderKey(v.high);
    const end = last === 0 ? high.key : (high.key as number) + last;
    return { kind: "order", domain: low.domain, bound: { op: "range", low: low.key, high: end } };
  }
  if (v.kind === "date" && last > 0) {
    const { domain, key } = orderKey(v);
    const start = key as number;
    if (condition === "is") return { kind: "order", domain, bound: { op: "range", low: start, high: start + last } };
    return { kind: "order", domain, bound: condition === "greater-than" ? { op: "gt", key: start + last } : { op: "lt", key: start } };
  }
  if (condition === "is") {
    const key = equalityKey(v);
    return key === undefined ? unknown("bad-value", `Unsupported value "${value}"`) : { kind: "typed-eq", key };
  }
  if (v.kind === "string" || v.kind === "hash" || v.kind === "bool") return unknown("not-applicable", `"${condition}" does not apply to ${type} values`);
  const { domain, key } = orderKey(v);
  return { kind: "order", domain, bound: condition === "greater-than" ? { op: "gt", key } : { op: "lt", key } };
}
