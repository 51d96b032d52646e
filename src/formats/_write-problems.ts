/**
 * Why a document cannot be written: the problem list shared by the 1.0 and 1.1 writers.
 *
 * @module
 */

/** What kind of information the output format cannot hold. */
export type WriteProblemCode =
  /** A value holds a character XML 1.0 forbids (control characters, lone surrogates, U+FFFE/U+FFFF). */
  | "forbidden-character"
  /** `matches`, `starts-with`, `ends-with`, `greater-than`, `less-than`: OpenIOC 1.1 only. */
  | "condition-not-in-1.0"
  /** `preserve-case="true"`: OpenIOC 1.0 has no case-sensitive matching. */
  | "preserve-case-not-in-1.0"
  /** A parameter other than one `comment` per IndicatorItem: OpenIOC 1.0 has only `Comment`. */
  | "parameter-not-in-1.0"
  /** A real `published-date` (not the `0001-01-01T00:00:00` placeholder): OpenIOC 1.1 only. */
  | "published-date-not-in-1.0"
  /** The model holds a value no OpenIOC version allows (an unknown condition or operator). */
  | "invalid-model";

/** One reason the writer refused a document. */
export interface WriteProblem {
  readonly code: WriteProblemCode;
  /** Sentence case, values in quotes, naming the failed action. */
  readonly message: string;
  /** The id of the Indicator or IndicatorItem concerned, when the problem is about one. */
  readonly nodeId?: string;
  /**
   * Where in the tree, XPath-like with 1-based positions among same-named siblings
   * (`Indicator/Indicator[2]/IndicatorItem[1]`), or the metadata field (`published-date`).
   * Ids are not unique in real files, so this is the reliable pointer.
   */
  readonly path: string;
}
