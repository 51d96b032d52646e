/**
 * `iocscan scan` with its cache of loaded IOC files, end to end with the real CLI process: the
 * report is the same cold, warm and with `--no-ioc-cache`, for a scan of a temp folder and of a
 * snapshot. Every database and cache is in a temp folder this test creates (`--db`).
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/core/report/index.js";
import { hashListIoc, spreadDigest } from "../../src/scan/ioc-cache/_test-hash-list.js";
import { runIocscan } from "./run-cli.js";

const examples = fileURLToPath(new URL("../../examples/", import.meta.url));
const corpus = fileURLToPath(new URL("../data/corpus/", import.meta.url));
let work: string;
let iocs: string;
let tree: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-ioc-cache-cli-"));
  iocs = join(work, "iocs");
  cpSync(join(examples, "iocs"), iocs, { recursive: true });
  // Warnings with line:column, and an unusable file: the report must list them the same way.
  cpSync(corpus, join(iocs, "corpus"), { recursive: true, filter: (path) => !path.endsWith(".md") });
  writeFileSync(join(iocs, "broken.ioc"), "<ioc><unclosed>");
  tree = join(work, "tree");
  mkdirSync(tree);
  // The EICAR test string: the example IOC finds it by its MD5.
  writeFileSync(join(tree, "eicar.com"), "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Runs `iocscan scan` recording into `state/results.db` (the IOC cache goes to `state/ioc-cache`). */
function scan(state: string, args: readonly string[]): { status: number | null; report: ScanReport; stderr: string } {
  const result = runIocscan(["scan", "--db", join(state, "results.db"), "--no-hash-cache", "--format", "json", "--ioc", iocs, ...args]);
  return { status: result.status, report: JSON.parse(result.stdout || "null") as ScanReport, stderr: result.stderr };
}

/** What differs from run to run: ids, times, and counts of this computer's processes, ports and such. */
const VARIES = /^scanId$|At$|(ms|Ms|seconds|Seconds)$|^(?!files|dirs)[a-z]+Seen$|^warnings$/;

/**
 * The report without what differs from run to run: besides ids, times and counts, the live
 * collectors' warnings (a process that exits during one scan and not the other); the warnings
 * about IOC files (codes IOCnnn, with file:line:column) stay, since the cache must keep them.
 */
function stable(report: ScanReport): unknown {
  const { warnings, ...rest } = report;
  const iocWarnings = warnings.filter((warning) => /^IOC\d+$/.test(warning.code));
  return JSON.parse(JSON.stringify({ ...rest, iocWarnings }, (key, value: unknown) => (VARIES.test(key) ? undefined : value))) as unknown;
}

describe("iocscan scan with the IOC cache", () => {
  it.each([
    ["a scan of a folder", () => ["--scope", tree]],
    ["a snapshot scan", () => ["--snapshot", join(examples, "snapshots/web-server.json")]],
  ])("%s reports the same cold, warm and with --no-ioc-cache", (_name, args) => {
    const state = mkdtempSync(join(work, "state-"));
    const cold = scan(state, args());
    const cache = join(state, "ioc-cache");
    // Entries only: the records of IOC files' identities come once the files are 2 s old.
    const entryFiles = (): string[] => readdirSync(cache).filter((name) => name.endsWith(".entry"));
    const entries = entryFiles();
    expect(entries.length).toBe(11);
    const warm = scan(state, args());
    const without = scan(mkdtempSync(join(work, "state-")), [...args(), "--no-ioc-cache"]);

    expect(cold.status).toBe(1);
    expect(cold.report.detections.length).toBeGreaterThan(0);
    expect(cold.report.warnings.some((w) => /broken\.ioc/.test(w.path ?? ""))).toBe(true);
    expect(cold.report.warnings.filter((w) => /:\d+:\d+$/.test(w.path ?? "")).length).toBeGreaterThan(100);
    for (const run of [warm, without]) {
      expect(run.status).toBe(cold.status);
      expect(stable(run.report)).toEqual(stable(cold.report));
      expect(run.stderr).toBe(cold.stderr);
    }
    expect(entryFiles().sort()).toEqual(entries.sort());
  });

  it("a 10,000-item hash list reports its one matching item, with its evidence, the same cold, warm and with --no-ioc-cache", () => {
    const list = join(work, "hash-list");
    const hashed = join(work, "hashed");
    mkdirSync(list);
    mkdirSync(hashed);
    const content = "a file among many, found by its SHA-256 alone\n";
    writeFileSync(join(hashed, "payload.bin"), content);
    const found = createHash("sha256").update(content).digest("hex");
    writeFileSync(join(list, "list.ioc"), hashListIoc("list", 10_000, (i) => (i === 7_777 ? found : spreadDigest(i))));
    const run = (state: string, extra: readonly string[] = []) => {
      const result = runIocscan(["scan", "--db", join(state, "results.db"), "--no-hash-cache", "--format", "json", "--ioc", list, "--scope", hashed, ...extra]);
      return { status: result.status, report: JSON.parse(result.stdout || "null") as ScanReport, stderr: result.stderr };
    };
    const state = mkdtempSync(join(work, "state-"));
    const cold = run(state);
    const warm = run(state);
    const without = run(mkdtempSync(join(work, "state-")), ["--no-ioc-cache"]);
    expect(cold.status).toBe(1);
    expect(cold.report.detections).toHaveLength(1);
    expect(cold.report.detections[0]).toMatchObject({ matchedItems: ["id-7777"], objects: [{ fields: { Sha256sum: found } }] });
    for (const other of [warm, without]) {
      expect(other.status).toBe(cold.status);
      expect(stable(other.report)).toEqual(stable(cold.report));
    }
  });

  it("iocscan scan --no-ioc-cache writes no IOC cache", () => {
    const state = mkdtempSync(join(work, "state-"));
    expect(scan(state, ["--scope", tree, "--no-ioc-cache"]).status).toBe(1);
    expect(existsSync(join(state, "results.db"))).toBe(true);
    expect(existsSync(join(state, "ioc-cache"))).toBe(false);
  });

  it("iocscan scan goes on without the IOC cache when its folder cannot be created, and says so", () => {
    const state = mkdtempSync(join(work, "state-"));
    writeFileSync(join(state, "ioc-cache"), "a file where the folder would go");
    const blocked = scan(state, ["--scope", tree]);
    const without = scan(mkdtempSync(join(work, "state-")), ["--scope", tree, "--no-ioc-cache"]);
    expect(blocked.status).toBe(1);
    expect(blocked.stderr).toMatch(/IOC cache ".*ioc-cache" unavailable .*; loading IOC files without it/);
    expect(stable(blocked.report)).toEqual(stable(without.report));
  });
});
