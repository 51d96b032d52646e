/**
 * Reading `IndicatorItem/@condition` and `Indicator/@operator` as real files spell them.
 *
 * @module
 */
import type { Condition, OpenIocVersion, Operator } from "./model.js";

/** A condition attribute read into the normalised form, with what the reader should say about it. */
export type ConditionReading =
  | {
      ok: true;
      condition: Condition;
      /** 1.0 `isnot`/`containsnot` and aliases such as `notcontains`. */
      negated: boolean;
      /** The standard spelling when the file used another one (alias or other case). */
      alias?: string;
      /** The spelling belongs to the other OpenIOC version. */
      otherVersion?: boolean;
    }
  | { ok: false };

const V10: Readonly<Record<string, [Condition, boolean]>> = {
  is: ["is", false],
  isnot: ["is", true],
  contains: ["contains", false],
  containsnot: ["contains", true],
};

const V11: Readonly<Record<string, Condition>> = {
  is: "is",
  contains: "contains",
  matches: "matches",
  "starts-with": "starts-with",
  "ends-with": "ends-with",
  "greater-than": "greater-than",
  "less-than": "less-than",
};

// Spellings seen in hand-written tools (openioc-semantics.md section 5.1); each maps with a warning.
const ALIASES: Readonly<Record<string, [Condition, boolean]>> = {
  equals: ["is", false],
  "is-not": ["is", true],
  notcontains: ["contains", true],
  "not-contains": ["contains", true],
  "contains-not": ["contains", true],
  startswith: ["starts-with", false],
  "begins-with": ["starts-with", false],
  beginswith: ["starts-with", false],
  endswith: ["ends-with", false],
  greaterthan: ["greater-than", false],
  lessthan: ["less-than", false],
  match: ["matches", false],
};

/** Reads a condition attribute; unknown spellings are `{ ok: false }`. */
export function readCondition(raw: string, version: OpenIocVersion): ConditionReading {
  const lower = raw.trim().toLowerCase();
  const caseAlias = lower !== raw ? { alias: lower } : {};
  const v10 = V10[lower];
  const v11 = V11[lower];
  if (version === "1.0" && v10) return { ok: true, condition: v10[0], negated: v10[1], ...caseAlias };
  if (version === "1.1" && v11) return { ok: true, condition: v11, negated: false, ...caseAlias };
  if (v10) return { ok: true, condition: v10[0], negated: v10[1], otherVersion: true, ...caseAlias };
  if (v11) return { ok: true, condition: v11, negated: false, otherVersion: true, ...caseAlias };
  const alias = ALIASES[lower];
  if (alias) {
    const [condition, negated] = alias;
    const standard = version === "1.0" && negated ? `${condition}not` : condition;
    return { ok: true, condition, negated, alias: standard };
  }
  return { ok: false };
}

/** Reads an operator attribute (`AND`/`OR`, any case). */
export function readOperator(raw: string): Operator | undefined {
  const upper = raw.trim().toUpperCase();
  return upper === "AND" || upper === "OR" ? upper : undefined;
}

/** Reads an xs:boolean attribute; undefined when it is not one. */
export function readBoolean(raw: string): boolean | undefined {
  const value = raw.trim().toLowerCase();
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  return undefined;
}
