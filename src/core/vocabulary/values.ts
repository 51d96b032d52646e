/**
 * Typed values: the IOC checker parses `Content` with these to warn early (IOC030), and the
 * evaluator parses both the IOC value and the record's value to compare them by type.
 *
 * Every non-string type is trimmed first (real files carry `"2aa6…239c "` and values broken over
 * lines); strings are kept exactly as written, since trailing blanks in command lines matter.
 *
 * @module
 */
import type { ValueType } from "./types.js";
import { formatDate, parseDate } from "./values-date.js";
import { parseCidr, parseIp, type IpAddress } from "./values-ip.js";
import { parseDecimal, parseDuration, parseInteger } from "./values-number.js";

/** A value with an order: what `greater-than`, `less-than` and `A TO B` work on. */
export type OrderedValue =
  | { readonly kind: "integer"; readonly value: bigint }
  | { readonly kind: "float"; readonly value: number }
  /** Milliseconds since 1970-01-01T00:00:00Z. */
  | { readonly kind: "date"; readonly value: number }
  /** Seconds. */
  | { readonly kind: "duration"; readonly value: number }
  | ({ readonly kind: "ip" } & IpAddress);

/** A parsed value. */
export type ParsedValue =
  | { readonly kind: "string"; readonly value: string }
  /** Lower-case hex of the right length for the hash type. */
  | { readonly kind: "hash"; readonly value: string }
  | { readonly kind: "bool"; readonly value: boolean }
  | OrderedValue
  /** `A TO B` or `[A TO B]`: inclusive at both ends; `low` is never after `high`. */
  | { readonly kind: "range"; readonly low: OrderedValue; readonly high: OrderedValue };

export type ParseResult = { readonly ok: true; readonly value: ParsedValue } | { readonly ok: false; readonly reason: string };

export interface ParseOptions {
  /** Accept `A TO B` ranges (and CIDR blocks for ip). Default true; false for record values. */
  readonly ranges?: boolean;
}

const HASH_LENGTH: Readonly<Record<string, number>> = { md5: 32, sha1: 40, sha256: 64 };
const HEX = /^[0-9a-f]*$/;
const BOOLS: Readonly<Record<string, boolean>> = { true: true, yes: true, "1": true, false: false, no: false, "0": false };
const RANGE_TYPES: ReadonlySet<ValueType> = new Set(["int", "uint64", "float", "date", "duration", "ip"]);

function fail(reason: string): ParseResult {
  return { ok: false, reason };
}

function ok(value: ParsedValue): ParseResult {
  return { ok: true, value };
}

function parseHash(type: ValueType, text: string): ParseResult {
  const length = HASH_LENGTH[type] ?? 0;
  const lower = text.toLowerCase();
  if (!HEX.test(lower)) {
    const bad = [...lower].findIndex((c) => !/[0-9a-f]/.test(c));
    return fail(`${type} value is not hexadecimal: "${text.charAt(bad)}" at position ${bad + 1}`);
  }
  if (lower.length !== length) return fail(`${type} needs ${length} hex digits, got ${lower.length}`);
  return ok({ kind: "hash", value: lower });
}

/** One value of an ordered type, no range syntax. */
function parseOrdered(type: ValueType, text: string): { ok: true; value: OrderedValue } | { ok: false; reason: string } {
  switch (type) {
    case "int":
    case "uint64": {
      const r = parseInteger(text, type === "uint64");
      return r.ok ? { ok: true, value: { kind: "integer", value: r.value } } : r;
    }
    case "float": {
      const r = parseDecimal(text);
      return r.ok ? { ok: true, value: { kind: "float", value: r.value } } : r;
    }
    case "date": {
      const r = parseDate(text);
      return r.ok ? { ok: true, value: { kind: "date", value: r.value } } : r;
    }
    case "duration": {
      const r = parseDuration(text);
      return r.ok ? { ok: true, value: { kind: "duration", value: r.value } } : r;
    }
    case "ip": {
      const r = parseIp(text);
      return r.ok ? { ok: true, value: { kind: "ip", ...r.ip } } : r;
    }
    default:
      return { ok: false, reason: `${type} values have no order` };
  }
}

/**
 * Lucene-style range `A TO B` or `[A TO B]` (inclusive, semantics 6.2); undefined when `text`
 * has no range syntax at all.
 */
function parseRange(type: ValueType, text: string): ParseResult | undefined {
  const bracketed = text.startsWith("[") || text.endsWith("]");
  const curly = text.startsWith("{") || text.endsWith("}");
  const hasTo = /\sTO\s/i.test(text);
  if (!bracketed && !curly && !hasTo) return undefined;
  if (curly) return fail(`exclusive range bounds ({A TO B}) are not supported; use [A TO B] or greater-than/less-than`);
  if (bracketed && !(text.startsWith("[") && text.endsWith("]"))) return fail(`malformed range "${text}": unbalanced brackets`);
  const inner = bracketed ? text.slice(1, -1).trim() : text;
  const parts = inner.split(/\s+TO\s+/i);
  if (parts.length !== 2 || parts[0] === "" || parts[1] === "") return fail(`malformed range "${text}": expected "A TO B"`);
  const [lowText = "", highText = ""] = parts;
  if (lowText === "*" || highText === "*") return fail(`open-ended range "${text}" is not supported; use greater-than or less-than`);
  const low = parseOrdered(type, lowText);
  if (!low.ok) return fail(`range start: ${low.reason}`);
  const high = parseOrdered(type, highText);
  if (!high.ok) return fail(`range end: ${high.reason}`);
  const order = compareValues(low.value, high.value);
  if (order === undefined) return fail(`range "${text}" mixes IPv4 and IPv6 addresses`);
  if (order > 0) return fail(`empty range "${text}": the start is after the end`);
  return ok({ kind: "range", low: low.value, high: high.value });
}

