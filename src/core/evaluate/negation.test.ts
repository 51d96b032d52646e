import { describe, expect, it } from "vitest";
import { and, ioc, item, not, or, plan, record, run } from "./_test-builders.js";

const file = (id: string, fields: Record<string, string | number | string[]>) => record("FileItem", id, fields);
const files = [file("/bin/ls", { FileName: "ls", FilePath: "bin" }), file("/tmp/evil.exe", { FileName: "evil.exe", FilePath: "tmp" })];

describe("a group made only of negated items never produces matches (rule 7.6 a)", () => {
  it("NOT FileItem/FileName is x alone never detects", () => {
    const p = plan(ioc(or(not(item("FileItem/FileName", "is", "x")))));
    const { detections, verdict } = run(p, files);
    expect(detections).toEqual([]);
    expect(verdict).toBe("false");
    expect(p.iocs[0]?.diagnostics.map((d) => d.code)).toContain("IOC025");
  });

  it("an AND of negated items alone never detects", () => {
    const p = plan(ioc(and(not(item("FileItem/FileName", "is", "x")), not(item("FileItem/FilePath", "contains", "windows")))));
    expect(run(p, files).detections).toEqual([]);
  });

  it("1.0 isnot/containsnot alone never detect either", () => {
    const p = plan(ioc(or(not(item("FileItem/FileName", "contains", "zz"))), { version: "1.0" }));
    expect(run(p, files).detections).toEqual([]);
  });

  it("negated items with a positive item are an exclusion on the same record", () => {
    const p = plan(ioc(and(item("FileItem/FileName", "ends-with", ".exe"), not(item("FileItem/FilePath", "is", "windows\\system32")))));
    expect(run(p, [file("/tmp/evil.exe", { FileName: "evil.exe", FilePath: "tmp" })]).verdict).toBe("true");
    expect(run(p, [file("C:/windows/system32/cmd.exe", { FileName: "cmd.exe", FilePath: "Windows\\System32" })]).verdict).toBe("false");
  });

  it("negated sub-groups under a positive AND work as exclusions", () => {
    const p = plan(ioc(and(item("FileItem/FileName", "is", "a.exe"), or(not(item("FileItem/FilePath", "is", "x")), not(item("FileItem/FilePath", "is", "y"))))));
    expect(run(p, [file("/x/a.exe", { FileName: "a.exe", FilePath: "x" })]).verdict).toBe("true");
  });
});

describe("a record bound only through negated items is never actionable (rule 7.6 b)", () => {
  // OR{ name is evil.exe, NOT Md5sum is <h> }: literally true for almost every file.
  const p = plan(ioc(or(item("FileItem/FileName", "is", "evil.exe"), not(item("FileItem/Md5sum", "is", "0123456789abcdef0123456789abcdef")))));

  it("the positive match is actionable, the negation-only match is reported but not actionable", () => {
    const { detections } = run(p, files);
    expect(detections).toHaveLength(1);
    const byId = new Map(detections[0]?.objects.map((o) => [o.id, o.actionable]));
    expect(byId.get("/tmp/evil.exe")).toBe(true);
    for (const [id, actionable] of byId) if (id !== "/tmp/evil.exe") expect(actionable).toBe(false);
  });

  it("a host with no positive hit still reports the IOC, with no actionable object", () => {
    const { detections } = run(p, [file("/bin/ls", { FileName: "ls" })]);
    expect(detections).toHaveLength(1);
    expect(detections[0]?.objects.every((o) => !o.actionable)).toBe(true);
  });

  it("an exclusion AND is actionable through its positive item", () => {
    const q = plan(ioc(and(item("FileItem/FileName", "is", "evil.exe"), not(item("FileItem/FilePath", "is", "bin")))));
    const { detections } = run(q, files);
    expect(detections[0]?.objects).toMatchObject([{ id: "/tmp/evil.exe", actionable: true }]);
    expect(detections[0]?.matchedItems).toHaveLength(2);
  });

  it("with no records at all the vacuous group is FALSE (nothing exists to bind)", () => {
    expect(run(p, []).verdict).toBe("false");
  });
});

describe("negation is per record", () => {
  it("NOT applies to the record, not to the host", () => {
    // Two files: one named evil.exe in /tmp, one named evil.exe in /bin. The IOC excludes /bin.
    const p = plan(ioc(and(item("FileItem/FileName", "is", "evil.exe"), not(item("FileItem/FilePath", "is", "bin")))));
    const { detections } = run(p, [file("/bin/evil.exe", { FileName: "evil.exe", FilePath: "bin" }), file("/tmp/evil.exe", { FileName: "evil.exe", FilePath: "tmp" })]);
    expect(detections[0]?.objects.map((o) => o.id)).toEqual(["/tmp/evil.exe"]);
  });
});

describe("evidence is bounded per unit", () => {
  it("keeps at most maxObjectsPerUnit objects, counts the rest, and prefers actionable ones", async () => {
    const { createEvaluation } = await import("./evaluation.js");
    const p = plan(ioc(or(item("FileItem/FileName", "ends-with", ".exe"), not(item("FileItem/FilePath", "is", "nowhere")))));
    const run2 = createEvaluation(p, { availableDocuments: ["FileItem"], maxObjectsPerUnit: 2 });
    run2.addRecord(file("/a", { FileName: "a.txt", FilePath: "x" })); // bound only through the negation
    for (let i = 0; i < 5; i++) run2.addRecord(file(`/b${i}.exe`, { FileName: `b${i}.exe`, FilePath: "x" }));
    const [d] = run2.finish();
    expect(d?.objects.map((o) => [o.id, o.actionable])).toEqual([
      ["/b1.exe", true],
      ["/b0.exe", true],
    ]);
    expect(d?.omittedObjects).toBe(4);
  });
});
