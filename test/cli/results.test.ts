import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/core/report/index.js";
import { openSqliteStore, type ScanSummary } from "../../src/store/index.js";
import { makeTestReport } from "../../src/store/test-report.js";
import { runIocscan } from "./run-cli.js";

let work: string;
let db: string;
let saved: ScanSummary[];
const older = makeTestReport("scan-older", { startedAt: "2026-11-20T08:00:00.000Z", hostname: "db-2", detections: 0, warnings: 1 });
const newer = makeTestReport("scan-newer", { startedAt: "2026-11-27T10:00:00.000Z", hostname: "web-1", detections: 2, snapshotFile: "/srv/web-1.json" });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "iocscan-results-"));
  db = join(work, "state", "results.db");
  // Retention 0: the fixed dates of these reports must not age out while the suite runs.
  const store = await openSqliteStore(db, { retentionDays: 0 });
  try {
    await store.saveScan(older);
    await store.saveScan(newer);
    saved = await store.listScans();
  } finally {
    await store.close();
  }
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("iocscan results", () => {
  it("iocscan results list prints a table, newest first", () => {
    const result = runIocscan(["results", "list", "--db", db]);
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+STARTED \(UTC\)\s+HOST\s+SOURCE\s+IOCS\s+DETECTIONS\s+STATUS$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/))).toEqual([
      ["scan-newer", "2026-11-27 10:00:00", "web-1", "snapshot", "2", "2", "finished"],
      ["scan-older", "2026-11-20 08:00:00", "db-2", "live", "2", "0", "finished-with-warnings"],
    ]);
  });

  it("iocscan results list --json prints the summaries and --limit caps them", () => {
    const all = runIocscan(["results", "list", "--db", db, "--json"]);
    expect(all.status).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual(saved);
    const one = runIocscan(["results", "list", "--db", db, "--json", "--limit", "1"]);
    expect((JSON.parse(one.stdout) as ScanSummary[]).map((s) => s.id)).toEqual(["scan-newer"]);
    const bad = runIocscan(["results", "list", "--db", db, "--limit", "0"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("expected a whole number from 1 to 1000");
  });

  it("iocscan results show prints the summary and the detections", () => {
    const result = runIocscan(["results", "show", "scan-newer", "--db", db]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Scan scan-newer of web-1 (snapshot /srv/web-1.json)");
    expect(result.stdout).toContain("finished: 2 detections, 0 warnings, 2 IOCs");
    expect(result.stdout).toContain("DETECTED  IOC number 1 «ünïcode»  (ioc-1, /etc/iocscan/iocs/1.ioc)");
    expect(result.stdout).toContain("FileItem /tmp/.cache/evil-0");
  });

  it("iocscan results show --format json prints the saved report unchanged", () => {
    const result = runIocscan(["results", "show", "scan-older", "--db", db, "--format", "json"]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout) as ScanReport).toStrictEqual(older);
  });

  it("iocscan results show exits 2 for an unknown id", () => {
    const result = runIocscan(["results", "show", "no-such-scan", "--db", db]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('no scan "no-such-scan"');
  });

  it("iocscan results reads a missing database as empty without creating it", () => {
    const missing = join(work, "nowhere", "results.db");
    const list = runIocscan(["results", "list", "--db", missing]);
    expect(list.status).toBe(0);
    expect(list.stdout).toBe("No scans recorded.\n");
    expect(runIocscan(["results", "show", "scan-newer", "--db", missing]).status).toBe(2);
    expect(existsSync(join(work, "nowhere"))).toBe(false);
  });

  it("iocscan results exits 2 when the database cannot be read", () => {
    const broken = join(work, "broken.db");
    writeFileSync(broken, "not a database, only text that is long enough to fill a SQLite header.....");
    const result = runIocscan(["results", "list", "--db", broken]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`Cannot read the results database "${broken}"`);
  });
});
