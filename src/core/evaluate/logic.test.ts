import { describe, expect, it } from "vitest";
import { and, ioc, item, not, or, plan, record, run } from "./_test-builders.js";

const file = (id: string, fields: Record<string, string | number | string[]>) => record("FileItem", id, fields);
/** RegistryItem is not collected on Linux: its items are UNKNOWN. */
const registry = () => item("RegistryItem/Path", "contains", "Run");

describe("three-valued logic (semantics 7.7)", () => {
  it("an unsupported item is UNKNOWN, and NOT UNKNOWN is UNKNOWN", () => {
    expect(run(plan(ioc(or(registry()))), []).verdict).toBe("unknown");
    expect(run(plan(ioc(or(not(registry())))), []).verdict).toBe("unknown");
    const p = plan(ioc(and(item("FileItem/FileName", "is", "a"), not(registry()))));
    expect(run(p, [file("/a", { FileName: "a" })]).verdict).toBe("unknown");
  });

  it("AND is FALSE if any child is FALSE, else UNKNOWN if any is UNKNOWN", () => {
    const p = plan(ioc(and(item("ProcessItem/name", "is", "x"), registry())));
    expect(run(p, [record("ProcessItem", "1", { name: "y" })]).verdict).toBe("false");
    expect(run(p, [record("ProcessItem", "1", { name: "x" })]).verdict).toBe("unknown");
  });

  it("OR is TRUE if any child is TRUE, whatever the others", () => {
    const p = plan(ioc(or(item("ProcessItem/name", "is", "x"), registry())));
    expect(run(p, [record("ProcessItem", "1", { name: "x" })]).verdict).toBe("true");
    expect(run(p, [record("ProcessItem", "1", { name: "y" })]).verdict).toBe("unknown");
  });

  it("only TRUE at the root is a detection", () => {
    const p = plan(ioc(or(registry(), item("FileItem/FileName", "is", "zzz"))));
    const { detections, verdict } = run(p, [file("/a", { FileName: "a" })]);
    expect(verdict).toBe("unknown");
    expect(detections).toEqual([]);
  });

  it("an empty AND or OR is FALSE, never vacuously TRUE", () => {
    expect(run(plan(ioc(and())), [file("/a", { FileName: "a" })]).verdict).toBe("false");
    expect(run(plan(ioc(or(and(), item("FileItem/FileName", "is", "zz")))), [file("/a", { FileName: "a" })]).verdict).toBe("false");
    expect(plan(ioc(and())).iocs[0]?.diagnostics.map((d) => d.code)).toContain("IOC032");
  });
});

describe("uncollected documents and missing fields", () => {
  const p = plan(ioc(or(item("ProcessItem/name", "is", "evil"))));

  it("a document that was not collected is UNKNOWN, not FALSE", () => {
    expect(run(p, [], ["FileItem"]).verdict).toBe("unknown");
  });

  it("a collected document with no matching record is FALSE", () => {
    expect(run(p, [], ["ProcessItem"]).verdict).toBe("false");
    expect(run(p, [record("ProcessItem", "1", { name: "bash" })]).verdict).toBe("false");
  });

  it("NOT over an uncollected document never turns TRUE", () => {
    // The process part has a positive item, so it is evaluated (as UNKNOWN: not collected) ...
    const q = plan(ioc(and(item("FileItem/FileName", "is", "a"), and(item("ProcessItem/name", "is", "x"), not(item("ProcessItem/arguments", "contains", "evil"))))));
    expect(run(q, [file("/a", { FileName: "a" })], ["FileItem"]).verdict).toBe("unknown");
    // ... a process part made only of negated items never matches at all (rule 7.6 a).
    const r = plan(ioc(and(item("FileItem/FileName", "is", "a"), not(item("ProcessItem/name", "is", "evil")))));
    expect(run(r, [file("/a", { FileName: "a" })], ["FileItem"]).detections).toEqual([]);
  });

  it("NOT over a Windows-only document (RegistryItem on Linux) never turns TRUE", () => {
    const q = plan(ioc(and(item("FileItem/FileName", "is", "a"), not(registry()))));
    const { verdict, detections } = run(q, [file("/a", { FileName: "a" }), record("RegistryItem", "HKLM\\x", { Path: "HKLM\\x" })]);
    expect(verdict).toBe("unknown");
    expect(detections).toEqual([]);
  });

  it("a missing field makes the item FALSE, so the negated item TRUE", () => {
    const q = plan(ioc(and(item("FileItem/FileName", "is", "a"), not(item("FileItem/PEInfo/Type", "is", "Dll")))));
    expect(run(q, [file("/a", { FileName: "a" })]).verdict).toBe("true");
    expect(run(q, [file("/a", { FileName: "a", "PEInfo/Type": "dll" })]).verdict).toBe("false");
    const r = plan(ioc(or(item("FileItem/PEInfo/Type", "is", "Dll"))));
    expect(run(r, [file("/a", { FileName: "a" })]).verdict).toBe("false");
  });

  it("null counts as missing", () => {
    const q = plan(ioc(or(item("FileItem/FileName", "is", ""))));
    expect(run(q, [record("FileItem", "/a", { FileName: null })]).verdict).toBe("false");
  });
});

