/**
 * Keys that make typed values hashable and sortable, so equality items go into hash maps and
 * order items into sorted arrays. Both sides (IOC value, record value) go through the same
 * functions, so `10.000.000.001` and `10.0.0.1`, or `0x10` and `16`, land on the same key.
 *
 * @module
 */
import type { OrderedValue, ParsedValue } from "../vocabulary/index.js";

/** An orderable key. Numbers and bigints compare with each other under `<` in JavaScript. */
export type OrderKey = number | bigint;

/**
 * The equality key of a parsed single value; undefined for ranges. Integers and floats share
 * the `n:` space so a float term written `5` equals `5.0`.
 */
export function equalityKey(value: ParsedValue): string | undefined {
  switch (value.kind) {
    case "string":
    case "hash":
      return value.value;
    case "bool":
      return value.value ? "true" : "false";
    case "integer":
      return `n:${value.value}`;
    case "float":
      return Number.isInteger(value.value) ? `n:${BigInt(value.value)}` : `n:${value.value}`;
    case "date":
      return `d:${value.value}`;
    case "duration":
      return `t:${value.value}`;
    case "ip":
      return `ip:${value.text}`;
    case "range":
      return undefined;
  }
}

/** Equality key of an IP value that does not parse: compared as a string (semantics 7.5). */
export function unparsedIpKey(text: string): string {
  return `s:${text.trim().toLowerCase()}`;
}

/**
 * The domain and key of an ordered value. Values of different domains never compare: a date
 * is not a number, and IPv4 addresses are not ordered against IPv6 ones.
 */
export function orderKey(value: OrderedValue): { readonly domain: string; readonly key: OrderKey } {
  switch (value.kind) {
    case "integer":
    case "float":
      return { domain: "number", key: value.value };
    case "date":
      return { domain: "date", key: value.value };
    case "duration":
      return { domain: "duration", key: value.value };
    case "ip":
      return { domain: `ip${value.family}`, key: value.value };
  }
}
