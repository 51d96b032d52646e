/**
 * A parsed STIX pattern -> an OpenIOC indicator tree, saying what could not be carried over.
 *
 * Soundness rule: a part that cannot be expressed is dropped from an OR (the IOC then matches a
 * subset of what the pattern matches) but makes a whole AND unconvertible (dropping one side of
 * an AND would match more than the pattern). Observation operators and qualifiers that host
 * state cannot express (FOLLOWEDBY, WITHIN, REPEATS, START/STOP) are relaxed with a warning:
 * FOLLOWEDBY becomes AND, a qualifier is left out.
 *
 * @module
 */
import { forEachItem, type Condition, type IndicatorNode } from "../../core/ioc/model.js";
import { lookupTerm } from "../../core/vocabulary/index.js";
import type { IocBuilder, ItemSpec } from "../_ioc-build.js";
import { canonicalPathText, termOfStixPath } from "./object-paths.js";
import type { StixComparison, StixComparisonExpression, StixLiteral, StixPatternExpression } from "./pattern-ast.js";

/** Where a converter reports what it could not carry over; `offset` is in the pattern text. */
export type PartWarning = (code: string, message: string, offset: number) => void;

/** Converts `expression`; undefined when nothing of it can be expressed soundly. */
export function patternToTree(expression: StixPatternExpression, builder: IocBuilder, warn: PartWarning): IndicatorNode | undefined {
  switch (expression.kind) {
    case "observation":
      return comparisonsToTree(expression.expression, builder, warn);
    case "qualified": {
      const q = expression.qualifier;
      const text = q.kind === "within" ? `WITHIN ${q.seconds} SECONDS` : q.kind === "repeats" ? `REPEATS ${q.times} TIMES` : `START t'${q.start}' STOP t'${q.stop}'`;
      warn("qualifier-ignored", `qualifier "${text}" has no OpenIOC equivalent: the observation is converted without it`, q.offset);
      return patternToTree(expression.expression, builder, warn);
    }
    case "followedby":
      warn("followedby-as-and", "FOLLOWEDBY has no OpenIOC equivalent: converted as AND (order not checked)", expression.offset);
      return observationsAnd(expression.operands.map((o) => patternToTree(o, builder, warn)), builder, warn, expression.offset);
    case "and":
      return observationsAnd(expression.operands.map((o) => patternToTree(o, builder, warn)), builder, warn, expression.offset);
    case "or":
      return joined("OR", expression.operands.map((o) => patternToTree(o, builder, warn)), builder, warn, expression.offset);
  }
}

/**
 * AND of observations. STIX lets each observation be a different object; OpenIOC binds every
 * item of one document under an AND to the same record. The result is stricter, never looser,
 * but it is a change of meaning, so it is reported.
 */
function observationsAnd(parts: readonly (IndicatorNode | undefined)[], builder: IocBuilder, warn: PartWarning, offset: number): IndicatorNode | undefined {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const part of parts) {
    const documents = new Set<string>();
    if (part !== undefined) forEachItem(part, (item) => documents.add(item.document));
    for (const document of documents) (seen.has(document) ? shared : seen).add(document);
  }
  if (shared.size > 0) {
    warn("and-binds-one-object", `observations joined by AND are about the same kind of object (${[...shared].join(", ")}): OpenIOC requires one object to match them all`, offset);
  }
  return joined("AND", parts, builder, warn, offset);
}

function joined(operator: "AND" | "OR", parts: readonly (IndicatorNode | undefined)[], builder: IocBuilder, warn: PartWarning, offset: number): IndicatorNode | undefined {
  const kept = parts.filter((p): p is IndicatorNode => p !== undefined);
  if (operator === "AND" && kept.length < parts.length) {
    warn("and-dropped", "an AND with a part that cannot be converted is dropped whole (keeping the rest would match more than the pattern)", offset);
    return undefined;
  }
  return kept.length === 0 ? undefined : builder.group(operator, kept);
}

