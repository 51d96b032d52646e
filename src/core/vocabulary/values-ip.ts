/**
 * IP address parsing to a comparable value and a canonical text.
 *
 * - IPv4: dotted quad, each part decimal 0-255; leading zeros are decimal (`10.000.000.001` is
 *   10.0.0.1, as semantics 7.5 requires), never octal.
 * - IPv6: RFC 4291 text with `::` and an embedded IPv4 tail; canonical text per RFC 5952
 *   (lower case, no leading zeros, the longest run of two or more zero groups as `::`).
 * - An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is the IPv4 address: a socket table on a
 *   dual-stack host reports IPv4 peers that way.
 *
 * @module
 */

export interface IpAddress {
  readonly family: 4 | 6;
  /** The address as an unsigned integer (32 or 128 bits): orders and compares addresses. */
  readonly value: bigint;
  /** Canonical text: `10.0.0.1`, `2001:db8::1`. */
  readonly text: string;
}

export type IpResult = { readonly ok: true; readonly ip: IpAddress } | { readonly ok: false; readonly reason: string };

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
/** The upper 96 bits of an IPv4-mapped address (::ffff:0:0/96). */
const MAPPED_PREFIX = 0xffffn;

function fail(reason: string): IpResult {
  return { ok: false, reason };
}

function parseIpv4Value(text: string): bigint | string {
  const m = IPV4.exec(text);
  if (m === null) return `"${text}" is not a dotted-quad IPv4 address`;
  let value = 0n;
  for (const part of m.slice(1)) {
    const n = Number(part);
    if (n > 255) return `IPv4 part ${part} is greater than 255`;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

/** Groups of one side of `::`, an IPv4 tail counting as two groups. */
function parseGroups(side: string, allowIpv4Tail: boolean): bigint[] | string {
  if (side === "") return [];
  const parts = side.split(":");
  const groups: bigint[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? "";
    if (part.includes(".")) {
      if (!allowIpv4Tail || i !== parts.length - 1) return `an IPv4 part may only end an IPv6 address`;
      const v4 = parseIpv4Value(part);
      if (typeof v4 === "string") return v4;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else if (HEX_GROUP.test(part)) {
      groups.push(BigInt(`0x${part}`));
    } else {
      return part === "" ? "empty group in IPv6 address" : `"${part}" is not an IPv6 group of 1-4 hex digits`;
    }
  }
  return groups;
}

function parseIpv6Value(text: string): bigint | string {
  if (text.includes("%")) return "IPv6 zone indexes (%…) are not supported";
  const halves = text.split("::");
  if (halves.length > 2) return `"::" may appear only once`;
  const [head = "", tail] = halves;
  const left = parseGroups(head, tail === undefined);
  if (typeof left === "string") return left;
  const right = tail === undefined ? [] : parseGroups(tail, true);
  if (typeof right === "string") return right;
  const count = left.length + right.length;
  if (tail === undefined ? count !== 8 : count > 7) return `an IPv6 address has 8 groups, got ${tail === undefined ? count : `${count} plus "::"`}`;
  const groups = [...left, ...Array<bigint>(8 - count).fill(0n), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** IPv4 text of a 32-bit value. */
function ipv4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 0xffn).toString()).join(".");
}

/** RFC 5952 text of a 128-bit value. */
function ipv6Text(value: bigint): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  return ipv6GroupsText(groups);
}

/**
 * RFC 5952 text of eight 16-bit groups: lower case, the longest run of two or more zero groups
 * as `::` (the first on a tie). Shared with the collectors, which read addresses as bytes.
 */
export function ipv6GroupsText(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1; // a single zero group is never compressed
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** Parses a trimmed IPv4 or IPv6 address. */
export function parseIp(text: string): IpResult {
  if (text === "") return fail("empty IP address");
  if (!text.includes(":")) {
    const v4 = parseIpv4Value(text);
    return typeof v4 === "string" ? fail(v4) : { ok: true, ip: { family: 4, value: v4, text: ipv4Text(v4) } };
  }
  const v6 = parseIpv6Value(text);
  if (typeof v6 === "string") return fail(v6);
  if (v6 >> 32n === MAPPED_PREFIX) {
    const v4 = v6 & 0xffffffffn;
    return { ok: true, ip: { family: 4, value: v4, text: ipv4Text(v4) } };
  }
  return { ok: true, ip: { family: 6, value: v6, text: ipv6Text(v6) } };
}

/**
 * Parses `address/prefix` into its first and last address (`10.0.0.0/8`). Not in the OpenIOC
 * specification; read as the range a reader would expect. Undefined when `text` has no `/`.
 */
export function parseCidr(text: string): { readonly ok: true; readonly low: IpAddress; readonly high: IpAddress } | { readonly ok: false; readonly reason: string } | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const base = parseIp(text.slice(0, slash));
  if (!base.ok) return base;
  const prefixText = text.slice(slash + 1);
  const bits = base.ip.family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) return { ok: false, reason: `"/${prefixText}" is not a prefix length from 0 to ${bits}` };
  const hostBits = BigInt(bits - Number(prefixText));
  const hostMask = (1n << hostBits) - 1n;
  const lowValue = base.ip.value & ~hostMask;
  const highValue = lowValue | hostMask;
  const make = (value: bigint): IpAddress => ({ family: base.ip.family, value, text: base.ip.family === 4 ? ipv4Text(value) : ipv6Text(value) });
  return { ok: true, low: make(lowValue), high: make(highValue) };
}
