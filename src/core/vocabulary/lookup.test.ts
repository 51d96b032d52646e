import { describe, expect, it } from "vitest";
import { allDocuments, allTerms, lookupTerm } from "./lookup.js";
import { TERM_ROWS } from "./terms.generated.js";

describe("lookupTerm", () => {
  it("resolves the exact spelling", () => {
    const info = lookupTerm("FileItem/Md5sum");
    expect(info).toMatchObject({ term: "FileItem/Md5sum", document: "FileItem", type: "md5", inMir2013: true });
    expect(info?.platforms).toEqual(["win", "osx", "linux"]);
  });

  it("resolves third-party case variants to the canonical spelling", () => {
    expect(lookupTerm("FileItem/MD5Sum")?.term).toBe("FileItem/Md5sum");
    expect(lookupTerm("fileitem/md5sum")?.term).toBe("FileItem/Md5sum");
    expect(lookupTerm("PROCESSITEM/NAME")?.term).toBe("ProcessItem/name");
  });

  it("prefers the exact spelling when two terms differ only in case", () => {
    expect(lookupTerm("CookieHistoryItem/IsHttpOnly")?.term).toBe("CookieHistoryItem/IsHttpOnly");
    expect(lookupTerm("CookieHistoryItem/IsHTTPOnly")?.term).toBe("CookieHistoryItem/IsHTTPOnly");
    // case-folded: the current term, not its deprecated twin
    expect(lookupTerm("cookiehistoryitem/ishttponly")?.term).toBe("CookieHistoryItem/IsHTTPOnly");
  });

  it("strips a leading eventItem/ from event terms", () => {
    expect(lookupTerm("eventItem/processEvent/processCmdLine")?.term).toBe("processEvent/processCmdLine");
    expect(lookupTerm("EVENTITEM/processEvent/pid")).toMatchObject({ term: "processEvent/pid", document: "processEvent", type: "int" });
    expect(lookupTerm("processEvent/processCmdLine")?.document).toBe("processEvent");
  });

  it("keeps the generic event fields under eventItem, with or without the prefix", () => {
    expect(lookupTerm("eventItem/timestamp")).toMatchObject({ term: "eventItem/timestamp", document: "eventItem", type: "date" });
    expect(lookupTerm("timestamp")?.term).toBe("eventItem/timestamp");
  });

  it("ignores surrounding whitespace and returns undefined for unknown terms", () => {
    expect(lookupTerm(" FileItem/FileName ")?.term).toBe("FileItem/FileName");
    expect(lookupTerm("FileItem/NoSuchThing")).toBeUndefined();
    expect(lookupTerm("")).toBeUndefined();
    expect(lookupTerm("ProcessItem/cmdLine")).toBeUndefined(); // openioc_scan only
  });

  it("types terms from the 2020 list first", () => {
    expect(lookupTerm("FileItem/SizeInBytes")?.type).toBe("uint64"); // int in 2013
    expect(lookupTerm("FileItem/PEInfo/PETimeStamp")?.type).toBe("date");
    expect(lookupTerm("PortItem/remoteIP")?.type).toBe("ip");
    expect(lookupTerm("FileItem/Sha256sum")?.type).toBe("sha256");
    expect(lookupTerm("FileItem/PeakEntropy")?.type).toBe("float"); // double
    expect(lookupTerm("ProcessItem/SectionList/MemorySection/Injected")?.type).toBe("bool");
    expect(lookupTerm("fileWriteEvent/size")?.type).toBe("uint64"); // double in eventitem.iocterms
  });

  it("widens a term one list declares twice with different types", () => {
    expect(lookupTerm("DnsEntryItem/TimeToLive")).toMatchObject({ type: "string", platforms: ["win", "osx"] });
    expect(lookupTerm("FileItem/SecurityID")?.platforms).toEqual(["win", "osx", "linux"]);
  });

  it("knows the 2013-only, yara and vendor-marked terms", () => {
    expect(lookupTerm("Network/HTTP_Referr")).toMatchObject({ inMir2013: true, platforms: [], informational: true });
    expect(lookupTerm("Yara/TextString")).toMatchObject({ document: "Yara", informational: false, inMir2013: false });
    expect(lookupTerm("Snort/Snort")).toMatchObject({ informational: true, vendorStatus: "unsupported" });
    expect(lookupTerm("CookieHistoryItem/IsHttpOnly")?.vendorStatus).toBe("deprecated");
    expect(lookupTerm("FileItem/Md5sum")).not.toHaveProperty("vendorStatus");
  });

  it("marks Network, Email and Snort terms informational and nothing else", () => {
    const informational = new Set(allTerms().filter((t) => t.informational).map((t) => t.document));
    expect([...informational].sort()).toEqual(["Email", "Network", "Snort"]);
  });
});

describe("the generated table", () => {
  it("is sorted by code unit with no duplicates", () => {
    const names = TERM_ROWS.map((r) => r[0]);
    for (let i = 1; i < names.length; i++) expect((names[i - 1] ?? "") < (names[i] ?? "")).toBe(true);
  });

  it("holds the merged lists", () => {
    expect(allTerms().length).toBeGreaterThan(1300);
    expect(allDocuments()).toEqual(expect.arrayContaining(["FileItem", "ProcessItem", "processEvent", "eventItem", "Yara"]));
    expect(allTerms().filter((t) => t.term.startsWith("eventItem/")).every((t) => !t.term.slice(10).includes("Event/"))).toBe(true);
  });

  it("returns the same frozen objects on every call", () => {
    const a = lookupTerm("FileItem/FileName");
    expect(lookupTerm("fileitem/filename")).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });
});
