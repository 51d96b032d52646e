/**
 * Files and folders whose names are not UTF-8 (Linux names are bytes) are found, reported by the
 * text form of their paths (src/shared/path-text.ts), quarantined and restored through their
 * exact bytes: by scanHost with the native lister and with node:fs, and by the shipped CLI
 * (dist/bin/iocscan.cjs, built by `npm run build:server`). Everything happens in a temp folder
 * made here.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { openQuarantine, restoreEntry, showEntry } from "../actions/quarantine/index.js";
import type { ScanReport } from "../core/report/index.js";
import { scanHost } from "./host-scan.js";

const CONTENT = "MALWARE-CONTENT-123";
const work = mkdtempSync(join(tmpdir(), "iocscan-non-utf8-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A path below `work` as bytes: `parts` are strings (UTF-8) and byte arrays. */
const at = (...parts: (string | number[])[]): Buffer => Buffer.concat([Buffer.from(`${work}/`), ...parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p)))]);

let tree: string;
let n = 0;
/** A fresh tree: bad\xFF\xFEname.exe, d\xE9ir/inner.bin and d\xE9ir/sub/deep.bin hold CONTENT; clean.txt does not. */
function makeTree(): void {
  tree = `tree-${n++}`;
  mkdirSync(at(tree));
  writeFileSync(at(tree, "/bad", [0xff, 0xfe], "name.exe"), CONTENT);
  mkdirSync(at(tree, "/d", [0xe9], "ir"));
  writeFileSync(at(tree, "/d", [0xe9], "ir/inner.bin"), CONTENT);
  mkdirSync(at(tree, "/d", [0xe9], "ir/sub"));
  writeFileSync(at(tree, "/d", [0xe9], "ir/sub/deep.bin"), CONTENT);
  writeFileSync(at(tree, "/clean.txt"), "nothing");
}
beforeEach(makeTree);

const root = (): string => join(work, tree);
/** The text forms of the three planted files, as reports show them. */
const planted = (): string[] => [`${root()}/bad\\xFF\\xFEname.exe`, `${root()}/d\\xE9ir/inner.bin`, `${root()}/d\\xE9ir/sub/deep.bin`];

function writeIoc(name: string, search: string, condition: string, type: string, content: string): string {
  const file = join(work, name);
  writeFileSync(
    file,
    `<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="${name}"><metadata><short_description>${name}</short_description></metadata><criteria><Indicator id="i" operator="OR">` +
      `<IndicatorItem id="a" condition="${condition}"><Context document="FileItem" search="FileItem/${search}" type="mir"/><Content type="${type}">${content}</Content></IndicatorItem>` +
      `</Indicator></criteria></OpenIOC>`,
  );
  return file;
}
const sha256 = writeIoc("sha256.ioc", "Sha256sum", "is", "sha256", createHash("sha256").update(CONTENT).digest("hex"));

const ids = (report: ScanReport): string[] => report.detections.flatMap((d) => d.objects.map((o) => o.id)).sort();

