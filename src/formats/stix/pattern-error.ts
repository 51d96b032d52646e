/**
 * The error of the STIX pattern parser: what is wrong and at which offset of the pattern.
 *
 * @module
 */

/**
 * A pattern that does not follow the STIX 2.1 grammar.
 *
 * @example
 * try {
 *   parseStixPattern("[file:name = 'x'");
 * } catch (error) {
 *   if (error instanceof StixPatternError) console.error(error.offset); // 16
 * }
 */
export class StixPatternError extends SyntaxError {
  override readonly name = "StixPatternError";

  constructor(
    /** The cause without the position, e.g. `expected "]", found the end of the pattern`. */
    readonly reason: string,
    /** 0-based offset in the pattern text. */
    readonly offset: number,
  ) {
    super(`Cannot parse STIX pattern at offset ${offset}: ${reason}`);
  }
}
