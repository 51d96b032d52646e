/**
 * ISO 8601 dates to epoch milliseconds.
 *
 * Real IOCs write `YYYY-MM-DDThh:mm:ssZ`; MIR and HX audits add fractional seconds; hand-written
 * files drop the zone or the time. No zone means UTC (Kaspersky requires Zulu; a local-time
 * reading would make a scan's answer depend on the scanning host's time zone). Fractions beyond
 * milliseconds are truncated.
 *
 * @module
 */

export type DateResult = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly reason: string };

const ISO_DATE =
  /^([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(?:\s*([Zz]|[+-]\d{2}(?::?\d{2})?))?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Zone offset in minutes east of UTC; undefined when malformed. */
function zoneOffset(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === "Z" || zone === "z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

/** Parses a trimmed ISO 8601 date or date-time to milliseconds since 1970-01-01T00:00:00Z. */
export function parseDate(text: string): DateResult {
  if (text === "") return { ok: false, reason: "empty value, expected an ISO 8601 date" };
  const m = ISO_DATE.exec(text);
  if (m === null) return { ok: false, reason: `"${text}" is not an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm])` };
  const [, y = "", mo = "", d = "", h, mi, s, fraction, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  if (month < 1 || month > 12) return { ok: false, reason: `"${text}" has month ${mo}, expected 01-12` };
  if (day < 1 || day > daysInMonth(year, month)) return { ok: false, reason: `"${text}" has day ${d}, which ${mo} of ${y} does not have` };
  if (hour > 23) return { ok: false, reason: `"${text}" has hour ${h ?? ""}, expected 00-23` };
  if (minute > 59) return { ok: false, reason: `"${text}" has minute ${mi ?? ""}, expected 00-59` };
  if (second > 59) return { ok: false, reason: `"${text}" has second ${s ?? ""}, expected 00-59` };
  const offset = zoneOffset(zone);
  if (offset === undefined) return { ok: false, reason: `"${text}" has an invalid zone offset "${zone ?? ""}"` };
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, "0"));
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const value = date.getTime() - offset * 60_000;
  if (!Number.isFinite(value)) return { ok: false, reason: `"${text}" is out of the representable date range` };
  return { ok: true, value };
}

const DAY_MS = 86_400_000;

/**
 * The width, in milliseconds, of the precision a date is written to: 86,400,000 for a date
 * alone, 60,000 for hh:mm, 1000 for whole seconds, 100 / 10 / 1 for one, two, three or more
 * fraction digits; 1 for text that is not a date. For a range, the precision of its end.
 *
 * An IOC date names its whole span (see `buildOperand`): `Modified is 2011-08-05T07:10:09Z`
 * holds for a file modified at 07:10:09.123, as a collector on Linux reports it.
 *
 * @example
 * ```ts
 * dateSpan("2011-08-05"); // 86_400_000
 * dateSpan("2011-08-05T07:10:09Z"); // 1000
 * dateSpan("2011-08-01 TO 2011-08-05T07:10Z"); // 60_000
 * ```
 */
export function dateSpan(text: string): number {
  let end = text.trim();
  if (end.startsWith("[") && end.endsWith("]")) end = end.slice(1, -1).trim();
  const parts = end.split(/\s+TO\s+/i);
  const m = ISO_DATE.exec((parts[parts.length - 1] ?? "").trim());
  if (m === null) return 1;
  const [, , , , hour, , second, fraction] = m;
  if (hour === undefined) return DAY_MS;
  if (second === undefined) return 60_000;
  if (fraction === undefined) return 1000;
  return fraction.length >= 3 ? 1 : fraction.length === 2 ? 10 : 100;
}

/** ISO 8601 UTC text of an epoch-milliseconds value (`2011-08-05T07:10:09Z`, with `.fff` when needed). */
export function formatDate(value: number): string {
  const iso = new Date(value).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}
