import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckedFileJson } from "../../src/cli/format/check.js";
import { runIocscan, startIocscan } from "./run-cli.js";

const examples = fileURLToPath(new URL("../../examples/iocs/", import.meta.url));
let work: string;

const GOOD = `<?xml version="1.0"?>
<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="good-1">
  <metadata><short_description>Good one</short_description></metadata>
  <criteria><Indicator id="t" operator="OR">
    <IndicatorItem id="a" condition="is" preserve-case="false" negate="false"><Context document="FileItem" search="FileItem/Md5sum" type="mir"/><Content type="md5">44d88612fea8a8f36de82e1278abb02f</Content></IndicatorItem>
    <IndicatorItem id="b" condition="is" preserve-case="false" negate="false"><Context document="RegistryItem" search="RegistryItem/Path" type="mir"/><Content type="string">HKLM\\x</Content></IndicatorItem>
  </Indicator></criteria>
</OpenIOC>`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-check-"));
  mkdirSync(join(work, "set/nested"), { recursive: true });
  writeFileSync(join(work, "set/good.ioc"), GOOD);
  writeFileSync(join(work, "set/nested/bad.xml"), GOOD.replace('operator="OR"', 'operator="XOR"'));
  writeFileSync(join(work, "set/nested/notes.txt"), "not an IOC, and not looked at");
  writeFileSync(join(work, "set/nested/dup.ioc"), GOOD);
  symlinkSync(join(work, "set"), join(work, "set/nested/loop"));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("iocscan ioc check", () => {
  it("iocscan ioc check stops quietly with status 2 when its reader closes the pipe (| head -1)", async () => {
    const many = join(work, "many");
    mkdirSync(many);
    for (let i = 0; i < 3000; i++) writeFileSync(join(many, `good-${i}.ioc`), GOOD);
    const child = startIocscan(["ioc", "check", many]);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // The first line read, the reader goes away, as head does.
    await new Promise<void>((resolve) => child.stdout?.once("data", () => resolve()));
    child.stdout?.destroy();
    const status = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
    expect(status).toBe(2);
  });

  it("iocscan ioc check accepts the bundled examples and exits 0", () => {
    const result = runIocscan(["ioc", "check", examples]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^OK {3}1\.0 .*eicar-test-file\.ioc {2}"EICAR TEST FILE \(EXAMPLE\)"/m);
    expect(result.stdout).toContain("4 files: 4 usable, 0 unusable");
  });

  it("iocscan ioc check walks folders once despite a symlink loop and reports each file", () => {
    const result = runIocscan(["ioc", "check", "--json", "set"], { cwd: work });
    expect(result.status).toBe(2);
    const files = JSON.parse(result.stdout) as CheckedFileJson[];
    expect(files.map((f) => [f.file.slice(work.length + 1), f.ok, f.duplicate])).toEqual([
      ["set/good.ioc", true, false],
      ["set/nested/bad.xml", false, false],
      ["set/nested/dup.ioc", true, true],
    ]);
    expect(files[0]).toMatchObject({ openiocVersion: "1.1", id: "good-1", title: "Good one", items: 2, supportedItems: 1 });
    expect(files[0]?.diagnostics).toEqual([
      { code: "IOC021", severity: "warning", message: '"RegistryItem/Path" is not collected on linux', line: 6, column: 5 },
    ]);
    expect(files[1]?.diagnostics[0]).toMatchObject({ code: "IOC010", severity: "error", line: 4 });
    expect(files[2]?.diagnostics.map((d) => d.code)).toContain("IOC026");
  });

  it("iocscan ioc check prints located diagnostics and a summary as text", () => {
    const result = runIocscan(["ioc", "check", "set/nested/bad.xml", "set/good.ioc"], { cwd: work });
    expect(result.status).toBe(2);
    expect(result.stdout).toContain("FAIL 1.1 set/nested/bad.xml");
    expect(result.stdout).toContain(`set/nested/bad.xml:4:13: error IOC010: Indicator "t" has operator "XOR"; expected "AND" or "OR"`);
    expect(result.stdout).toContain("2 files: 1 usable, 1 unusable; 4 items, 2 evaluable on linux; 1 errors, 2 warnings, 0 info");
  });

  it("iocscan ioc check reports a missing file and goes on with the others", () => {
    const result = runIocscan(["ioc", "check", "--json", "missing.ioc", "set/good.ioc"], { cwd: work });
    expect(result.status).toBe(2);
    const files = JSON.parse(result.stdout) as CheckedFileJson[];
    expect(files[0]?.diagnostics).toMatchObject([{ code: "IOC008", message: `Cannot read "${join(work, "missing.ioc")}": no such file or directory` }]);
    expect(files[1]?.ok).toBe(true);
  });

  it("iocscan ioc check enforces --max-size and rejects a bad value", () => {
    const small = runIocscan(["ioc", "check", "--json", "--max-size", "100", "set/good.ioc"], { cwd: work });
    expect(small.status).toBe(2);
    expect((JSON.parse(small.stdout) as CheckedFileJson[])[0]?.diagnostics[0]?.code).toBe("IOC004");
    const bad = runIocscan(["ioc", "check", "--max-size", "lots", "set"], { cwd: work });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("option '--max-size <bytes>' argument 'lots' is invalid");
  });

  it("iocscan ioc check exits 2 when no IOC file is found", () => {
    const empty = mkdtempSync(join(work, "empty-"));
    const result = runIocscan(["ioc", "check", empty]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("no IOC files");
  });

  it("iocscan --help lists the ioc command and exits 0", () => {
    const result = runIocscan(["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("ioc");
  });
});
