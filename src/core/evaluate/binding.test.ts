import { describe, expect, it } from "vitest";
import { and, ioc, item, or, plan, record, run } from "./_test-builders.js";

const file = (id: string, fields: Record<string, string | number | string[]>) => record("FileItem", id, fields);
const proc = (pid: string, fields: Record<string, string | number | string[]>) => record("ProcessItem", pid, fields);

describe("same-document AND binds one record", () => {
  const p = plan(ioc(and(item("FileItem/FileName", "is", "evil.exe"), item("FileItem/Md5sum", "is", "0123456789abcdef0123456789abcdef", { contentType: "md5" }))));

  it("holds when one file has both the name and the hash", () => {
    const { detections } = run(p, [file("/tmp/evil.exe", { FileName: "evil.exe", Md5sum: "0123456789ABCDEF0123456789ABCDEF" })]);
    expect(detections).toHaveLength(1);
    expect(detections[0]?.objects.map((o) => o.id)).toEqual(["/tmp/evil.exe"]);
  });

  it("does not hold when the name is on one file and the hash on another", () => {
    const { detections, verdict } = run(p, [
      file("/a/evil.exe", { FileName: "evil.exe", Md5sum: "ffffffffffffffffffffffffffffffff" }),
      file("/b/other.bin", { FileName: "other.bin", Md5sum: "0123456789abcdef0123456789abcdef" }),
    ]);
    expect(detections).toEqual([]);
    expect(verdict).toBe("false");
  });

  it("two names ANDed on one document can never match (Cisco's example)", () => {
    const q = plan(ioc(and(item("FileItem/FileName", "is", "malware.exe"), item("FileItem/FileName", "is", "malware.dat"))));
    expect(run(q, [file("/x/malware.exe", { FileName: "malware.exe" }), file("/x/malware.dat", { FileName: "malware.dat" })]).detections).toEqual([]);
  });

  it("AND-in-AND is flattened into the same record", () => {
    const q = plan(ioc(and(item("FileItem/FileName", "is", "a.exe"), and(item("FileItem/SizeInBytes", "is", "10", { contentType: "int" }), item("FileItem/FilePath", "contains", "tmp")))));
    expect(q.units).toHaveLength(1);
    expect(run(q, [file("/tmp/a.exe", { FileName: "a.exe", SizeInBytes: 10, FilePath: "tmp" })]).detections).toHaveLength(1);
    expect(run(q, [file("/tmp/a.exe", { FileName: "a.exe", SizeInBytes: 11, FilePath: "tmp" }), file("/tmp/b", { FileName: "b", SizeInBytes: 10, FilePath: "tmp" })]).detections).toEqual([]);
  });

  it("OR-in-OR is flattened, a single-document OR is one unit", () => {
    const q = plan(ioc(or(item("FileItem/FileName", "is", "a"), or(item("FileItem/FileName", "is", "b"), item("FileItem/FileName", "is", "c")))));
    expect(q.units).toHaveLength(1);
    expect(q.units[0]?.tree).toMatchObject({ op: "or", children: [0, 1, 2] });
  });
});

describe("different documents bind independently", () => {
  const p = plan(ioc(and(item("ProcessItem/name", "is", "evil"), item("FileItem/FileName", "is", "evil.dat"))));

  it("a process and a file on the same host satisfy a cross-document AND", () => {
    const { detections } = run(p, [proc("42", { name: "evil" }), file("/var/evil.dat", { FileName: "evil.dat" })]);
    expect(detections).toHaveLength(1);
    expect(detections[0]?.objects.map((o) => `${o.document}:${o.id}`).sort()).toEqual(["FileItem:/var/evil.dat", "ProcessItem:42"]);
  });

  it("no join by pid: PortItem and ProcessItem records are not linked", () => {
    const q = plan(ioc(and(item("ProcessItem/name", "is", "evil"), item("PortItem/remotePort", "is", "4444", { contentType: "int" }))));
    const { detections } = run(q, [proc("1", { name: "evil", pid: 1 }), record("PortItem", "tcp 1.2.3.4:1 5.6.7.8:4444", { remotePort: 4444, pid: 999 })]);
    expect(detections).toHaveLength(1);
  });
});

