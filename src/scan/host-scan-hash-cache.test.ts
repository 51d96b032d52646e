/**
 * The hash cache in a whole scan of this computer (scanHost): a rescan of an unchanged tree is
 * served from it, a cache that cannot be written is a warning of the report, one that cannot be
 * opened leaves the scan to hash without it. Every tree and cache is a temp folder made here.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../core/report/index.js";
import { essentials, writeTestTree, type TestTree } from "./checkpoint/_test-tree.js";
import { scanHost, type HostScanOptions } from "./host-scan.js";

let work: string;
let t: TestTree;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-host-hash-cache-"));
  t = writeTestTree(work, 300);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const scan = (hashCacheFile: string, extra: Partial<HostScanOptions> = {}) =>
  scanHost({ iocPaths: [t.ioc], scopes: [t.tree], switches: { FileItem: "on" }, hashCacheFile, ...extra });

const found = (report: ScanReport): string[] => (report.detections[0]?.objects.map((o) => o.id) ?? []).sort();

const deviceFileName = (path: string): string => `dev-${statSync(path).dev.toString(16).padStart(16, "0")}.bin`;

describe("scanHost with a hash cache", () => {
  it("the rescan of an unchanged tree hashes nothing and finds the same files", async () => {
    const cache = join(work, "cache-ok");
    const first = await scan(cache);
    expect(first.stats["filesHashed"]).toBe(300);
    expect(readdirSync(cache)).toEqual([deviceFileName(t.tree)]);
    const again = await scan(cache);
    expect(again.stats["filesHashed"] ?? 0).toBe(0);
    expect(again.stats["hashCacheHits"]).toBe(300);
    expect(found(first)).toEqual([...t.planted].sort());
    expect(essentials(again)).toEqual(essentials(first));
    expect(again.warnings).toEqual([]);
  });

  it("a cache whose device file cannot be replaced is reported as a warning; the scan's findings are whole", async () => {
    const cache = join(work, "cache-blocked");
    mkdirSync(cache, { mode: 0o700 });
    // A folder where the device's file goes: it reads as no entries, and the rename over it fails.
    mkdirSync(join(cache, deviceFileName(t.tree)));
    writeFileSync(join(cache, deviceFileName(t.tree), "keep"), "");
    const report = await scan(cache);
    expect(found(report)).toEqual([...t.planted].sort());
    expect(report.warnings.map((w) => w.code)).toEqual(["hash-cache-not-written"]);
    expect(report.warnings[0]?.message).toContain(cache);
  });

  it("a cache that cannot be opened is told to onCacheUnavailable and the scan hashes without it", async () => {
    const notAFolder = join(work, "cache-file");
    writeFileSync(notAFolder, "");
    const unavailable: string[] = [];
    const report = await scan(notAFolder, { onCacheUnavailable: (file) => unavailable.push(file) });
    expect(unavailable).toEqual([notAFolder]);
    expect(report.stats["filesHashed"]).toBe(300);
    expect(found(report)).toEqual([...t.planted].sort());
  });
});
