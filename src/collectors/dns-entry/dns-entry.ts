/**
 * DnsEntryItem from /etc/hosts of the host view: one record per name, the way a resolver cache
 * entry names a host. A hijacked name (`evil.example` → 203.0.113.5) is what IOCs look for here.
 *
 * The systemd-resolved cache is not read: it is reachable only over D-Bus, not as a file.
 *
 * @module
 */
import { LINUX_COLLECTED } from "../../core/vocabulary/index.js";
import { isIPv4, isIPv6 } from "node:net";
import { linesOf, readHostText } from "../_shared/read.js";
import { createIdGuard, toRecord, type DraftFields } from "../_shared/record.js";
import { defineCollector } from "../define.js";
import type { CollectorContext, HostRecord } from "../types.js";

/**
 * Parses hosts(5) text: `address name [aliases...]`, `#` starts a comment. IPv6 lines give names
 * without an address field, since iocscan collects only RecordData/IPv4Address.
 */
export function parseHosts(text: string): DraftFields[] {
  const out: DraftFields[] = [];
  for (const line of linesOf(text)) {
    const [address, ...names] = line.replace(/#.*$/, "").trim().split(/\s+/);
    if (address === undefined || names.length === 0) continue;
    const v4 = isIPv4(address);
    if (!v4 && !isIPv6(address.replace(/%.*$/, ""))) continue;
    for (const name of names) out.push({ Host: name, RecordName: name, "RecordData/IPv4Address": v4 ? address : undefined });
  }
  return out;
}

/** The DnsEntryItem collector. */
export const dnsEntryCollector = defineCollector({
  name: "dns-entry",
  document: "DnsEntryItem",
  platforms: ["linux"],
  liveOnly: false,
  // Exactly the terms the vocabulary says iocscan collects (a registry test keeps them equal).
  fields: LINUX_COLLECTED["DnsEntryItem"] ?? [],
  permission: "fs.read",
  description: "Static host name entries from /etc/hosts",
  async *collect(context: CollectorContext): AsyncGenerator<HostRecord> {
    const text = await readHostText(context, "/etc/hosts");
    const guard = createIdGuard();
    for (const [i, fields] of (text === undefined ? [] : parseHosts(text)).entries()) {
      if (context.signal?.aborted === true) return;
      yield guard(toRecord("DnsEntryItem", fields, `hosts ${i + 1}`));
    }
  },
});
