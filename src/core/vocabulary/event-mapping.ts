/**
 * FireEye HX real-time event terms mapped onto host-state terms (openioc-semantics 7.9).
 *
 * An event (`processEvent`, `fileWriteEvent`, ...) is something an agent saw happen; a scan sees
 * what is there now. 160 of the 275 real IOC files are HX files that test only events, so by
 * default iocscan reads an event term as the host-state term that records the same fact about the
 * same object: "a process whose command line contains X ran" becomes "a running process whose
 * command line contains X". Terms with no same-record equivalent stay unmapped (UNKNOWN).
 *
 * Mapped terms of one event document all land in one host-state document, so the items of one HX
 * conjunction still bind to one record (one process, one file, one socket).
 *
 * @module
 */
import { lookupTerm } from "./lookup.js";

/**
 * How to read the host-state value before comparing it with the event's value.
 * - `value`: as is.
 * - `basename`: the last path component (`C:\x\evil.dll` → `evil.dll`).
 * - `directory`: the directory in `FileItem/FilePath` form: no drive, no file name, no leading or
 *   trailing separator (`C:\Windows\System32\x.dll` → `Windows\System32`), which is how HX writes
 *   `filePath`.
 * - `extension`: the extension of the last component, without its dot.
 */
export type EventValueView = "value" | "basename" | "directory" | "extension";

export interface EventTermMapping {
  /** The host-state term, canonical spelling. */
  readonly target: string;
  readonly view: EventValueView;
  /** `approximate` when the two fields do not hold quite the same thing (see `why`). */
  readonly fidelity: "exact" | "approximate";
  readonly why: string;
}

function m(target: string, why: string, fidelity: "exact" | "approximate" = "exact", view: EventValueView = "value"): EventTermMapping {
  return { target, view, fidelity, why };
}

const MODULE = "ProcessItem/SectionList/MemorySection/Name";

/** Event term (canonical spelling) → host-state term. Unlisted event terms are unmapped. */
export const EVENT_TERM_MAP: Readonly<Record<string, EventTermMapping>> = {
  // A process event describes a process; the running process is its host-state record.
  "processEvent/process": m("ProcessItem/name", "the process image name"),
  "processEvent/processPath": m("ProcessItem/path", "HX holds the executable's full path, ProcessItem/path its directory: contains/starts-with on folders work, a test on the file name does not", "approximate"),
  "processEvent/processCmdLine": m("ProcessItem/arguments", "the full command line"),
  "processEvent/pid": m("ProcessItem/pid", "the process id"),
  "processEvent/parentPid": m("ProcessItem/parentpid", "the parent's id, a field of the same process"),
  "processEvent/username": m("ProcessItem/Username", "the account the process runs as"),
  "processEvent/startTime": m("ProcessItem/startTime", "the process start time"),
  // Unmapped: md5 (no ProcessItem hash of the executable is collected), parentProcess and
  // parentProcessPath (a different record: no join across records), eventType and timestamp
  // (properties of the event, not of the process).

  // A file write leaves a file; the file's current state is the FileItem.
  "fileWriteEvent/fullPath": m("FileItem/FullPath", "the written file's path"),
  "fileWriteEvent/filePath": m("FileItem/FilePath", "the written file's directory, same form"),
  "fileWriteEvent/fileName": m("FileItem/FileName", "the written file's name"),
  "fileWriteEvent/fileExtension": m("FileItem/FileExtension", "the written file's extension"),
  "fileWriteEvent/md5": m("FileItem/Md5sum", "the hash after the write; a later write changes it", "approximate"),
  "fileWriteEvent/size": m("FileItem/SizeInBytes", "the size after the write; a later write changes it", "approximate"),
  "fileWriteEvent/devicePath": m("FileItem/DevicePath", "the volume's device path"),
  "fileWriteEvent/drive": m("FileItem/Drive", "the drive letter"),
  // Unmapped: process, processPath, pid, parentPid, parentProcessPath, username (the writer, a
  // different record), textAtLowestOffset and dataAtLowestOffset (content at an offset, not a
  // file field), writes, closed, openTime, openDuration, eventReason and the byte counters.

  // An image load maps a file into a process: the loading process is the record, the image one
  // of its mapped files. So `AND{ fileName is dismcore.dll, process is x.exe }` stays one process.
  "imageLoadEvent/fullPath": m(MODULE, "the mapped image's full path"),
  "imageLoadEvent/fileName": m(MODULE, "the mapped image's file name", "exact", "basename"),
  "imageLoadEvent/filePath": m(MODULE, "the mapped image's directory, read in FilePath form", "exact", "directory"),
  "imageLoadEvent/fileExtension": m(MODULE, "the mapped image's extension", "exact", "extension"),
  "imageLoadEvent/pid": m("ProcessItem/pid", "the loading process"),
  "imageLoadEvent/parentPid": m("ProcessItem/parentpid", "the loading process's parent id"),
  "imageLoadEvent/process": m("ProcessItem/name", "the loading process's name"),
  "imageLoadEvent/processPath": m("ProcessItem/path", "full path versus directory, as for processEvent/processPath", "approximate"),
  "imageLoadEvent/username": m("ProcessItem/Username", "the loading process's account"),
  // Unmapped: devicePath, drive (no per-module field), timestamp.

  // A connection event describes a socket; an open socket is a PortItem.
  "ipv4NetworkEvent/localIP": m("PortItem/localIP", "the local address"),
  "ipv4NetworkEvent/localPort": m("PortItem/localPort", "the local port"),
  "ipv4NetworkEvent/remoteIP": m("PortItem/remoteIP", "the remote address"),
  "ipv4NetworkEvent/remotePort": m("PortItem/remotePort", "the remote port"),
  "ipv4NetworkEvent/protocol": m("PortItem/protocol", "TCP or UDP"),
  "ipv4NetworkEvent/pid": m("PortItem/pid", "the owning process id"),
  "ipv4NetworkEvent/process": m("PortItem/process", "the owning process name"),
  "ipv4NetworkEvent/processPath": m("PortItem/path", "the owning process's path"),
  // Unmapped: username (PortItem has no account), timestamp.

  // A lookup leaves a cache entry; only the name carries over.
  "dnsLookupEvent/hostname": m("DnsEntryItem/Host", "a name looked up may or may not still be cached", "approximate"),
  // Unmapped: pid, process, processPath, username (a cache entry has no process).
};