describe("non-UTF-8 file names", () => {
  it("scanHost finds and hashes files whose names, or whose folders' names, are not UTF-8, with the native lister and with node:fs", async () => {
    const scan = (): Promise<ScanReport> => scanHost({ iocPaths: [sha256], scopes: [root()], switches: { FileItem: "on" } });
    for (const lister of ["native", "node:fs"]) {
      if (lister === "node:fs") process.env["IOCSCAN_NATIVE_FS"] = "off";
      const report = await scan().finally(() => delete process.env["IOCSCAN_NATIVE_FS"]);
      expect(ids(report), lister).toEqual(planted());
      expect(report.warnings, lister).toEqual([]);
      expect(report.stats["filesSeen"], lister).toBe(4);
    }
  });

  it("scanHost matches FileName and FullPath terms against the text form, and --exclude sees it too", async () => {
    const byName = writeIoc("name.ioc", "FileName", "is", "string", "bad\\xff\\xfeNAME.exe");
    const byPath = writeIoc("path.ioc", "FullPath", "contains", "string", "d\\xE9ir/sub/");
    const report = await scanHost({ iocPaths: [byName, byPath], scopes: [root()], switches: { FileItem: "on" } });
    expect(ids(report)).toEqual([planted()[0], planted()[2]]);
    const [file] = report.detections.find((d) => d.iocId === "name.ioc")?.objects ?? [];
    expect(file?.fields).toEqual({ FileName: "bad\\xFF\\xFEname.exe" });
    const excluded = await scanHost({ iocPaths: [sha256], scopes: [root()], excludes: [`${root()}/d\\\\xE9ir`], switches: { FileItem: "on" } });
    expect(ids(excluded)).toEqual([planted()[0]]);
  });

  it("scanHost --action quarantine moves such files into the store, and restore puts back the exact bytes", async () => {
    const quarantineDir = join(work, `q-${tree}`);
    const report = await scanHost({ iocPaths: [sha256], scopes: [root()], switches: { FileItem: "on" }, action: "quarantine", quarantineDir });
    const actions = report.detections.flatMap((d) => d.actions);
    expect(actions.map((a) => [a.objectId, a.status]).sort()).toEqual(planted().map((path) => [path, "done"]));
    expect(readdirSync(at(tree), { encoding: "buffer" }).map(String).sort()).toEqual(["clean.txt", "d\ufffdir"]);
    expect(readdirSync(at(tree, "/d", [0xe9], "ir"), { encoding: "buffer" })).toEqual([Buffer.from("sub")]);
    const store = await openQuarantine({ dir: quarantineDir });
    for (const action of actions) await restoreEntry(store, action.quarantineId as string);
    expect(readFileSync(at(tree, "/bad", [0xff, 0xfe], "name.exe"), "utf8")).toBe(CONTENT);
    expect(readFileSync(at(tree, "/d", [0xe9], "ir/inner.bin"), "utf8")).toBe(CONTENT);
    expect(readFileSync(at(tree, "/d", [0xe9], "ir/sub/deep.bin"), "utf8")).toBe(CONTENT);
  });
});

const CLI = fileURLToPath(new URL("../../dist/bin/iocscan.cjs", import.meta.url));

describe.skipIf(!existsSync(CLI))("non-UTF-8 file names through the shipped CLI (dist/bin/iocscan.cjs)", () => {
  const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env["NODE_EXTRA_CA_CERTS"];
    const result = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000, killSignal: "SIGKILL", env });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it("iocscan scan reports them, collect writes them, scan --action quarantine and quarantine restore move them out and back", () => {
    const scan = run("scan", "--ioc", sha256, "--scope", root(), "--no-db", "--no-hash-cache", "--format", "json");
    expect(scan.stderr).toBe("");
    expect(scan.status).toBe(1);
    const report = JSON.parse(scan.stdout) as ScanReport;
    expect(ids(report)).toEqual(planted());
    expect(report.warnings).toEqual([]);

    // A folder whose name is not UTF-8 can be given as reports write it.
    const inFolder = run("scan", "--ioc", sha256, "--scope", `${root()}/d\\xE9ir`, "--no-db", "--no-hash-cache", "--format", "json");
    expect(inFolder.status).toBe(1);
    expect(ids(JSON.parse(inFolder.stdout) as ScanReport)).toEqual(planted().slice(1));

    const collect = run("collect", "--scope", root(), "--hashes", "sha256", "--no-hash-cache");
    expect(collect.status).toBe(0);
    const records = (JSON.parse(collect.stdout) as { records: { FileItem: { FullPath: string; FileName: string }[] } }).records.FileItem;
    expect(records.map((r) => r.FullPath).sort()).toEqual([`${root()}/clean.txt`, ...planted()].sort());
    expect(records.map((r) => r.FileName)).toContain("bad\\xFF\\xFEname.exe");

    const quarantine = join(work, `cli-q-${tree}`);
    const acted = run("scan", "--ioc", sha256, "--scope", root(), "--no-db", "--no-hash-cache", "--format", "json", "--action", "quarantine", "--quarantine", quarantine);
    expect(acted.status).toBe(1);
    const receipts = (JSON.parse(acted.stdout) as ScanReport).detections.flatMap((d) => d.actions);
    expect(receipts.map((a) => a.status)).toEqual(["done", "done", "done"]);
    expect(existsSync(at(tree, "/bad", [0xff, 0xfe], "name.exe"))).toBe(false);
    for (const receipt of receipts) expect(run("quarantine", "restore", receipt.quarantineId as string, "--quarantine", quarantine).status).toBe(0);
    expect(readFileSync(at(tree, "/bad", [0xff, 0xfe], "name.exe"), "utf8")).toBe(CONTENT);
    expect(readFileSync(at(tree, "/d", [0xe9], "ir/sub/deep.bin"), "utf8")).toBe(CONTENT);
  });
});

