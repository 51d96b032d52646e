/**
 * The regular-expression engine is injected, not imported: `matches` patterns come from threat
 * feeds (adversary-adjacent input) and must run on a linear-time engine, which in Node means a
 * native package (RE2). Core stays free of native code; `src/scan/regex/re2-engine.ts` implements
 * this interface and the scan runner passes it in.
 *
 * @module
 */

/** A compiled pattern: `test` is an unanchored search, like XPath `fn:matches`. */
export interface CompiledRegex {
  test(text: string): boolean;
}

/** Why a pattern cannot be run (backreference, lookaround, XSD-only syntax, ...). */
export interface RegexCompileError {
  readonly error: string;
}

/** Options of one pattern. `.` never matches a newline (no dotAll flag), as in XPath without `s`. */
export interface RegexOptions {
  readonly ignoreCase: boolean;
}

/**
 * A regular-expression engine that never stalls on any pattern or input.
 *
 * @example
 * ```ts
 * const compiled = engine.compile("evil\\d+\\.exe", { ignoreCase: true });
 * if (!("error" in compiled)) compiled.test("C:\\EVIL42.exe"); // true
 * ```
 */
export interface RegexEngine {
  compile(pattern: string, options: RegexOptions): CompiledRegex | RegexCompileError;
}

/**
 * True when `compile` refused the pattern.
 *
 * @example
 * ```ts
 * const r = engine.compile("(a)\\1", { ignoreCase: true });
 * if (isRegexError(r)) console.warn(r.error); // RE2: backreferences are not supported
 * ```
 */
export function isRegexError(result: CompiledRegex | RegexCompileError): result is RegexCompileError {
  return "error" in result;
}