describe("list-valued fields: any element (semantics 7.3)", () => {
  const handle = (v: string, negate = false) => item("ProcessItem/HandleList/Handle/Name", "contains", v, { negate });

  it("matches when any element matches", () => {
    const p = plan(ioc(or(handle("sdra64"))));
    expect(run(p, [record("ProcessItem", "1", { "HandleList/Handle/Name": ["/dev/null", "C:\\system32\\sdra64.exe"] })]).verdict).toBe("true");
  });

  it("negated: no element may match", () => {
    const p = plan(ioc(and(item("ProcessItem/name", "is", "x"), handle("sdra64", true))));
    expect(run(p, [record("ProcessItem", "1", { name: "x", "HandleList/Handle/Name": ["a", "sdra64"] })]).verdict).toBe("false");
    expect(run(p, [record("ProcessItem", "1", { name: "x", "HandleList/Handle/Name": ["a", "b"] })]).verdict).toBe("true");
  });

  it("two ANDed items on one list may hit different elements", () => {
    const p = plan(ioc(and(handle("alpha"), handle("beta"))));
    expect(run(p, [record("ProcessItem", "1", { "HandleList/Handle/Name": ["alpha", "beta"] })]).verdict).toBe("true");
  });

  it("an empty list matches nothing", () => {
    const p = plan(ioc(or(handle("x"))));
    expect(run(p, [record("ProcessItem", "1", { "HandleList/Handle/Name": [] })]).verdict).toBe("false");
  });

  it("evidence keeps only the matching elements of a list", () => {
    const p = plan(ioc(or(handle("sdra64"))));
    const { detections } = run(p, [record("ProcessItem", "1", { "HandleList/Handle/Name": ["/dev/null", "sdra64.exe", "/tmp/x"] })]);
    expect(detections[0]?.objects[0]?.fields).toEqual({ "HandleList/Handle/Name": ["sdra64.exe"] });
  });
});

describe("empty content never matches (semantics 6.2)", () => {
  it.each(["contains", "starts-with", "ends-with", "matches"] as const)("%s with empty content matches nothing, negated or not", (condition) => {
    const p = plan(ioc(or(item("FileItem/FileName", condition, ""))));
    expect(run(p, [file("/a", { FileName: "a" })]).verdict).toBe("false");
    const q = plan(ioc(and(item("FileItem/FileName", "is", "a"), item("FileItem/FilePath", condition, "", { negate: true }))));
    expect(run(q, [file("/a", { FileName: "a", FilePath: "x" })]).verdict).toBe("false");
    expect(p.items.at(0)?.status).toMatchObject({ kind: "never", code: "IOC023" });
  });

  it('is "" matches a string field that exists and is empty, not a missing one', () => {
    const p = plan(ioc(or(item("ProcessItem/path", "is", ""))));
    expect(run(p, [record("ProcessItem", "1", { path: "" })]).verdict).toBe("true");
    expect(run(p, [record("ProcessItem", "1", { name: "x" })]).verdict).toBe("false");
  });

  it('is "" without a Content element, or on a typed term, never matches', () => {
    expect(run(plan(ioc(or(item("ProcessItem/path", "is", "", { hasContent: false })))), [record("ProcessItem", "1", { path: "" })]).verdict).toBe("false");
    expect(run(plan(ioc(or(item("FileItem/Md5sum", "is", "")))), [file("/a", { Md5sum: "" })]).verdict).toBe("false");
  });
});
