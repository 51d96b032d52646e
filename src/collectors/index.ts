/**
 * Host collectors: one per OpenIOC document, each reading through a {@link HostView} so the same
 * code scans this computer or an image under `--root`. The registry lists them all.
 *
 * @module
 */
export type { Collector, CollectorContext, CollectorWarning, HostRecord, HostView } from "./types.js";
export { createHostView } from "./host-view.js";
export { defineCollector } from "./define.js";
export { COLLECTORS, collectedDocuments, findCollector } from "./registry.js";
export { arpEntryCollector } from "./arp-entry/arp-entry.js";
export { dnsEntryCollector } from "./dns-entry/dns-entry.js";
export { groupCollector } from "./group/group.js";
export { moduleCollector } from "./module/module.js";
export { portCollector } from "./port/port.js";
export { processCollector } from "./process/process.js";
export { routeEntryCollector } from "./route-entry/route-entry.js";
export { serviceCollector } from "./service/service.js";
export { systemInfoCollector } from "./system-info/system-info.js";
export { taskCollector } from "./task/task.js";
export { userCollector } from "./user/user.js";
export { volumeCollector } from "./volume/volume.js";
