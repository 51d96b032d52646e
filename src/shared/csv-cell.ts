/**
 * One CSV cell, for the CSV outputs of the scan report (`iocscan scan --format csv`) and of the
 * console's detection export (`GET /detections?format=csv`): RFC 4180 quoting, plus a leading `'`
 * for cells a spreadsheet would run as a formula, those starting with = + - @, or with a tab, CR,
 * LF or NUL before one (OWASP "CSV injection", ASVS 5.0 1.2.10). Other control characters stay as
 * they are: CSV is data for programs, exact like JSON.
 *
 * @example
 * ```ts
 * csvCell("=cmd|' /C calc'!A0"); // '=cmd|' /C calc'!A0
 * csvCell('a "b", c'); // "a ""b"", c"
 * ```
 *
 * @module
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r\n\0]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
