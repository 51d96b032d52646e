/**
 * The real shapes from the shared corpus (read in place, never copied): APT1 GDOCUPLOAD
 * (name + size + PE timestamp on ONE file), Stuxnet (registry UNKNOWN on Linux; file name +
 * signer), Zeus (process name + handle list on one process), and every real file compiled.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createRe2Engine } from "../../scan/regex/re2-engine.js";
import { compilePlan } from "../compile/compile.js";
import type { EvaluationPlan } from "../compile/plan-types.js";
import { parseIoc } from "../ioc/parse.js";
import { and, ioc, item, or, plan as planOf, record, run } from "./_test-builders.js";
import type { HostRecord } from "./types.js";

const shared = fileURLToPath(new URL("../../../../shared/corpus/openioc/real/", import.meta.url));
const present = existsSync(shared);
const regexEngine = createRe2Engine();

function load(relative: string): EvaluationPlan {
  const { document } = parseIoc(readFileSync(join(shared, relative)));
  if (!document) throw new Error(`cannot parse ${relative}`);
  return compilePlan([{ file: relative, document }], { regexEngine });
}

const file = (path: string, fields: HostRecord["fields"]) => record("FileItem", path, { FullPath: path, FileName: path.split("/").pop() ?? "", ...fields });

describe.skipIf(!present)("APT1 GDOCUPLOAD: name + size + PE timestamp must hold on ONE file", () => {
  const p = present ? load("apt1-appendix-g/0c7c902c-67f8-479c-9f44-4d985106365a.ioc") : undefined;
  const host = (records: HostRecord[]) => run(p as EvaluationPlan, records);

  it("detects a file with all three", () => {
    const { detections } = host([file("/srv/share/gdocs.exe", { SizeInBytes: 104448, "PEInfo/PETimeStamp": "2011-03-18T02:41:49Z" })]);
    expect(detections).toHaveLength(1);
    const d = detections[0];
    expect(d?.iocTitle).toBe("GDOCUPLOAD (FAMILY)");
    expect(d?.objects).toMatchObject([{ document: "FileItem", id: "/srv/share/gdocs.exe", actionable: true }]);
    expect(d?.matchedItems).toEqual(["df3e85c7-82a9-4032-b860-03c5e891d3b0", "995a7833-1780-4b17-b5fa-944f6d8f51b1", "3cfaf45b-31a1-4f1e-a690-09f132e5c612"]);
    expect(d?.objects[0]?.fields).toEqual({ FileName: "gdocs.exe", SizeInBytes: 104448, "PEInfo/PETimeStamp": "2011-03-18T02:41:49Z" });
  });

  it("is NOT a detection when name, size and timestamp are on different files", () => {
    const { detections, verdict } = host([
      file("/a/gdocs.exe", { SizeInBytes: 1, "PEInfo/PETimeStamp": "2000-01-01T00:00:00Z" }),
      file("/b/x.bin", { SizeInBytes: 104448, "PEInfo/PETimeStamp": "2000-01-01T00:00:00Z" }),
      file("/c/y.bin", { SizeInBytes: 2, "PEInfo/PETimeStamp": "2011-03-18T02:41:49Z" }),
    ]);
    expect(detections).toEqual([]);
    expect(verdict).not.toBe("true");
  });

  it("detects one of its MD5s alone", () => {
    expect(host([file("/x/y", { Md5sum: "B305B543DA332A2FCF6E1CE55ED2EA79" })]).detections).toHaveLength(1);
  });

  it("size + timestamp without the name is UNKNOWN (the PE anomaly item is not collected on Linux), not a detection", () => {
    const { verdict } = host([file("/b/x.bin", { SizeInBytes: 104448, "PEInfo/PETimeStamp": "2011-03-18T02:41:49Z" })]);
    expect(verdict).toBe("unknown");
  });
});

describe.skipIf(!present)("Stuxnet on Linux: registry UNKNOWN, file name + signer", () => {
  const p = present ? load("openioc-to-stix-examples/examples/stuxnet.ioc.xml") : undefined;

  it("registry and driver items are UNKNOWN on Linux, file name items supported", () => {
    const status = (term: string) => new Set([...(p as EvaluationPlan).items].filter((i) => i.term === term).map((i) => i.status.kind));
    expect(status("RegistryItem/Path")).toEqual(new Set(["unknown"]));
    expect(status("DriverItem/DeviceItem/AttachedToDriverName")).toEqual(new Set(["unknown"]));
    expect(status("FileItem/FileName")).toEqual(new Set(["supported"]));
  });

  it("a dropped .PNF file is a detection", () => {
    const { detections } = run(p as EvaluationPlan, [file("/mnt/win/inf/mdmcpq3.PNF", {})]);
    expect(detections[0]?.objects.map((o) => o.id)).toEqual(["/mnt/win/inf/mdmcpq3.PNF"]);
  });

  it("mrxcls.sys without a collectable signer is UNKNOWN, never a detection", () => {
    const { verdict, detections } = run(p as EvaluationPlan, [file("/mnt/win/drivers/mrxcls.sys", {})]);
    expect(detections).toEqual([]);
    expect(verdict).toBe("unknown");
  });

  it("a clean Linux host is UNKNOWN (registry/driver parts cannot be decided), not FALSE and not TRUE", () => {
    expect(run(p as EvaluationPlan, [file("/bin/ls", {})]).verdict).toBe("unknown");
  });

  it("the file name + signer shape binds one file (synthetic twin with the collectable PE section name)", () => {
    const twin = planOf(ioc(and(item("FileItem/FileName", "contains", "mrxcls.sys"), item("FileItem/PEInfo/Sections/Section/Name", "contains", ".stub"))));
    expect(run(twin, [file("/d/mrxcls.sys", { "PEInfo/Sections/Section/Name": [".text", ".stub"] })]).verdict).toBe("true");
    expect(run(twin, [file("/d/mrxcls.sys", { "PEInfo/Sections/Section/Name": [".text"] }), file("/d/other.sys", { "PEInfo/Sections/Section/Name": [".stub"] })]).verdict).toBe("false");
  });
});

describe.skipIf(!present)("Zeus: process name and handles bind to one process", () => {
  const p = present ? load("openioc-to-stix-examples/examples/zeus.ioc.xml") : undefined;

  it("is never TRUE on Linux, where handle types are not collected", () => {
    const winlogon = record("ProcessItem", "600", { name: "winlogon.exe", "HandleList/Handle/Name": ["C:\\WINDOWS\\system32\\sdra64.exe"] });
    const { verdict, detections } = run(p as EvaluationPlan, [winlogon]);
    expect(detections).toEqual([]);
    expect(verdict).toBe("unknown");
  });

  it("the same shape on collectable terms: the handle must belong to the named process", () => {
    const shape = planOf(ioc(or(and(item("ProcessItem/name", "contains", "winlogon.exe"), or(item("ProcessItem/HandleList/Handle/Name", "contains", "system32\\sdra64.exe"), item("ProcessItem/HandleList/Handle/Name", "contains", "system32\\lowsec\\user.ds"))))));
    const good = record("ProcessItem", "600", { name: "winlogon.exe", "HandleList/Handle/Name": ["\\Device\\x", "C:\\WINDOWS\\system32\\lowsec\\user.ds"] });
    expect(run(shape, [good]).detections[0]?.objects).toMatchObject([{ id: "600", fields: { name: "winlogon.exe", "HandleList/Handle/Name": ["C:\\WINDOWS\\system32\\lowsec\\user.ds"] } }]);
    const split = [record("ProcessItem", "600", { name: "winlogon.exe", "HandleList/Handle/Name": [] }), record("ProcessItem", "700", { name: "bash", "HandleList/Handle/Name": ["C:\\WINDOWS\\system32\\sdra64.exe"] })];
    expect(run(shape, split).verdict).toBe("false");
  });
});

describe.skipIf(!present)("no global DNF: APT1 GREENCAT (25,134 conjunctions if expanded)", () => {
  it("compiles into a handful of binding units and evaluates per record", () => {
    const p = load("apt1-appendix-g/12a40bf7-4834-49b0-a419-6abb5fe2b291.ioc");
    expect(p.iocs[0]?.title).toBe("GREENCAT (FAMILY)");
    expect(p.units.length).toBeLessThan(10);
    const { verdict } = run(p, [file("/x/clean.bin", { SizeInBytes: 1, Md5sum: "0".repeat(32) })]);
    expect(verdict).not.toBe("true");
  });
});

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : /\.(ioc|xml)$/i.test(name) ? [path] : [];
  });
}

describe.skipIf(!present)("every real IOC compiles together into one plan", () => {
  it("compiles all files at once, with no global DNF blow-up, and evaluates an empty host", () => {
    const inputs = filesUnder(shared).flatMap((path) => {
      const { document } = parseIoc(readFileSync(path));
      return document ? [{ file: path, document }] : [];
    });
    const start = performance.now();
    const p = compilePlan(inputs, { regexEngine });
    const elapsed = performance.now() - start;
    expect(p.iocs.length).toBe(inputs.length);
    expect(elapsed).toBeLessThan(10_000);
    // Units stay near the number of single-document subtrees: nothing like 25,134 conjunctions.
    expect(p.units.length).toBeLessThan(2 * p.iocs.length + 200);
    const { verdicts } = run(p, [], ["FileItem", "ProcessItem", "PortItem"]);
    expect(verdicts.filter((v) => v.verdict === "true")).toEqual([]);
  });

  it("unknown-platform documents: on a platform with no collectors every IOC is UNKNOWN or FALSE, never TRUE", () => {
    const inputs = filesUnder(shared).slice(0, 60).flatMap((path) => {
      const { document } = parseIoc(readFileSync(path));
      return document ? [{ file: path, document }] : [];
    });
    const p = compilePlan(inputs, { platform: "osx", regexEngine });
    expect(p.iocs.every((i) => i.supportedItems <= i.items)).toBe(true);
    const { verdicts } = run(p, [file("/a/b", { Md5sum: "b305b543da332a2fcf6e1ce55ed2ea79" })]);
    expect(verdicts.some((v) => v.verdict === "true")).toBe(false);
  });
});
