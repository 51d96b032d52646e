/**
 * The syntax tree of a STIX 2.1 pattern (grammar `pattern_grammar/STIXPattern.g4` of
 * oasis-open/cti-stix2-json-schemas). Every node keeps the offset where it starts in the pattern
 * text, so a warning can point at the part it is about.
 *
 * @module
 */

/** A literal on the right of a comparison. */
export type StixLiteral =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "int"; readonly value: number }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "timestamp"; readonly value: string }
  | { readonly kind: "hex"; readonly value: string }
  | { readonly kind: "binary"; readonly value: string };

/** One step of an object path after the object type: `.name`, `.'quoted-name'`, `[2]`, `[*]`. */
export type StixPathStep =
  | { readonly kind: "property"; readonly name: string }
  | { readonly kind: "index"; readonly index: number | "*" };

/** `file:hashes.'SHA-256'`: the object type and the property steps. */
export interface StixObjectPath {
  readonly objectType: string;
  readonly steps: readonly StixPathStep[];
}

/** Comparison operators; `NOT` is kept apart as {@link StixComparison.negated}. */
export type StixOperator = "=" | "!=" | ">" | "<" | ">=" | "<=" | "IN" | "LIKE" | "MATCHES" | "ISSUBSET" | "ISSUPERSET";

/** `path [NOT] op literal`, or `EXISTS path`. */
export type StixComparison =
  | {
      readonly kind: "comparison";
      readonly path: StixObjectPath;
      readonly negated: boolean;
      readonly operator: StixOperator;
      /** A list for `IN`, one literal otherwise. */
      readonly value: StixLiteral | readonly StixLiteral[];
      readonly offset: number;
    }
  | { readonly kind: "exists"; readonly path: StixObjectPath; readonly offset: number };

/** The inside of `[ ]`: comparisons joined by AND/OR (AND binds tighter). */
export type StixComparisonExpression =
  | StixComparison
  | { readonly kind: "and" | "or"; readonly operands: readonly StixComparisonExpression[]; readonly offset: number };

/** `WITHIN n SECONDS`, `REPEATS n TIMES`, `START t'…' STOP t'…'`. */
export type StixQualifier =
  | { readonly kind: "within"; readonly seconds: number; readonly offset: number }
  | { readonly kind: "repeats"; readonly times: number; readonly offset: number }
  | { readonly kind: "start-stop"; readonly start: string; readonly stop: string; readonly offset: number };

/** A whole pattern: observations `[ … ]` joined by AND/OR/FOLLOWEDBY, possibly qualified. */
export type StixPatternExpression =
  | { readonly kind: "observation"; readonly expression: StixComparisonExpression; readonly offset: number }
  | { readonly kind: "and" | "or" | "followedby"; readonly operands: readonly StixPatternExpression[]; readonly offset: number }
  | { readonly kind: "qualified"; readonly expression: StixPatternExpression; readonly qualifier: StixQualifier; readonly offset: number };

/** The canonical spelling of the STIX 2.1 hash keys (`schemas/common/hashes-type.json`). */
export const STIX_HASH_KEYS: readonly string[] = ["MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH"];

/** The canonical hash key for any spelling (`md5`, `sha256`, `SHA-256`); undefined for another key. */
export function canonicalHashKey(key: string): string | undefined {
  const folded = key.toUpperCase().replace(/-/g, "");
  return STIX_HASH_KEYS.find((k) => k.replace(/-/g, "") === folded);
}
