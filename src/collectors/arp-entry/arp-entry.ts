/**
 * ArpEntryItem from /proc/net/arp: the kernel's IPv4 neighbour cache.
 *
 * @module
 */
import { LINUX_COLLECTED } from "../../core/vocabulary/index.js";
import { linesOf, readHostText } from "../_shared/read.js";
import { createIdGuard, toRecord, type DraftFields } from "../_shared/record.js";
import { defineCollector } from "../define.js";
import type { CollectorContext, HostRecord } from "../types.js";

// include/uapi/linux/if_arp.h
const ATF_COM = 0x02;
const ATF_PERM = 0x04;

/**
 * The Windows cache types IOCs are written against: a permanent entry is Static, a resolved one
 * Dynamic, an unresolved one (no MAC yet) Invalid.
 */
function cacheType(flags: number): string {
  if ((flags & ATF_PERM) !== 0) return "Static";
  return (flags & ATF_COM) !== 0 ? "Dynamic" : "Invalid";
}

/** Parses /proc/net/arp: `IP address  HW type  Flags  HW address  Mask  Device`. */
export function parseArp(text: string): DraftFields[] {
  const out: DraftFields[] = [];
  for (const line of linesOf(text).slice(1)) {
    const [ip, , flagText = "", mac, , device] = line.trim().split(/\s+/);
    const flags = parseInt(flagText, 16);
    if (ip === undefined || mac === undefined || device === undefined || Number.isNaN(flags)) continue;
    out.push({ IPv4Address: ip, PhysicalAddress: mac.toLowerCase(), Interface: device, CacheType: cacheType(flags) });
  }
  return out;
}

/** The ArpEntryItem collector. */
export const arpEntryCollector = defineCollector({
  name: "arp-entry",
  document: "ArpEntryItem",
  platforms: ["linux"],
  liveOnly: true,
  // Exactly the terms the vocabulary says iocscan collects (a registry test keeps them equal).
  fields: LINUX_COLLECTED["ArpEntryItem"] ?? [],
  permission: "net.read",
  description: "The IPv4 neighbour (ARP) cache from /proc/net/arp",
  async *collect(context: CollectorContext): AsyncGenerator<HostRecord> {
    const text = await readHostText(context, "/proc/net/arp");
    const guard = createIdGuard();
    for (const [i, fields] of (text === undefined ? [] : parseArp(text)).entries()) {
      if (context.signal?.aborted === true) return;
      yield guard(toRecord("ArpEntryItem", fields, `arp ${i + 1}`));
    }
  },
});