/**
 * Parses `text` as a value of `type`.
 *
 * - string: as written, never fails.
 * - md5 / sha1 / sha256: trimmed lower-case hex of 32 / 40 / 64 digits.
 * - int / uint64: bigint (uint64 passes 2^53); decimal with leading zeros, or 0x hex.
 * - float: number. date: epoch ms (ISO 8601, UTC when no zone). duration: seconds.
 * - ip: IPv4 / IPv6, canonicalised (`10.000.000.001` → `10.0.0.1`, `::ffff:a.b.c.d` → IPv4).
 * - bool: true/false/yes/no/1/0 in any case.
 * - ordered types also take `A TO B` / `[A TO B]` ranges, and ip a CIDR block, unless
 *   `options.ranges` is false.
 */
export function parseValue(type: ValueType, text: string, options: ParseOptions = {}): ParseResult {
  if (type === "string") return ok({ kind: "string", value: text });
  const trimmed = text.trim();
  if (trimmed === "") return fail(`empty value, expected ${type}`);
  if (type === "md5" || type === "sha1" || type === "sha256") return parseHash(type, trimmed);
  if (type === "bool") {
    const value = BOOLS[trimmed.toLowerCase()];
    return value === undefined ? fail(`"${trimmed}" is not a boolean (true/false, yes/no, 1/0)`) : ok({ kind: "bool", value });
  }
  if (options.ranges !== false && RANGE_TYPES.has(type)) {
    const range = parseRange(type, trimmed);
    if (range !== undefined) return range;
    if (type === "ip") {
      const cidr = parseCidr(trimmed);
      if (cidr !== undefined) {
        return cidr.ok ? ok({ kind: "range", low: { kind: "ip", ...cidr.low }, high: { kind: "ip", ...cidr.high } }) : fail(cidr.reason);
      }
    }
  }
  const single = parseOrdered(type, trimmed);
  return single.ok ? ok(single.value) : fail(single.reason);
}

/**
 * Orders two values: negative, 0 or positive. Integers and floats compare with each other;
 * anything else only with its own kind, and IPv4 only with IPv4. Undefined when incomparable.
 */
export function compareValues(a: OrderedValue, b: OrderedValue): number | undefined {
  if (a.kind === "integer" && b.kind === "integer") return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a.kind === "ip" && b.kind === "ip") {
    if (a.family !== b.family) return undefined;
    return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  }
  const numeric = (v: OrderedValue): number | undefined => (v.kind === "integer" ? Number(v.value) : v.kind === "float" ? v.value : undefined);
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return Math.sign(x - y);
  if (a.kind === "date" && b.kind === "date") return Math.sign(a.value - b.value);
  if (a.kind === "duration" && b.kind === "duration") return Math.sign(a.value - b.value);
  return undefined;
}

/**
 * `is` on typed values: `actual` (a record's value) equals `expected` or lies inside its range.
 * Undefined when the two cannot be compared (different kinds, IPv4 against IPv6). Strings compare
 * exactly here; case folding (preserve-case) is the evaluator's business.
 */
export function valueIs(expected: ParsedValue, actual: ParsedValue): boolean | undefined {
  if (expected.kind === "range") {
    if (actual.kind === "range" || actual.kind === "string" || actual.kind === "hash" || actual.kind === "bool") return undefined;
    const low = compareValues(expected.low, actual);
    const high = compareValues(actual, expected.high);
    return low === undefined || high === undefined ? undefined : low <= 0 && high <= 0;
  }
  if (expected.kind === "string" || expected.kind === "hash" || expected.kind === "bool") {
    return expected.kind === actual.kind ? expected.value === actual.value : undefined;
  }
  if (actual.kind === "range" || actual.kind === "string" || actual.kind === "hash" || actual.kind === "bool") return undefined;
  const order = compareValues(expected, actual);
  return order === undefined ? undefined : order === 0;
}

/** The canonical text of a value: what string conditions on ip/hash/bool terms run on. */
export function canonicalText(value: ParsedValue): string {
  switch (value.kind) {
    case "string":
    case "hash":
      return value.value;
    case "bool":
      return value.value ? "true" : "false";
    case "integer":
    case "float":
    case "duration":
      return String(value.value);
    case "date":
      return formatDate(value.value);
    case "ip":
      return value.text;
    case "range":
      return `${canonicalText(value.low)} TO ${canonicalText(value.high)}`;
  }
}

/** `FileItem/FileExtension` is written `.dll` and `dll` alike (semantics 6.2): drop one leading dot. */
export function normalizeExtension(extension: string): string {
  return extension.startsWith(".") ? extension.slice(1) : extension;
}
