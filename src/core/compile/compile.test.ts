import { describe, expect, it } from "vitest";
import { and, ioc, item, not, or, plan, record, run } from "../evaluate/_test-builders.js";

describe("term resolution", () => {
  it("resolves terms case-insensitively (third-party spellings like FileItem/MD5Sum)", () => {
    const p = plan(ioc(or(item("FileItem/MD5Sum", "is", "0123456789abcdef0123456789abcdef"))));
    expect(p.items.at(0)).toMatchObject({ term: "FileItem/Md5sum", field: "Md5sum", type: "md5", status: { kind: "supported" } });
  });

  it("an unknown term is UNKNOWN (IOC020)", () => {
    const p = plan(ioc(or(item("FileItem/NoSuchThing", "is", "x"))));
    expect(p.items.at(0)?.status).toMatchObject({ kind: "unknown", reason: "unknown-term", code: "IOC020" });
  });

  it("a term not collected on the platform is UNKNOWN (IOC021); the platform is an option", () => {
    expect(plan(ioc(or(item("RegistryItem/Path", "is", "x")))).items.at(0)?.status).toMatchObject({ reason: "not-collected" });
    expect(plan(ioc(or(item("FileItem/FileName", "is", "x"))), { platform: "win" }).items.at(0)?.status).toMatchObject({ reason: "not-collected" });
    expect(plan(ioc(or(item("FileItem/FileName", "is", "x")))).platform).toBe("linux");
  });

  it("Network/*, Email/*, Snort are informational: UNKNOWN (IOC022)", () => {
    for (const term of ["Network/DNS", "Network/URI", "Email/From", "Snort/Snort"]) {
      expect(plan(ioc(or(item(term, "is", "x")))).items.at(0)?.status).toMatchObject({ kind: "unknown", reason: "informational" });
    }
  });

  it("mapNetworkTerms reads Network/DNS as DnsEntryItem/Host", () => {
    const p = plan(ioc(or(item("Network/DNS", "contains", "evil.example"))), { mapNetworkTerms: true });
    expect(p.items.at(0)).toMatchObject({ term: "DnsEntryItem/Host", mappedFrom: "Network/DNS", status: { kind: "supported" } });
    const { detections } = run(p, [record("DnsEntryItem", "c2.evil.example", { Host: "c2.evil.example" })]);
    expect(detections[0]?.mappedItems).toHaveLength(1);
  });
});

describe("HX event terms map onto host-state terms by default (semantics 7.9)", () => {
  it("processEvent/processCmdLine is read as ProcessItem/arguments and reported as mapped", () => {
    const p = plan(ioc(and(item("processEvent/process", "is", "rundll32.exe"), item("processEvent/processCmdLine", "contains", "javascript:"))));
    expect([...p.items].map((i) => i.term)).toEqual(["ProcessItem/name", "ProcessItem/arguments"]);
    expect(p.units).toHaveLength(1); // one event conjunction stays one process
    const { detections } = run(p, [record("ProcessItem", "77", { name: "rundll32.exe", arguments: 'rundll32.exe javascript:"\\..\\mshtml"' })]);
    expect(detections[0]?.mappedItems).toEqual(detections[0]?.matchedItems);
  });

  it("the eventItem/ prefix is accepted", () => {
    expect(plan(ioc(or(item("eventItem/processEvent/process", "is", "x")))).items.at(0)?.term).toBe("ProcessItem/name");
  });

  it("imageLoadEvent/fileName reads the base name of the process's mapped files", () => {
    const p = plan(ioc(and(item("imageLoadEvent/fileName", "is", "dismcore.dll"), item("imageLoadEvent/process", "is", "x.exe"))));
    expect(p.items.at(0)).toMatchObject({ field: "SectionList/MemorySection/Name", view: "basename" });
    const ok = record("ProcessItem", "5", { name: "x.exe", "SectionList/MemorySection/Name": ["/usr/lib/libc.so", "C:\\Temp\\DismCore.dll"] });
    expect(run(p, [ok]).verdict).toBe("true");
  });

  it("mapEvents: false leaves event terms UNKNOWN", () => {
    const p = plan(ioc(or(item("processEvent/process", "is", "x"))), { mapEvents: false });
    expect(p.items.at(0)?.status).toMatchObject({ kind: "unknown", reason: "event-term" });
  });

  it("event terms with no host-state equivalent stay UNKNOWN", () => {
    expect(plan(ioc(or(item("regKeyEvent/path", "is", "x")))).items.at(0)?.status).toMatchObject({ kind: "unknown", reason: "event-term" });
  });
});