describe("mixed-document AND: local DNF only where a document is shared", () => {
  // iocbucket mhadi: AND{ ProcessItem/path contains templates, OR{ ProcessItem/name is x, FileItem/FileExtension is .dll } }
  const p = plan(ioc(and(item("ProcessItem/path", "contains", "templates"), or(item("ProcessItem/name", "is", "svch0st.exe"), item("FileItem/FileExtension", "is", ".dll")))));

  it("the ProcessItem branch must hold on the same process as the path", () => {
    expect(run(p, [proc("1", { path: "/home/u/templates", name: "svch0st.exe" })]).detections).toHaveLength(1);
    expect(run(p, [proc("1", { path: "/home/u/templates", name: "bash" }), proc("2", { path: "/usr/bin", name: "svch0st.exe" })]).detections).toEqual([]);
  });

  it("the FileItem branch binds a file independently of the process", () => {
    const { detections } = run(p, [proc("1", { path: "/home/u/templates", name: "bash" }), file("/x/y.dll", { FileExtension: "dll" })]);
    expect(detections).toHaveLength(1);
  });

  it("expands only the shared cluster: 2 conjunctions here, not a global DNF", () => {
    const root = p.iocs[0]?.root;
    expect(root?.op).toBe("or");
    expect(p.units).toHaveLength(3);
  });

  it("unshared mixed children stay independent (no expansion at all)", () => {
    const q = plan(
      ioc(
        and(
          or(item("ProcessItem/name", "is", "a"), item("PortItem/remotePort", "is", "1", { contentType: "int" })),
          or(item("FileItem/FileName", "is", "b"), item("UserItem/Username", "is", "c")),
        ),
      ),
    );
    expect(q.iocs[0]?.root).toMatchObject({ op: "and" });
    expect(q.units).toHaveLength(4);
  });

  it("a deep tree of single-document ORs under one AND costs one unit per document, not a product", () => {
    const wide = (n: number, term: string) => or(...Array.from({ length: n }, (_, i) => item(term, "is", `v${i}`)));
    const q = plan(ioc(and(wide(50, "FileItem/FileName"), wide(50, "FileItem/FilePath"), wide(50, "ProcessItem/name"), wide(50, "ProcessItem/arguments"))));
    expect(q.units).toHaveLength(2);
  });
});

describe("hash lists are evaluated as blocks (a hit is found from the record's hits, not by visiting every leaf)", () => {
  const names = Array.from({ length: 10 }, (_, i) => item("FileItem/FileName", "is", `n${i}.exe`));
  const p = plan(ioc(or(...names, and(item("FileItem/FileName", "is", "x.exe"), item("FileItem/SizeInBytes", "is", "7")))));

  it("compiles the run of plain items into one block next to the AND", () => {
    expect(p.units[0]?.tree).toMatchObject({ op: "or", children: [{ op: "block", lo: 0, hi: 9 }, { op: "and" }] });
  });

  it("matches each item of the block, reports exactly the one that held, and keeps the AND's binding", () => {
    for (let i = 0; i < 10; i++) {
      const { detections } = run(p, [file(`/d/n${i}.exe`, { FileName: `n${i}.exe` })]);
      expect(detections[0]?.matchedItems).toEqual([names[i]?.id]);
    }
    expect(run(p, [file("/d/x.exe", { FileName: "x.exe", SizeInBytes: 8 }), file("/d/y", { FileName: "y", SizeInBytes: 7 })]).verdict).toBe("false");
    expect(run(p, [file("/d/x.exe", { FileName: "x.exe", SizeInBytes: 7 })]).verdict).toBe("true");
  });
});