/** The event documents (HX real-time terms). regKeyEvent, urlMonitorEvent: never mapped. */
export const EVENT_DOCUMENTS: readonly string[] = [
  "addressNotificationEvent",
  "dnsLookupEvent",
  "fileWriteEvent",
  "imageLoadEvent",
  "ipv4NetworkEvent",
  "processEvent",
  "regKeyEvent",
  "urlMonitorEvent",
];

const EVENT_DOCS_LOWER = new Set(EVENT_DOCUMENTS.map((d) => d.toLowerCase()));

/** True for an event document (any case); `eventItem` itself counts too. */
export function isEventDocument(document: string): boolean {
  const lower = document.toLowerCase();
  return lower === "eventitem" || EVENT_DOCS_LOWER.has(lower);
}

/** The full mapping of an event term (any spelling `lookupTerm` resolves), or undefined. */
export function eventTermMapping(term: string): EventTermMapping | undefined {
  const canonical = lookupTerm(term)?.term ?? term;
  return Object.hasOwn(EVENT_TERM_MAP, canonical) ? EVENT_TERM_MAP[canonical] : undefined;
}

/** The host-state term an event term reads as (`processEvent/process` → `ProcessItem/name`), or undefined. */
export function mapEventTerm(term: string): string | undefined {
  return eventTermMapping(term)?.target;
}

/** Reads a host-state value the way a mapping's {@link EventValueView} says. */
export function applyEventView(view: EventValueView, value: string): string {
  if (view === "value") return value;
  const cut = Math.max(value.lastIndexOf("/"), value.lastIndexOf("\\"));
  const base = value.slice(cut + 1);
  if (view === "basename") return base;
  if (view === "extension") {
    const dot = base.lastIndexOf(".");
    return dot > 0 ? base.slice(dot + 1) : "";
  }
  const dir = cut < 0 ? "" : value.slice(0, cut);
  return dir.replace(/^[A-Za-z]:/, "").replace(/^[\\/]+|[\\/]+$/g, "");
}