describe("what the plan tells collection", () => {
  const p = plan([
    ioc(or(item("FileItem/Md5sum", "is", "0123456789abcdef0123456789abcdef"), and(item("FileItem/FileName", "is", "a"), item("FileItem/SizeInBytes", "is", "1")))),
    ioc(or(item("ProcessItem/name", "is", "x"), item("RegistryItem/Path", "is", "y"))),
  ]);

  it("lists the documents and fields needed (supported items only)", () => {
    expect([...p.documents.keys()].sort()).toEqual(["FileItem", "ProcessItem"]);
    expect(p.documents.get("FileItem")?.fields).toEqual(["FileName", "Md5sum", "SizeInBytes"]);
  });

  it("counts items and supported items per IOC", () => {
    expect(p.iocs.map((i) => [i.items, i.supportedItems])).toEqual([
      [3, 3],
      [2, 1],
    ]);
  });

  it("10,000 hash items share one channel (one map look-up per record)", () => {
    const hashes = Array.from({ length: 10_000 }, (_, i) => item("FileItem/Md5sum", "is", i.toString(16).padStart(32, "0")));
    const q = plan(ioc(or(...hashes)));
    expect(q.documents.get("FileItem")?.channels).toHaveLength(1);
    const { detections } = run(q, [record("FileItem", "/x", { Md5sum: (9999).toString(16).padStart(32, "0") })]);
    expect(detections[0]?.matchedItems).toEqual([hashes[9999]?.id]);
  });

  it("many contains items on one field share one automaton", () => {
    const needles = Array.from({ length: 2000 }, (_, i) => item("FileItem/FullPath", "contains", `needle${i}x`));
    const q = plan(ioc(or(...needles)));
    expect(q.documents.get("FileItem")?.channels).toHaveLength(1);
    expect(run(q, [record("FileItem", "/a/NEEDLE1234X/b", { FullPath: "/a/NEEDLE1234X/b" })]).detections[0]?.matchedItems).toEqual([needles[1234]?.id]);
  });
});

describe("binding units", () => {
  it("a negation-only unit is dropped with IOC025 and never evaluated", () => {
    const p = plan(ioc(or(not(item("FileItem/FileName", "is", "x")), item("ProcessItem/name", "is", "y"))));
    expect(p.units.map((u) => u.document)).toEqual(["ProcessItem"]);
    expect(p.iocs[0]?.diagnostics.map((d) => d.code)).toContain("IOC025");
  });

  it("records which units are vacuous (satisfiable with no condition holding)", () => {
    const p = plan(ioc(or(item("FileItem/FileName", "is", "x"), not(item("FileItem/FilePath", "is", "y")))));
    expect(p.units[0]?.vacuous).toBe(2);
    expect(p.documents.get("FileItem")?.vacuousUnits).toEqual([0]);
  });

  it("an IOC without criteria is FALSE", () => {
    const doc = { ...ioc(or()), criteria: undefined } as unknown as Parameters<typeof plan>[0];
    expect(run(plan(doc), []).verdict).toBe("false");
  });
});

describe("createPlanBuilder", () => {
  it("adding IOCs one at a time then building equals compilePlan over them all", async () => {
    const { compilePlan, createPlanBuilder } = await import("./compile.js");
    const docs = [
      ioc(and(item("FileItem/FileName", "is", "a.exe"), not(item("FileItem/Md5sum", "is", "0123456789abcdef0123456789abcdef")))),
      ioc(or(item("ProcessItem/name", "contains", "evil"), item("FileItem/SizeInBytes", "is", "10 TO 20", { contentType: "int" }))),
      ioc(or(item("RegistryItem/Path", "is", "x"))),
    ].map((document, i) => ({ file: `f${i}.ioc`, document }));
    const builder = createPlanBuilder({});
    for (const input of docs) builder.add(input);
    const built = builder.build();
    const whole = compilePlan(docs, {});
    expect(built.iocs).toEqual(whole.iocs);
    expect(built.items).toEqual(whole.items);
    expect(built.units).toEqual(whole.units);
    expect(built.unitsOfItem).toEqual(whole.unitsOfItem);
    expect([...built.documents.keys()]).toEqual([...whole.documents.keys()]);
    for (const [doc, dp] of built.documents) expect({ ...dp, channels: dp.channels.length }).toEqual({ ...whole.documents.get(doc), channels: whole.documents.get(doc)?.channels.length });
    const records = [record("FileItem", "/a.exe", { FileName: "a.exe", SizeInBytes: 15 }), record("ProcessItem", "1", { name: "evil" })];
    expect(run(built, records).detections).toEqual(run(whole, records).detections);
    expect(() => builder.add(docs[0] as (typeof docs)[number])).toThrow();
    expect(() => builder.build()).toThrow();
  });
});
