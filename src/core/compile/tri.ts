/**
 * Three-valued (Kleene) logic, coded as small integers so that AND is `min`, OR is `max` and NOT
 * is `2 - v` (openioc-semantics 7.7). UNKNOWN stands for "iocscan cannot tell": an unsupported
 * term, a document not collected. Negation never turns it into TRUE.
 *
 * @module
 */

/** FALSE = 0, UNKNOWN = 1, TRUE = 2. */
export type Tri = 0 | 1 | 2;

export const FALSE: Tri = 0;
export const UNKNOWN: Tri = 1;
export const TRUE: Tri = 2;

/** Logical NOT: TRUE ↔ FALSE, UNKNOWN stays UNKNOWN. */
export function not(value: Tri): Tri {
  return (2 - value) as Tri;
}

/** The public spelling of a truth value. */
export type Verdict = "true" | "false" | "unknown";

export function verdictOf(value: Tri): Verdict {
  return value === TRUE ? "true" : value === FALSE ? "false" : "unknown";
}
