/**
 * Times as the store keeps them: ISO-8601 UTC text in the one fixed 24-character form of
 * `Date.prototype.toISOString`, so that comparing the text compares the times on every dialect.
 *
 * @module
 */

/** The stored form of `value`, or undefined when it is not a date in years 0000 to 9999. */
export function toStoredTime(value: Date | string): string | undefined {
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return undefined;
  const text = date.toISOString();
  // Years outside 0000-9999 print as `+010000-...`, which would sort wrongly as text.
  return text.length === 24 ? text : undefined;
}

/** Like `toStoredTime`, for arguments: a bad value is the caller's bug. */
export function requireStoredTime(value: Date | string, what: string): string {
  const stored = toStoredTime(value);
  if (stored === undefined) throw new RangeError(`Cannot use ${what} "${String(value)}": not a date`);
  return stored;
}

const DAY_MS = 86_400_000;

/** The time `days` days before `now`. */
export function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}
