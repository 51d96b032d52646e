/**
 * Numbers and durations. Integers are bigints: uint64 sizes and addresses pass 2^53, where a JS
 * number would silently round and make `is` compare the wrong value.
 *
 * @module
 */

export type NumberResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const DECIMAL_INTEGER = /^[+-]?\d+$/;
const HEX_INTEGER = /^0[xX][0-9A-Fa-f]+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
/** Longer digit strings are out of range anyway; refusing them early bounds the BigInt work. */
const MAX_DIGITS = 40;

/**
 * Parses a trimmed integer: decimal with optional sign and leading zeros, or `0x` hex (MIR writes
 * some addresses that way). `int` accepts -2^63 .. 2^64-1 (the lists type some 64-bit addresses
 * as int), `uint64` accepts 0 .. 2^64-1.
 */
export function parseInteger(text: string, unsigned: boolean): NumberResult<bigint> {
  const label = unsigned ? "an unsigned 64-bit integer" : "an integer";
  if (text === "") return { ok: false, reason: `empty value, expected ${label}` };
  if (text.length > MAX_DIGITS) return { ok: false, reason: `"${text.slice(0, 20)}…" is out of range for ${label}` };
  let value: bigint;
  if (HEX_INTEGER.test(text)) value = BigInt(text);
  else if (DECIMAL_INTEGER.test(text)) value = BigInt(text.startsWith("+") ? text.slice(1) : text);
  else if (DECIMAL.test(text)) return { ok: false, reason: `"${text}" is not a whole number, expected ${label}` };
  else return { ok: false, reason: `"${text}" is not ${label}` };
  if (unsigned && value < 0n) return { ok: false, reason: `"${text}" is negative, expected ${label}` };
  if (value > UINT64_MAX || value < INT64_MIN) return { ok: false, reason: `"${text}" is out of range for ${label}` };
  return { ok: true, value };
}

/** Parses a trimmed decimal number (`1.5`, `-2`, `.5`, `6.02e23`). No NaN, no infinities. */
export function parseDecimal(text: string): NumberResult<number> {
  if (text === "") return { ok: false, reason: "empty value, expected a number" };
  if (!DECIMAL.test(text)) return { ok: false, reason: `"${text}" is not a number` };
  const value = Number(text);
  if (!Number.isFinite(value)) return { ok: false, reason: `"${text}" is out of range for a number` };
  return { ok: true, value };
}

const ISO_DURATION = /^P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/i;
const CLOCK_DURATION = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)$/;

function num(part: string | undefined): number {
  return part === undefined ? 0 : Number(part.replace(",", "."));
}

/**
 * Parses a trimmed duration to seconds (Kaspersky's `duration` type is seconds). Accepts a plain
 * number of seconds (`3600`, `1.5`), ISO 8601 (`PT1H30M`, `P2DT3S`; years and months are refused,
 * they have no fixed length) and a clock form `[d.]hh:mm:ss[.fff]` (Windows TimeSpan).
 */
export function parseDuration(text: string): NumberResult<number> {
  if (text === "") return { ok: false, reason: "empty value, expected a duration" };
  const plain = parseDecimal(text);
  if (plain.ok) return plain.value < 0 ? { ok: false, reason: `"${text}" is a negative duration` } : plain;
  const iso = ISO_DURATION.exec(text);
  if (iso !== null && text.length > 1 && !/T$/i.test(text)) {
    const [, w, d, h, m, s] = iso;
    return { ok: true, value: num(w) * 604800 + num(d) * 86400 + num(h) * 3600 + num(m) * 60 + num(s) };
  }
  if (/^P/i.test(text) && /[YM]/i.test(text.slice(1).split(/T/i)[0] ?? "")) {
    return { ok: false, reason: `"${text}" uses years or months, which have no fixed length in seconds` };
  }
  const clock = CLOCK_DURATION.exec(text);
  if (clock !== null) {
    const [, d, h, m, s] = clock;
    if (num(m) > 59 || num(s) >= 60) return { ok: false, reason: `"${text}" has minutes or seconds past 59` };
    return { ok: true, value: num(d) * 86400 + num(h) * 3600 + num(m) * 60 + num(s) };
  }
  return { ok: false, reason: `"${text}" is not a duration (seconds, ISO 8601 like PT1H, or hh:mm:ss)` };
}
