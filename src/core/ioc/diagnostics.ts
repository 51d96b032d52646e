/**
 * Coded, located diagnostics for IOC files. Codes are `IOC` + 3 digits and are never reused:
 * a retired code stays retired, so scripts that filter on a code keep working.
 *
 * @module
 */

/** How bad a diagnostic is. An `error` makes the file unusable; the others only inform. */
export type Severity = "error" | "warning" | "info";

/** One problem found in an IOC file, with where it is. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** 1-based; 0 when the problem concerns the whole file (too large, unreadable). */
  readonly line: number;
  readonly column: number;
}

/** Every diagnostic code with its fixed severity and what it means. */
export const DIAGNOSTIC_CODES = {
  IOC001: { severity: "error", summary: "The file is not well-formed XML" },
  IOC002: { severity: "error", summary: "The file is XML but not an OpenIOC document" },
  IOC003: { severity: "error", summary: "A DTD or entity declaration is present (refused: XXE, entity expansion)" },
  IOC004: { severity: "error", summary: "The file is larger than the size limit" },
  IOC005: { severity: "error", summary: "Elements are nested deeper than the depth limit" },
  IOC006: { severity: "error", summary: "The file is binary or not valid text" },
  IOC007: { severity: "error", summary: "The IOC has no indicator logic (no definition or criteria)" },
  IOC008: { severity: "error", summary: "The file cannot be read (missing, permission denied, not a regular file)" },
  IOC010: { severity: "error", summary: "Unknown Indicator operator" },
  IOC011: { severity: "warning", summary: "Unknown IndicatorItem condition: the item evaluates as unknown" },
  IOC012: { severity: "warning", summary: "Non-standard condition spelling mapped to a standard one" },
  IOC013: { severity: "error", summary: "IndicatorItem without a search term" },
  IOC014: { severity: "warning", summary: "A 1.1-only construct in a 1.0 file, or the reverse" },
  IOC015: { severity: "info", summary: "An IndicatorItem or Indicator has no id" },
  IOC016: { severity: "info", summary: "Unexpected element or attribute, ignored" },
  IOC017: { severity: "warning", summary: "Invalid boolean attribute value" },
  IOC020: { severity: "warning", summary: "Unknown indicator term" },
  IOC021: { severity: "warning", summary: "Term not collectable on this platform (evaluates as unknown)" },
  IOC022: { severity: "warning", summary: "Informational term (network traffic, e-mail, signatures): not host state" },
  IOC023: { severity: "warning", summary: "Empty content: the item never matches" },
  IOC024: { severity: "warning", summary: "Condition not applicable to the term's value type" },
  IOC025: { severity: "warning", summary: "A group made only of negated items: it never yields an actionable match" },
  IOC026: { severity: "warning", summary: "Duplicate IOC id within the set: the first file wins" },
  IOC027: { severity: "info", summary: "Term spelled with a different case than the vocabulary" },
  IOC028: { severity: "info", summary: "Leading or trailing whitespace in a string value (kept as written)" },
  IOC029: { severity: "warning", summary: "preserve-case has no effect on a non-string term" },
  IOC030: { severity: "warning", summary: "The value does not parse as the term's type" },
  IOC031: { severity: "info", summary: "Context/@document disagrees with the search term's document" },
  IOC032: { severity: "warning", summary: "An empty Indicator: it never matches" },
  IOC033: { severity: "info", summary: "Real-time event term mapped onto a host-state term" },
  IOC034: { severity: "warning", summary: "A regular expression that cannot be run: the item evaluates as unknown" },
  IOC035: { severity: "error", summary: "A process named by the pid and parent pid of one sandbox run: the file is not scannable" },
} as const satisfies Record<string, { severity: Severity; summary: string }>;

/** A known diagnostic code. */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** Builds a diagnostic with the severity fixed for its code. */
export function diagnostic(
  code: DiagnosticCode,
  message: string,
  position: { readonly line: number; readonly column: number } = { line: 0, column: 0 },
): Diagnostic {
  return { code, severity: DIAGNOSTIC_CODES[code].severity, message, line: position.line, column: position.column };
}

/** True when a list holds an error-level diagnostic. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
