/**
 * Which conditions apply to which value types, and how they compare (openioc-semantics 5.3).
 *
 * The official 1.1 table, widened the way real files need:
 * - string conditions (contains, matches, starts-with, ends-with) on ip, hash and bool terms run on
 *   the canonical text (`contains "174.142.57"` on an IP is in 13 real items);
 * - greater-than / less-than on a string term compare numerically when both sides are numbers,
 *   and otherwise never match (3 real items);
 * - everything else the table says "no" to is not applicable.
 *
 * @module
 */
import type { Condition } from "../ioc/model.js";
import { parseValue } from "./values.js";
import type { ValueType } from "./types.js";

/**
 * How a condition compares values of a type.
 * - `typed`: parse both sides with `parseValue` and compare the values (equality, order, ranges).
 * - `text`: a string operation on the text (as written for strings, canonical for ip/hash/bool).
 * - `numeric-text`: compare as numbers when both sides parse as numbers, else no match.
 * - `not-applicable`: the condition makes no sense for the type (diagnostic IOC024).
 */
export type ComparisonMode = "typed" | "text" | "numeric-text" | "not-applicable";

const ORDERED: ReadonlySet<ValueType> = new Set(["int", "uint64", "float", "date", "duration"]);
const CANONICAL_TEXT: ReadonlySet<ValueType> = new Set(["ip", "md5", "sha1", "sha256", "bool"]);

/** The comparison a condition performs on a term of `type`. */
export function comparisonMode(condition: Condition, type: ValueType): ComparisonMode {
  switch (condition) {
    case "is":
      return type === "string" ? "text" : "typed";
    case "contains":
    case "matches":
    case "starts-with":
    case "ends-with":
      return type === "string" || CANONICAL_TEXT.has(type) ? "text" : "not-applicable";
    case "greater-than":
    case "less-than":
      if (ORDERED.has(type)) return "typed";
      return type === "string" ? "numeric-text" : "not-applicable";
  }
}

/**
 * True when `condition` can be evaluated on a term of `type`.
 *
 * Give the item's `value` to settle the one conditional case: greater-than/less-than on a string
 * term applies only when the value is a number. Without a value that case answers true, and the
 * evaluator decides per record.
 */
export function conditionApplies(condition: Condition, type: ValueType, value?: string): boolean {
  const mode = comparisonMode(condition, type);
  if (mode === "not-applicable") return false;
  if (mode === "numeric-text" && value !== undefined) return isNumericText(value);
  return true;
}

/** True when `text` reads as a decimal number (the "numeric-looking" strings of semantics 5.3). */
export function isNumericText(text: string): boolean {
  return parseValue("float", text, { ranges: false }).ok;
}
