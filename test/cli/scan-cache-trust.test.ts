/**
 * `iocscan scan` with its caches beside a results database in a folder it cannot trust (root
 * scanning with `--db` under a folder a normal user owns), and two scans at once on one `--db`:
 * real CLI processes, every file in a temp folder this test creates.
 */
import { spawn, spawnSync } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/core/report/index.js";
import { runIocscan } from "./run-cli.js";

const work = mkdtempSync(join(tmpdir(), "iocscan-cache-trust-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const examples = fileURLToPath(new URL("../../examples/iocs/", import.meta.url));
const EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;

/** A folder `name` of `files` small files and the EICAR test file. */
function tree(name: string, files: number): string {
  const folder = join(work, name);
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(join(folder, `f${i}`), `${name} ${i}\n`);
  writeFileSync(join(folder, "eicar.com"), EICAR);
  return folder;
}

const args = (db: string, scope: string): string[] => ["scan", "--db", db, "--format", "json", "--ioc", join(work, "iocs"), "--scope", scope];

/** Runs a scan in a child process without waiting (so that two run at once). */
function scanAsync(db: string, scope: string): Promise<{ status: number | null; report: ScanReport; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", tsxLoader, main, ...args(db, scope)], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, report: JSON.parse(stdout || "null") as ScanReport, stderr }));
  });
}

// The EICAR example without its size range: every file is hashed, so every one goes to the hash cache.
mkdirSync(join(work, "iocs"));
writeFileSync(join(work, "iocs", "eicar.ioc"), readFileSync(join(examples, "eicar-test-file.ioc"), "utf8").replace(/<IndicatorItem id="eicar-size"[\s\S]*?<\/IndicatorItem>/, ""));

describe("iocscan scan and its caches' trust", () => {
  it.runIf(process.getuid?.() === 0)("as root with --db in a folder another user owns: both caches are refused with a warning, and the scan still finds what it should", () => {
    const scope = tree("tree-owned", 3);
    const home = join(work, "user-home");
    mkdirSync(home);
    chownSync(home, 65534, 65534);
    const db = join(home, "results.db");
    for (let run = 0; run < 2; run++) {
      const result = runIocscan(args(db, scope));
      expect(result.status, result.stderr).toBe(1);
      const report = JSON.parse(result.stdout) as ScanReport;
      expect(report.detections.map((d) => d.objects.map((o) => o.id))).toEqual([[join(scope, "eicar.com")]]);
      expect(report.stats["hashCacheHits"] ?? 0).toBe(0);
      expect(result.stderr).toMatch(/hash cache ".*hash-cache" unavailable \(.*belongs to user 65534, who could replace it\); hashing without it/);
      expect(result.stderr).toMatch(/IOC cache ".*ioc-cache" unavailable \(.*belongs to user 65534, who could replace it\); loading IOC files without it/);
    }
  });

  it.runIf(process.getuid?.() === 0)("iocscan collect as root with its state folder under a folder another user owns: collects without the hash cache, says why", () => {
    const scope = tree("tree-collect", 2);
    const home = join(work, "collect-home");
    mkdirSync(home);
    chownSync(home, 65534, 65534);
    const result = spawnSync(process.execPath, ["--import", tsxLoader, main, "collect", "--scope", scope, "--hashes", "sha256"], {
      encoding: "utf8",
      env: { ...process.env, IOCSCAN_STATE_DIR: join(home, "state") },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/hash cache ".*hash-cache" unavailable \(.*belongs to user 65534, who could replace it\); collecting without it/);
    const records = (JSON.parse(result.stdout) as { records: { FileItem: { FullPath: string }[] } }).records.FileItem;
    expect(records.map((r) => r.FullPath)).toContain(join(scope, "eicar.com"));
  });

  it("two scans at once on one --db leave a cache both can use: no torn device file, and once each tree was scanned alone, a rescan hashes nothing", async () => {
    const a = tree("tree-a", 300);
    const b = tree("tree-b", 300);
    const db = join(work, "state", "results.db");
    const scanBoth = (): Promise<{ status: number | null; report: ScanReport; stderr: string }[]> => Promise.all([scanAsync(db, a), scanAsync(db, b)]);
    for (let round = 0; round < 2; round++) {
      for (const run of await scanBoth()) {
        expect(run.status, run.stderr).toBe(1);
        expect(run.report.warnings.filter((w) => w.code.startsWith("hash-cache"))).toEqual([]);
      }
    }
    // Two scans replacing the device file at the very same instant may lose one's new entries
    // (hash-cache.ts says so: it costs a rehash, never a wrong digest); one at a time, none is lost.
    for (const scope of [a, b]) expect((await scanAsync(db, scope)).status).toBe(1);
    const again = [await scanAsync(db, a), await scanAsync(db, b)];
    for (const [i, run] of again.entries()) {
      expect(run.status, run.stderr).toBe(1);
      expect(run.report.stats["hashCacheHits"]).toBe(301);
      expect(run.report.detections.map((d) => d.objects.map((o) => o.id))).toEqual([[join(i === 0 ? a : b, "eicar.com")]]);
    }
  }, 120_000);
});
