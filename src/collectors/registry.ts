/**
 * Every collector iocscan has, as an explicit list (no self-registration: in ESM that would
 * depend on import order). Adding a collector is one import and one array entry here.
 *
 * @module
 */
import { arpEntryCollector } from "./arp-entry/arp-entry.js";
import { dnsEntryCollector } from "./dns-entry/dns-entry.js";
import { fileCollector } from "./file/index.js";
import { groupCollector } from "./group/group.js";
import { moduleCollector } from "./module/module.js";
import { portCollector } from "./port/port.js";
import { processCollector } from "./process/process.js";
import { routeEntryCollector } from "./route-entry/route-entry.js";
import { serviceCollector } from "./service/service.js";
import { systemInfoCollector } from "./system-info/system-info.js";
import { taskCollector } from "./task/task.js";
import type { Collector } from "./types.js";
import { userCollector } from "./user/user.js";
import { volumeCollector } from "./volume/volume.js";

/** All collectors, in the order a full collection runs them (cheap host-wide documents first). */
export const COLLECTORS: readonly Collector<unknown>[] = [
  systemInfoCollector,
  userCollector,
  groupCollector,
  processCollector,
  portCollector,
  arpEntryCollector,
  routeEntryCollector,
  dnsEntryCollector,
  volumeCollector,
  moduleCollector,
  serviceCollector,
  taskCollector,
  fileCollector, // last: the walk is by far the longest run
];

/**
 * The collector of an OpenIOC document (`ProcessItem`) or with a name (`process`); undefined
 * when iocscan has none (a Windows-only document such as RegistryItem).
 *
 * @example
 * ```ts
 * findCollector("DnsEntryItem")?.name; // "dns-entry"
 * ```
 */
export function findCollector(documentOrName: string): Collector<unknown> | undefined {
  return COLLECTORS.find((c) => c.document === documentOrName || c.name === documentOrName);
}

/** The documents some collector produces. */
export function collectedDocuments(): string[] {
  return COLLECTORS.map((c) => c.document);
}
