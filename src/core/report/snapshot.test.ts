import { describe, expect, it } from "vitest";
import { parseSnapshot, parseSnapshotBytes } from "./snapshot.js";

const valid = {
  format: "iocscan-snapshot",
  version: 1,
  host: { hostname: "web-1", os: "Debian 12" },
  collectedAt: "2026-11-27T10:00:00Z",
  records: {
    FileItem: [{ FullPath: "/x/evil.exe", FileName: "evil.exe", SizeInBytes: 1234, Md5sum: "ab", "PEInfo/PETimeStamp": "2011-08-05T07:10:09Z" }],
    ProcessItem: [{ pid: 4242, name: "evil", "HandleList/Handle/Name": ["a", "b"] }],
    PortItem: [{ protocol: "TCP", localIP: "127.0.0.1", localPort: 4444, remoteIP: "10.0.0.1", remotePort: 80 }],
    UserItem: [],
  },
};

describe("parseSnapshot", () => {
  it("parseSnapshot reads records with object ids by document", () => {
    const result = parseSnapshot(JSON.stringify(valid));
    if (!result.ok) throw new Error(result.error.message);
    const { records, host, warnings } = result.snapshot;
    expect(host.hostname).toBe("web-1");
    expect(records.get("FileItem")?.[0]).toMatchObject({ document: "FileItem", id: "/x/evil.exe", fields: { SizeInBytes: 1234 } });
    expect(records.get("ProcessItem")?.[0]?.id).toBe("4242");
    expect(records.get("PortItem")?.[0]?.id).toBe("TCP 127.0.0.1:4444 10.0.0.1:80");
    expect(records.get("UserItem")).toEqual([]);
    expect(records.has("RegistryItem")).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('parseSnapshot reads a record\'s "@unknown" list as unknownFields, not as a field', () => {
    const snap = { ...valid, records: { FileItem: [{ FullPath: "/srv/app.bin", "@unknown": ["md5sum", "StringList/string"] }, { FullPath: "/b" }] } };
    const result = parseSnapshot(JSON.stringify(snap));
    if (!result.ok) throw new Error(result.error.message);
    const [first, second] = result.snapshot.records.get("FileItem") ?? [];
    expect(first).toEqual({ document: "FileItem", id: "/srv/app.bin", fields: { FullPath: "/srv/app.bin" }, unknownFields: ["Md5sum", "StringList/string"] });
    expect(second?.unknownFields).toBeUndefined();
    const bad = parseSnapshot(JSON.stringify({ ...valid, records: { FileItem: [{ FullPath: "/a", "@unknown": "Md5sum" }] } }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.path).toBe("records.FileItem[0].@unknown");
  });

  it("parseSnapshot names the line and column of a JSON syntax error", () => {
    const text = JSON.stringify(valid, null, 2).replace('"web-1",', '"web-1"');
    const result = parseSnapshot(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect([result.error.line, result.error.column]).toEqual([6, 5]);
    expect(result.error.message).toMatch(/^Not valid JSON: /);
  });

  it("parseSnapshot names the JSON path of a value of the wrong shape", () => {
    const bad = { ...valid, records: { FileItem: [{ FullPath: "/a" }, { FullPath: { nested: true } }] } };
    const result = parseSnapshot(JSON.stringify(bad));
    expect(result.ok ? undefined : result.error.path).toBe("records.FileItem[1].FullPath");
    const wrongFormat = parseSnapshot(JSON.stringify({ ...valid, format: "iocscan-report" }));
    expect(wrongFormat.ok ? undefined : wrongFormat.error.message).toContain("at format");
  });

  it("parseSnapshot reads field names in the vocabulary's spelling, so no value is ever missed", () => {
    const variant = { ...valid, records: { FileItem: [{ FullPath: "/a", MD5Sum: "5d41402abc4b2a76b9719d911017c592", filename: "a" }] } };
    const result = parseSnapshot(JSON.stringify(variant));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.snapshot.records.get("FileItem")?.[0]?.fields).toEqual({ FullPath: "/a", Md5sum: "5d41402abc4b2a76b9719d911017c592", FileName: "a" });
    expect(result.snapshot.warnings).toEqual(['records.FileItem: field "MD5Sum" read as "Md5sum"', 'records.FileItem: field "filename" read as "FileName"']);
  });

  it("parseSnapshot warns about unknown documents and fields, which never match", () => {
    const odd = { ...valid, records: { FileItem: [{ FullPath: "/a", Md5: "x" }], Bogus: [{ a: 1 }] } };
    const result = parseSnapshot(JSON.stringify(odd));
    expect(result.ok ? result.snapshot.warnings : []).toEqual([
      'records.FileItem: unknown field "Md5": never matched',
      'records.Bogus: unknown document "Bogus": its records never match',
    ]);
  });
});

describe("parseSnapshot on damaged or foreign input", () => {
  const text = JSON.stringify(valid, null, 2);

  it("parseSnapshot gives the line and column of a syntax error V8 does not place", () => {
    // V8 says only "Unexpected token ','" here, with no position.
    const result = parseSnapshot(text.replace('"SizeInBytes": 1234', '"SizeInBytes": ,1234'));
    expect(result.ok ? undefined : [result.error.line, result.error.column, result.error.message]).toEqual([14, 24, "Not valid JSON: Unexpected token ','"]);
  });

  it("parseSnapshot says where a truncated file ends, and that an empty one is empty", () => {
    const cut = text.slice(0, text.indexOf('"ProcessItem"'));
    const result = parseSnapshot(cut);
    expect(result.ok ? undefined : [result.error.line, result.error.message]).toEqual([cut.split("\n").length, "Not valid JSON: the text ends in the middle of the JSON (a truncated file?)"]);
    expect(parseSnapshot("").ok ? undefined : parseSnapshot(" \n").ok).toBe(false);
    const empty = parseSnapshotBytes(new Uint8Array());
    expect(empty.ok ? undefined : empty.error.message).toBe("Not an iocscan snapshot: the file is empty");
  });

  it("parseSnapshot names a snapshot written by a newer iocscan as such", () => {
    const result = parseSnapshot(JSON.stringify({ ...valid, version: 2 }));
    expect(result.ok ? undefined : result.error.message).toMatch(/format version 2, written by a newer iocscan; this iocscan reads version 1/);
  });

  it("parseSnapshot survives documents named like Object.prototype members", () => {
    const odd = { ...valid, records: { constructor: [{ a: "1" }], toString: [{ b: "2" }], hasOwnProperty: [] } };
    const result = parseSnapshot(JSON.stringify(odd));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.snapshot.records.get("constructor")?.[0]?.id).toBe("constructor[0]");
    expect(result.snapshot.warnings).toHaveLength(3);
  });

  it("parseSnapshot explains a field value of the wrong type", () => {
    const result = parseSnapshot(JSON.stringify({ ...valid, records: { FileItem: [{ FullPath: "/a", FileName: [["x"]] }] } }));
    expect(result.ok ? undefined : result.error.message).toBe(
      "Not an iocscan snapshot: expected a string, number, true or false, or a list of them at records.FileItem[0].FileName",
    );
  });

  it("parseSnapshotBytes reads UTF-8 with a byte order mark and UTF-16 with one, and refuses bytes that are not text", () => {
    const utf8 = new TextEncoder().encode(`\uFEFF${text}`);
    expect(parseSnapshotBytes(utf8).ok).toBe(true);
    const utf16 = new Uint8Array([0xff, 0xfe, ...Array.from(text).flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])]);
    const read = parseSnapshotBytes(utf16);
    expect(read.ok ? read.snapshot.host.hostname : read.error.message).toBe("web-1");
    const latin1 = new TextEncoder().encode(text.replace('"web-1"', '"web-\u0001"'));
    latin1[latin1.indexOf(1)] = 0xe9;
    const bad = parseSnapshotBytes(latin1);
    expect(bad.ok ? undefined : bad.error).toEqual({ message: "Not valid UTF-8 text: byte 0xE9 cannot start or continue a character", line: 5, column: 22 });
  });
});
