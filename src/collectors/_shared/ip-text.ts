/**
 * Addresses as the kernel prints them in /proc/net → the text users write in IOCs. /proc/net/tcp*
 * and udp* print each 32-bit word in host byte order (little-endian on x86 and arm64), while
 * /proc/net/ipv6_route prints plain network order; both decoders are here, side by side.
 *
 * @module
 */
import { ipv6GroupsText } from "../../core/vocabulary/values-ip.js";
import { endianness } from "node:os";

const LITTLE = endianness() === "LE";

/** Bytes of one 8-hex-digit word printed in host order, in network order. */
function wordBytes(hex: string, hostOrder: boolean): number[] {
  const bytes = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return hostOrder && LITTLE ? bytes.reverse() : bytes;
}

/** Network-order bytes of a hex address (8 or 32 digits); undefined when malformed. */
export function addressBytes(hex: string, hostOrder: boolean): number[] | undefined {
  if (!/^[0-9A-Fa-f]+$/.test(hex) || (hex.length !== 8 && hex.length !== 32)) return undefined;
  const out: number[] = [];
  for (let i = 0; i < hex.length; i += 8) out.push(...wordBytes(hex.slice(i, i + 8), hostOrder));
  return out;
}

/** Dotted-quad text of 4 bytes. */
export function ipv4Text(bytes: readonly number[]): string {
  return bytes.slice(0, 4).join(".");
}

/**
 * RFC 5952 text of 16 bytes: lower case, the longest run of two or more zero groups as `::`
 * (the first on a tie), and IPv4-mapped addresses as `::ffff:a.b.c.d`.
 */
export function ipv6Text(bytes: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${ipv4Text(bytes.slice(12))}`;
  return ipv6GroupsText(groups);
}

/** Text of a /proc/net hex address of either length; undefined when malformed. */
export function procAddressText(hex: string, hostOrder: boolean): string | undefined {
  const bytes = addressBytes(hex, hostOrder);
  if (bytes === undefined) return undefined;
  return bytes.length === 4 ? ipv4Text(bytes) : ipv6Text(bytes);
}

/** The IPv6 netmask of a prefix length (`64` → `ffff:ffff:ffff:ffff::`). */
export function ipv6MaskText(prefixLength: number): string {
  const bytes: number[] = [];
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, prefixLength - i * 8));
    bytes.push((0xff << (8 - bits)) & 0xff);
  }
  return ipv6Text(bytes);
}
