import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/core/report/index.js";
import { runIocscan } from "./run-cli.js";

const examples = fileURLToPath(new URL("../../examples/", import.meta.url));
const iocs = join(examples, "iocs");
const snapshot = join(examples, "snapshots/web-server.json");
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-scan-"));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("iocscan scan --snapshot", () => {
  it("iocscan scan reports the detections of the bundled example with exit status 1", () => {
    const db = join(work, "results.db");
    const result = runIocscan(["scan", "--db", db, "--ioc", iocs, "--snapshot", snapshot, "--format", "json"]);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as ScanReport;
    expect(report).toMatchObject({ format: "iocscan-report", version: 1, host: { hostname: "web-1.example.internal" } });
    expect(report.iocs).toHaveLength(4);
    const found = report.detections.map((d) => [d.iocTitle, d.objects.map((o) => `${o.document} ${o.id}`)]);
    expect(found).toEqual([
      ["EICAR TEST FILE (EXAMPLE)", ["FileItem /var/www/uploads/eicar.com"]],
      ["LINUX CRYPTOMINER (METHODOLOGY)", ["ProcessItem 4242", "FileItem /tmp/.cache/xmrig"]],
      ["REVERSE SHELL (METHODOLOGY)", ["PortItem TCP 10.0.0.5:51514 203.0.113.7:4444"]],
    ]);
    expect(report.detections[0]?.objects[0]).toEqual({
      document: "FileItem",
      id: "/var/www/uploads/eicar.com",
      fields: { SizeInBytes: 68, Md5sum: "44D88612FEA8A8F36DE82E1278ABB02F" },
      actionable: true,
    });
    expect(report.stats).toMatchObject({ filesSeen: 4, processesSeen: 3, portsSeen: 2 });

    const recorded = runIocscan(["results", "show", report.scanId, "--db", db, "--format", "json"]);
    expect(recorded.status).toBe(0);
    expect((JSON.parse(recorded.stdout) as ScanReport).detections).toEqual(report.detections);
  });

  it("iocscan scan exits 0 when nothing matches", () => {
    const clean = join(work, "clean.json");
    const data = JSON.parse(readFileSync(snapshot, "utf8")) as { records: Record<string, unknown[]> };
    data.records = { FileItem: [{ FullPath: "/usr/bin/ls", FileName: "ls", SizeInBytes: 151344 }] };
    writeFileSync(clean, JSON.stringify(data));
    const result = runIocscan(["scan", "--no-db", "--ioc", iocs, "--snapshot", clean]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("No IOC matched.");
  });

  it("iocscan scan streams NDJSON with the summary last and writes CSV to --output", () => {
    const ndjson = runIocscan(["scan", "--no-db", "--ioc", iocs, "--snapshot", snapshot, "--format", "ndjson"]);
    const lines = ndjson.stdout.trim().split("\n").map((line) => JSON.parse(line) as { type: string; detections?: number });
    expect(lines.map((l) => l.type)).toEqual(["detection", "detection", "detection", "summary"]);
    expect(lines[3]?.detections).toBe(3);

    const output = join(work, "report.csv");
    const csv = runIocscan(["scan", "--no-db", "--ioc", iocs, "--snapshot", snapshot, "--format", "csv", "--output", output]);
    expect([csv.status, csv.stdout]).toEqual([1, ""]);
    const rows = readFileSync(output, "utf8").trim().split("\r\n");
    expect(rows[0]).toBe("iocId,iocTitle,iocFile,document,objectId,actionable,matchedItems,fields,actions");
    expect(rows).toHaveLength(5);
    expect(rows[4]).toContain("PortItem,TCP 10.0.0.5:51514 203.0.113.7:4444,true,port-4444 not-a-browser");
  });

  it("iocscan scan names the file, line and cause of a bad snapshot and exits 2", () => {
    const broken = join(work, "broken.json");
    writeFileSync(broken, '{\n  "format": "iocscan-snapshot",\n  "version": 1\n  "host": {}\n}');
    const result = runIocscan(["scan", "--no-db", "--ioc", iocs, "--snapshot", broken]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`${broken}:4:3: Not valid JSON`));

    const wrong = join(work, "wrong.json");
    writeFileSync(wrong, JSON.stringify({ format: "iocscan-snapshot", version: 1, host: {}, collectedAt: "2026-01-01T00:00:00Z", records: { FileItem: [{ SizeInBytes: [{}] }] } }));
    const shape = runIocscan(["scan", "--no-db", "--ioc", iocs, "--snapshot", wrong]);
    expect(shape.status).toBe(2);
    expect(shape.stderr).toContain("at records.FileItem[0].SizeInBytes");
  });

  it("iocscan scan exits 2 without a usable IOC", () => {
    const junk = join(work, "junk.ioc");
    writeFileSync(junk, "not xml");
    const noIoc = runIocscan(["scan", "--no-db", "--ioc", junk, "--snapshot", snapshot]);
    expect(noIoc.status).toBe(2);
    // Which file, where, and why.
    expect(noIoc.stderr).toMatch(new RegExp(`No usable IOC among 1 file\\(s\\): ${junk.replaceAll("/", "\\/")}:\\d+:\\d+: Malformed XML`));
  });
});
