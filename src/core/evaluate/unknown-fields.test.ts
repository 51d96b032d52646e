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
