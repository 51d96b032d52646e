/**
 * The production {@link RegexEngine}: Google RE2 through the `re2` package. RE2 runs in time
 * linear in the input whatever the pattern, so a hostile `matches` item such as `(a+)+$` cannot
 * stall a scan; patterns RE2 cannot express (backreferences, lookarounds) are refused and the
 * item evaluates as UNKNOWN instead.
 *
 * @module
 */
import { createRequire } from "node:module";
import type { CompiledRegex, RegexCompileError, RegexEngine, RegexOptions } from "../../core/compile/regex-engine.js";

/** The part of the `re2` API used here. */
type Re2Constructor = new (pattern: string, flags: string) => { test(text: string): boolean };

// `re2` is CommonJS with `export =`; without esModuleInterop a default import does not type-check.
// Loaded on the first pattern, not with this module: its native part is a 19 MB library, and most
// scans (hash lists) compile no regex at all.
const require = createRequire(import.meta.url);
let RE2: Re2Constructor | undefined;
const re2 = (): Re2Constructor => (RE2 ??= require("re2") as Re2Constructor);

/** Longest pattern accepted; the longest real one is a few hundred characters. */
export const MAX_PATTERN_LENGTH = 16 * 1024;

/**
 * Creates the RE2-backed engine. Flags: `i` unless the item preserves case; never `s` (XPath
 * `.` stops at a newline) and never `g` (a global regex keeps state between `test` calls).
 *
 * @example
 * ```ts
 * const engine = createRe2Engine();
 * const plan = compilePlan(iocs, { regexEngine: engine });
 * ```
 */
export function createRe2Engine(): RegexEngine {
  return {
    compile(pattern: string, options: RegexOptions): CompiledRegex | RegexCompileError {
      if (pattern.length > MAX_PATTERN_LENGTH) {
        return { error: `the pattern is ${pattern.length} characters long, more than ${MAX_PATTERN_LENGTH}` };
      }
      // Outside the try: an engine that cannot load is a broken install, not a pattern's fault.
      const Engine = re2();
      try {
        const re = new Engine(pattern, options.ignoreCase ? "iu" : "u");
        return { test: (text: string) => re.test(text) };
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        return { error: `RE2 cannot run this pattern: ${message}` };
      }
    },
  };
}