function comparisonsToTree(expression: StixComparisonExpression, builder: IocBuilder, warn: PartWarning): IndicatorNode | undefined {
  if (expression.kind === "exists") {
    warn("unsupported-comparison", `"EXISTS ${canonicalPathText(expression.path)}" has no OpenIOC equivalent`, expression.offset);
    return undefined;
  }
  if (expression.kind === "comparison") {
    const specs = comparisonToSpecs(expression, warn);
    return specs === undefined ? undefined : builder.group(specs.operator, specs.items.map((spec) => builder.item(spec)));
  }
  const parts = expression.operands.map((o) => comparisonsToTree(o, builder, warn));
  return joined(expression.kind === "and" ? "AND" : "OR", parts, builder, warn, expression.offset);
}

/** One comparison -> one item, or several for `IN` (OR of `is`; AND of negated `is` under NOT). */
function comparisonToSpecs(comparison: Extract<StixComparison, { kind: "comparison" }>, warn: PartWarning): { operator: "AND" | "OR"; items: ItemSpec[] } | undefined {
  const pathText = canonicalPathText(comparison.path);
  const term = termOfStixPath(comparison.path);
  const unsupported = (why: string): undefined => {
    warn("unsupported-comparison", `"${pathText} ${comparison.negated ? "NOT " : ""}${comparison.operator} …": ${why}`, comparison.offset);
    return undefined;
  };
  if (term === undefined) return unsupported(`no OpenIOC term for "${pathText}"`);
  const type = lookupTerm(term)?.type ?? "string";
  const numeric = type === "int" || type === "uint64";
  const negate = comparison.negated;
  const value = comparison.value;
  if (Array.isArray(value)) {
    const texts = value.map((v: StixLiteral) => literalText(v));
    if (texts.some((t) => t === undefined) || texts.length === 0) return unsupported("IN needs a non-empty list of plain values");
    return { operator: negate ? "AND" : "OR", items: texts.map((t) => ({ term, condition: "is", value: t ?? "", negate })) };
  }
  const literal = value as StixLiteral;
  const text = literalText(literal);
  if (text === undefined) return unsupported(`a ${literal.kind} literal has no OpenIOC form`);
  const one = (condition: Condition, v: string, negated = negate): { operator: "OR"; items: ItemSpec[] } => ({ operator: "OR", items: [{ term, condition, value: v, negate: negated }] });
  switch (comparison.operator) {
    case "=":
      return one("is", text);
    case "!=":
      return one("is", text, !negate);
    case ">":
    case "<":
      if (!numeric && literal.kind !== "timestamp") return unsupported("OpenIOC orders only numbers and dates");
      return one(comparison.operator === ">" ? "greater-than" : "less-than", text);
    case ">=":
    case "<=":
      if (!numeric || literal.kind !== "int") return unsupported("OpenIOC has no >= or <= except on integers");
      return comparison.operator === ">=" ? one("greater-than", String(literal.value - 1)) : one("less-than", String(literal.value + 1));
    case "LIKE": {
      const like = likeToCondition(text);
      return one(like.condition, like.value);
    }
    case "MATCHES":
      return one("matches", text);
    case "ISSUBSET":
      if (type !== "ip") return unsupported("ISSUBSET is converted only for IP addresses (a CIDR range)");
      return one("is", text);
    default:
      return unsupported(`${comparison.operator} has no OpenIOC equivalent`);
  }
}

function literalText(literal: StixLiteral): string | undefined {
  switch (literal.kind) {
    case "string":
    case "timestamp":
      return literal.value;
    case "int":
    case "float":
    case "bool":
      return String(literal.value);
    default:
      return undefined;
  }
}

const LIKE_WILDCARD = /[%_]/;

/** `'%v%'` -> contains, `'v%'` -> starts-with, `'%v'` -> ends-with, none -> is, else a regex. */
export function likeToCondition(pattern: string): { condition: Condition; value: string } {
  const starts = pattern.startsWith("%");
  const ends = pattern.endsWith("%") && pattern.length > 1;
  const inner = pattern.slice(starts ? 1 : 0, ends ? -1 : undefined);
  if (!LIKE_WILDCARD.test(inner)) {
    if (starts && ends) return { condition: "contains", value: inner };
    if (starts) return { condition: "ends-with", value: inner };
    if (ends) return { condition: "starts-with", value: inner };
    return { condition: "is", value: inner };
  }
  const regex = [...pattern].map((ch) => (ch === "%" ? ".*" : ch === "_" ? "." : ch.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&"))).join("");
  return { condition: "matches", value: `^${regex}$` };
}