describe("a process run from a file whose name is not UTF-8", () => {
  it("is reported by the text form of its arguments, terminated, and its executable quarantined and restored", async () => {
    const exe = at(tree, "/run", [0xff], "ner");
    copyFileSync("/bin/sleep", exe);
    // sleep sums its arguments: a unique fraction of a second makes a unique command line.
    const marker = `0.000${process.pid}${n}`;
    // spawn takes a file name as a string (UTF-8): sh reaches the byte name through printf's octal escape.
    const child = spawn("sh", ["-c", 'exec "$(printf "%s/run\\377ner" "$1")" 3600 "$2"', "sh", root(), marker], { stdio: "ignore" });
    try {
      await waitForArguments(marker);
      const ioc = writeProcessIoc(`proc-${tree}.ioc`, marker);
      const quarantineDir = join(work, `q-proc-${tree}`);
      const exited = once(child, "exit");
      const report = await scanHost({ iocPaths: [ioc], scopes: [root()], switches: { ProcessItem: "on" }, action: "quarantine", quarantineDir });
      const object = report.detections[0]?.objects[0];
      expect(object?.fields).toMatchObject({ arguments: `${root()}/run\\xFFner 3600 ${marker}` });
      expect(report.detections[0]?.actions.map((a) => [a.type, a.status])).toEqual([["terminate", "done"], ["quarantine", "done"]]);
      await exited;
      expect(existsSync(exe)).toBe(false);
      const quarantined = report.detections[0]?.actions.find((a) => a.type === "quarantine");
      const store = await openQuarantine({ dir: quarantineDir });
      expect((await showEntry(store, quarantined?.quarantineId as string))?.meta.originalPath).toBe(`${root()}/run\\xFFner`);
      await restoreEntry(store, quarantined?.quarantineId as string);
      expect(readFileSync(exe)).toEqual(readFileSync("/bin/sleep"));
    } finally {
      child.kill("SIGKILL");
    }
  });
});

/** An IOC matching a process whose arguments contain `marker`. */
function writeProcessIoc(name: string, marker: string): string {
  const file = join(work, name);
  writeFileSync(
    file,
    `<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="${name}"><metadata><short_description>${name}</short_description></metadata><criteria><Indicator id="i" operator="OR">` +
      `<IndicatorItem id="p" condition="contains"><Context document="ProcessItem" search="ProcessItem/arguments" type="mir"/><Content type="string">${marker}</Content></IndicatorItem>` +
      `</Indicator></criteria></OpenIOC>`,
  );
  return file;
}

/** Resolves once a process with `marker` among its arguments runs (exec is not instant). */
async function waitForArguments(marker: string): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`).includes(marker)) return;
      } catch {
        // Gone meanwhile.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no process with ${marker} started`);
}

