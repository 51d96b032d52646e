import { describe, expect, it } from "vitest";
import { EVENT_DOCUMENTS, EVENT_TERM_MAP, applyEventView, eventTermMapping, isEventDocument, mapEventTerm } from "./event-mapping.js";
import { lookupTerm } from "./lookup.js";

describe("EVENT_TERM_MAP", () => {
  const entries = Object.entries(EVENT_TERM_MAP);

  it.each(entries)("%s is an event term and maps to an existing host-state term", (event, mapping) => {
    const source = lookupTerm(event);
    expect(source?.term).toBe(event);
    expect(isEventDocument(source?.document ?? "")).toBe(true);
    const target = lookupTerm(mapping.target);
    expect(target?.term).toBe(mapping.target);
    expect(isEventDocument(target?.document ?? "processEvent")).toBe(false);
    expect(mapping.why).not.toBe("");
  });

  it("maps all terms of one event document into one host-state document", () => {
    const byEvent = new Map<string, Set<string>>();
    for (const [event, mapping] of entries) {
      const doc = event.split("/")[0] ?? "";
      const set = byEvent.get(doc) ?? new Set();
      set.add(mapping.target.split("/")[0] ?? "");
      byEvent.set(doc, set);
    }
    for (const targets of byEvent.values()) expect(targets.size).toBe(1);
    expect([...byEvent.keys()].sort()).toEqual(["dnsLookupEvent", "fileWriteEvent", "imageLoadEvent", "ipv4NetworkEvent", "processEvent"]);
  });

  it("maps onto a term of the same value type", () => {
    for (const [event, mapping] of entries) {
      const from = lookupTerm(event)?.type;
      const to = lookupTerm(mapping.target)?.type;
      expect({ event, type: to }).toEqual({ event, type: from });
    }
  });
});

describe("mapEventTerm", () => {
  it.each([
    ["processEvent/process", "ProcessItem/name"],
    ["processEvent/processPath", "ProcessItem/path"],
    ["processEvent/processCmdLine", "ProcessItem/arguments"],
    ["processEvent/pid", "ProcessItem/pid"],
    ["processEvent/parentPid", "ProcessItem/parentpid"],
    ["fileWriteEvent/fullPath", "FileItem/FullPath"],
    ["fileWriteEvent/fileName", "FileItem/FileName"],
    ["fileWriteEvent/filePath", "FileItem/FilePath"],
    ["fileWriteEvent/md5", "FileItem/Md5sum"],
    ["fileWriteEvent/size", "FileItem/SizeInBytes"],
    ["fileWriteEvent/fileExtension", "FileItem/FileExtension"],
    ["imageLoadEvent/fullPath", "ProcessItem/SectionList/MemorySection/Name"],
    ["imageLoadEvent/fileName", "ProcessItem/SectionList/MemorySection/Name"],
    ["ipv4NetworkEvent/remoteIP", "PortItem/remoteIP"],
    ["ipv4NetworkEvent/localPort", "PortItem/localPort"],
    ["dnsLookupEvent/hostname", "DnsEntryItem/Host"],
  ])("%s → %s", (event, target) => {
    expect(mapEventTerm(event)).toBe(target);
  });

  it("resolves eventItem/ prefixes and case variants", () => {
    expect(mapEventTerm("eventItem/processEvent/processCmdLine")).toBe("ProcessItem/arguments");
    expect(mapEventTerm("PROCESSEVENT/PROCESS")).toBe("ProcessItem/name");
  });

  it("leaves terms without a same-record equivalent unmapped", () => {
    for (const term of ["processEvent/parentProcess", "processEvent/parentProcessPath", "processEvent/md5", "processEvent/eventType", "fileWriteEvent/textAtLowestOffset", "regKeyEvent/path", "urlMonitorEvent/requestUrl", "dnsLookupEvent/process"]) {
      expect(mapEventTerm(term), term).toBeUndefined();
    }
    expect(mapEventTerm("FileItem/Md5sum")).toBeUndefined();
    expect(mapEventTerm("toString")).toBeUndefined();
  });

  it("gives the view for image loads", () => {
    expect(eventTermMapping("imageLoadEvent/fileName")?.view).toBe("basename");
    expect(eventTermMapping("imageLoadEvent/filePath")?.view).toBe("directory");
    expect(eventTermMapping("processEvent/processPath")?.fidelity).toBe("approximate");
  });
});

describe("isEventDocument", () => {
  it("knows the HX documents", () => {
    for (const d of EVENT_DOCUMENTS) expect(isEventDocument(d)).toBe(true);
    expect(isEventDocument("eventItem")).toBe(true);
    expect(isEventDocument("PROCESSEVENT")).toBe(true);
    expect(isEventDocument("ProcessItem")).toBe(false);
  });
});

describe("applyEventView", () => {
  it("reads Windows and POSIX paths", () => {
    expect(applyEventView("value", "C:\\Windows\\System32\\x.dll")).toBe("C:\\Windows\\System32\\x.dll");
    expect(applyEventView("basename", "C:\\Windows\\System32\\dismcore.dll")).toBe("dismcore.dll");
    expect(applyEventView("basename", "/usr/lib/libc.so.6")).toBe("libc.so.6");
    expect(applyEventView("directory", "C:\\Windows\\System32\\dismcore.dll")).toBe("Windows\\System32");
    expect(applyEventView("directory", "/usr/lib/libc.so.6")).toBe("usr/lib");
    expect(applyEventView("directory", "libc.so.6")).toBe("");
    expect(applyEventView("extension", "C:\\x\\evil.DLL")).toBe("DLL");
    expect(applyEventView("extension", "/x/.bashrc")).toBe("");
    expect(applyEventView("extension", "/x/noext")).toBe("");
  });
});
