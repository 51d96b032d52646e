/**
 * SystemInfoItem: one record for the host. Files of the host view give the OS, host name and time
 * zone (so an image is described correctly); the running kernel, uptime and network interfaces
 * are added only when the host view is this machine.
 *
 * @module
 */
import { LINUX_COLLECTED } from "../../core/vocabulary/index.js";
import { hostname, networkInterfaces, release, uptime } from "node:os";
import { readHostText } from "../_shared/read.js";
import { toRecord, type DraftFields } from "../_shared/record.js";
import { defineCollector } from "../define.js";
import type { CollectorContext, HostRecord } from "../types.js";
import { readHostnameFile, readOsName, readTimezone } from "./host-files.js";
import { defaultRouteInterface, networkFields } from "./network.js";

/** Seconds → `3d 4h 5m 6s`. */
export function formatUptime(seconds: number): string {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h ${Math.floor((s % 3600) / 60)}m ${s % 60}s`;
}

/** The SystemInfoItem collector. */
export const systemInfoCollector = defineCollector({
  name: "system-info",
  document: "SystemInfoItem",
  platforms: ["linux"],
  liveOnly: false,
  // Exactly the terms the vocabulary says iocscan collects (a registry test keeps them equal).
  fields: LINUX_COLLECTED["SystemInfoItem"] ?? [],
  permission: "fs.read",
  description: "Host name, OS (os-release), kernel, time zone, uptime and network interfaces",
  async *collect(context: CollectorContext): AsyncGenerator<HostRecord> {
    if (context.signal?.aborted === true) return;
    const live = context.host.live;
    let fields: DraftFields = {
      hostname: live ? hostname() : await readHostnameFile(context),
      OS: await readOsName(context),
      timezone: (await readTimezone(context)) ?? (live ? Intl.DateTimeFormat().resolvedOptions().timeZone : undefined),
    };
    if (live) {
      const primary = defaultRouteInterface(await readHostText(context, "/proc/net/route"));
      fields = { ...fields, kernelVersion: release(), uptime: formatUptime(uptime()), ...networkFields(networkInterfaces(), primary) };
    }
    yield toRecord("SystemInfoItem", fields, "system");
  },
});
