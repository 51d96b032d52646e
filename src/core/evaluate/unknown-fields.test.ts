import { describe, expect, it } from "vitest";
import type { HostRecord } from "./types.js";
import { and, ioc, item, not, or, plan, record, run } from "./_test-builders.js";

const GOOD = "0123456789abcdef0123456789abcdef";
/** A record whose Md5sum the collector could not compute (too large, unreadable, vanished). */
const unhashed = (id: string, fields: HostRecord["fields"]): HostRecord => ({ ...record("FileItem", id, fields), unknownFields: ["Md5sum"] });

describe("a field the collector could not compute is UNKNOWN, not missing (semantics 7.7)", () => {
  it("a negated item on it is UNKNOWN: the exclusion AND is not detected", () => {
    const p = plan(ioc(and(item("FileItem/FullPath", "is", "/srv/app.bin"), not(item("FileItem/Md5sum", "is", GOOD, { contentType: "md5" })))));
    const r = run(p, [unhashed("/srv/app.bin", { FullPath: "/srv/app.bin", FileName: "app.bin" })]);
    expect(r.detections).toEqual([]);
    expect(r.verdict).toBe("unknown");
    // The same record with the field merely absent is the missing-field rule: the negation holds.
    expect(run(p, [record("FileItem", "/srv/app.bin", { FullPath: "/srv/app.bin" })]).verdict).toBe("true");
  });

  it("a positive item on it is UNKNOWN: the IOC is not detected and not FALSE either", () => {
    const p = plan(ioc(or(item("FileItem/Md5sum", "is", GOOD, { contentType: "md5" }))));
    const r = run(p, [unhashed("/big", { FullPath: "/big" }), record("FileItem", "/small", { FullPath: "/small", Md5sum: "ffffffffffffffffffffffffffffffff" })]);
    expect(r.detections).toEqual([]);
    expect(r.verdict).toBe("unknown");
  });

  it("a value present for an unknown field is not trusted", () => {
    const p = plan(ioc(or(item("FileItem/Md5sum", "is", GOOD, { contentType: "md5" }))));
    const r = run(p, [{ ...record("FileItem", "/x", { Md5sum: GOOD }), unknownFields: ["Md5sum"] }]);
    expect(r.detections).toEqual([]);
    expect(r.verdict).toBe("unknown");
  });

  it("a vacuous OR with a negated item on it is not settled TRUE by that record", () => {
    const p = plan(ioc(or(item("FileItem/FileName", "is", "evil.exe"), not(item("FileItem/Md5sum", "is", GOOD, { contentType: "md5" })))));
    const r = run(p, [unhashed("/a", { FileName: "a" })]);
    expect(r.detections).toEqual([]);
    expect(r.verdict).toBe("unknown");
    // A later ordinary record still settles it (reported, not actionable).
    const r2 = run(p, [unhashed("/a", { FileName: "a" }), record("FileItem", "/b", { FileName: "b", Md5sum: "ffffffffffffffffffffffffffffffff" })]);
    expect(r2.verdict).toBe("true");
    expect(r2.detections[0]?.objects).toMatchObject([{ id: "/b", actionable: false }]);
  });

  it("items on other fields of the record still decide it", () => {
    const p = plan(ioc(and(item("FileItem/FileName", "is", "evil.exe"), item("FileItem/SizeInBytes", "is", "10", { contentType: "int" }))));
    const r = run(p, [unhashed("/evil.exe", { FileName: "evil.exe", SizeInBytes: 10 })]);
    expect(r.detections[0]?.objects).toMatchObject([{ id: "/evil.exe", actionable: true }]);
    // An unknown field that decides nothing leaves a FALSE unit FALSE.
    const q = plan(ioc(and(item("FileItem/FileName", "is", "evil.exe"), item("FileItem/Md5sum", "is", GOOD, { contentType: "md5" }))));
    expect(run(q, [unhashed("/ls", { FileName: "ls" })]).verdict).toBe("false");
    expect(run(q, [unhashed("/evil.exe", { FileName: "evil.exe" })]).verdict).toBe("unknown");
  });
});

describe('an `is ""` match is never actionable (semantics 6.2)', () => {
  it("a record bound only through is \"\" is reported, not actionable", () => {
    const p = plan(ioc(or(item("ProcessItem/arguments", "is", ""))));
    const r = run(p, [record("ProcessItem", "2", { pid: 2, arguments: "" }), record("ProcessItem", "3", { pid: 3, arguments: "-x" })]);
    expect(r.verdict).toBe("true");
    expect(r.detections[0]?.objects).toMatchObject([{ id: "2", actionable: false }]);
  });

  it('is "" with negated items only is still not actionable; with another positive item it is', () => {
    const p = plan(ioc(and(item("ProcessItem/arguments", "is", ""), not(item("ProcessItem/name", "is", "kthreadd")))));
    expect(run(p, [record("ProcessItem", "9", { name: "x", arguments: "" })]).detections[0]?.objects).toMatchObject([{ id: "9", actionable: false }]);
    const q = plan(ioc(and(item("ProcessItem/arguments", "is", ""), item("ProcessItem/name", "is", "x"))));
    expect(run(q, [record("ProcessItem", "9", { name: "x", arguments: "" })]).detections[0]?.objects).toMatchObject([{ id: "9", actionable: true }]);
  });
});

describe("a hash list (a block of items) on a record with an unknown field", () => {
  // One OR of 6 FileName and 6 Md5sum items: consecutive plain items, one block over both fields.
  const names = Array.from({ length: 6 }, (_, i) => item("FileItem/FileName", "is", `n${i}.exe`));
  const digests = Array.from({ length: 6 }, (_, i) => item("FileItem/Md5sum", "is", `${i}`.repeat(32), { contentType: "md5" }));
  const p = plan(ioc(or(...names, ...digests)));

  it("compiles into one block", () => {
    expect(p.units[0]?.tree).toMatchObject({ op: "or", children: [{ op: "block", lo: 0, hi: 11 }] });
  });

  it("is TRUE by a hit on a known field, and reports that item only", () => {
    const r = run(p, [unhashed("/d/n3.exe", { FullPath: "/d/n3.exe", FileName: "n3.exe" })]);
    expect(r.verdict).toBe("true");
    expect(r.detections[0]?.matchedItems).toEqual([names[3]?.id]);
  });

  it("is UNKNOWN when only the unknown field could hold, even with a matching value present", () => {
    expect(run(p, [unhashed("/d/x", { FullPath: "/d/x", FileName: "x" })]).verdict).toBe("unknown");
    expect(run(p, [unhashed("/d/y", { FullPath: "/d/y", FileName: "y", Md5sum: "2".repeat(32) })]).verdict).toBe("unknown");
  });

  it("later records on which the field is known still decide it", () => {
    const r = run(p, [unhashed("/d/x", { FullPath: "/d/x", FileName: "x" }), record("FileItem", "/d/z", { FullPath: "/d/z", FileName: "z", Md5sum: "4".repeat(32) })]);
    expect(r.verdict).toBe("true");
    expect(r.detections[0]?.matchedItems).toEqual([digests[4]?.id]);
  });
});
