/**
 * Parsers of /proc/net/route (IPv4, addresses as little-endian words) and /proc/net/ipv6_route
 * (addresses in network order, prefix lengths in hex) into RouteEntryItem fields.
 *
 * @module
 */
import { addressBytes, ipv4Text, ipv6MaskText, ipv6Text } from "../_shared/ip-text.js";
import { linesOf } from "../_shared/read.js";
import type { DraftFields } from "../_shared/record.js";

// include/uapi/linux/route.h, in the letters `route -n` prints.
const FLAG_LETTERS: readonly (readonly [number, string])[] = [
  [0x0001, "U"],
  [0x0002, "G"],
  [0x0004, "H"],
  [0x0008, "R"],
  [0x0010, "D"],
  [0x0020, "M"],
  [0x0200, "!"],
];
const RTF_GATEWAY = 0x0002;
const RTF_REJECT = 0x0200;

function flagText(flags: number): string {
  return FLAG_LETTERS.filter(([bit]) => (flags & bit) !== 0)
    .map(([, letter]) => letter)
    .join("");
}

/**
 * The Windows route types (MIB_IPFORWARD_TYPE) IOCs use: via a gateway is indirect, on-link is
 * direct, a reject route is invalid.
 */
function routeType(flags: number): string {
  if ((flags & RTF_REJECT) !== 0) return "invalid";
  return (flags & RTF_GATEWAY) !== 0 ? "indirect" : "direct";
}

function v4(hex: string | undefined): string | undefined {
  const bytes = addressBytes(hex ?? "", true);
  return bytes?.length === 4 ? ipv4Text(bytes) : undefined;
}

/** Parses /proc/net/route: `Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT`. */
export function parseIpv4Routes(text: string): DraftFields[] {
  const out: DraftFields[] = [];
  for (const line of linesOf(text).slice(1)) {
    const [iface, dest, gateway, flagHex = "", , , , mask, mtu] = line.trim().split(/\s+/);
    const flags = parseInt(flagHex, 16);
    const Destination = v4(dest);
    const Netmask = v4(mask);
    if (iface === undefined || Destination === undefined || Netmask === undefined || Number.isNaN(flags)) continue;
    out.push({
      Destination,
      Gateway: v4(gateway),
      Netmask,
      Interface: iface,
      Flags: flagText(flags),
      MTU: mtu,
      RouteType: routeType(flags),
    });
  }
  return out;
}

function v6(hex: string | undefined): string | undefined {
  const bytes = addressBytes(hex ?? "", false);
  return bytes?.length === 16 ? ipv6Text(bytes) : undefined;
}

/**
 * Parses /proc/net/ipv6_route: `dest destPrefix src srcPrefix nextHop metric refcnt use flags
 * iface` (no header line; no MTU column).
 */
export function parseIpv6Routes(text: string): DraftFields[] {
  const out: DraftFields[] = [];
  for (const line of linesOf(text)) {
    const [dest, prefixHex = "", , , nextHop, , , , flagHex = "", iface] = line.trim().split(/\s+/);
    const prefix = parseInt(prefixHex, 16);
    const flags = parseInt(flagHex, 16);
    const Destination = v6(dest);
    if (iface === undefined || Destination === undefined || Number.isNaN(prefix) || Number.isNaN(flags)) continue;
    out.push({
      Destination,
      Gateway: v6(nextHop),
      Netmask: ipv6MaskText(prefix),
      Interface: iface,
      Flags: flagText(flags),
      RouteType: routeType(flags),
    });
  }
  return out;
}
