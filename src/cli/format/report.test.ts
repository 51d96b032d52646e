import { describe, expect, it } from "vitest";
import type { ScanReport } from "../../core/report/index.js";
import { formatReport } from "./report.js";

/** A terminal control character, a C1 control (8-bit CSI), a line or paragraph break inside a line, a bidi override, a lone surrogate. */
const ACTIVE = /(?!\n)\p{Cc}|[\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;

const PATH = "/tmp/t/evil\x1b]0;pwned\x07\x1b[2J\x1b[1A\rNo IOC matched.\n.bin";
const TITLE = "Title\x1b[31m\r\nNo IOC matched.\x9b2J\u202eexe.txt\ud800";

function hostileReport(): ScanReport {
  const detection = {
    iocId: "id\x1b[8m",
    iocFile: "/tmp/t/iocs/x\n.ioc",
    iocTitle: TITLE,
    matchedItems: ["item\x07"],
    objects: [{ document: "FileItem", id: PATH, fields: { FullPath: PATH, FileName: "x\x9b2J\x7f", SizeInBytes: 1 }, actionable: true }],
    actions: [{ type: "quarantine", status: "failed" as const, detail: `Cannot open file "${PATH}": permission denied`, objectId: PATH }],
  };
  return {
    format: "iocscan-report",
    version: 1,
    scanId: "scan-1",
    host: { hostname: "host\x1b]0;x\x07", os: "linux", root: "/" },
    source: { kind: "snapshot", file: "/tmp/t/snap\r.json", collectedAt: "2026-01-01T00:00:00Z" },
    startedAt: "2026-01-01T00:00:00Z",
    finishedAt: "2026-01-01T00:00:01Z",
    iocs: [{ file: detection.iocFile, id: detection.iocId, title: TITLE, openiocVersion: "1.1", items: 1, supportedItems: 1 }],
    detections: [detection],
    stats: { filesSeen: 1 },
    criticalAreas: {
      startedAt: "2026-01-01T00:00:00Z",
      finishedAt: "2026-01-01T00:00:01Z",
      findings: [{ area: "startup", kind: "antivirus", name: "Sig\x1b[2J", objectId: PATH, document: "FileItem", detail: "found\nFAKE", actionable: true }],
      detections: [detection],
      areasScanned: [{ area: "startup", objects: 1, files: 1, filesOverLimit: 0, note: "note\x1b[1A" }],
      antivirus: { engine: "clamav", detail: "db\x07", scanned: 1 },
      warnings: [],
      stats: {},
    },
    warnings: [{ code: "unreadable", path: PATH, message: `Cannot read "${PATH}": permission denied` }],
  };
}

describe("formatReport()", () => {
  it("formatReport() text shows hostile names, titles and messages escaped, one line each", () => {
    const text = formatReport(hostileReport(), "text");
    expect(text).not.toMatch(ACTIVE);
    const lines = text.split("\n");
    expect(lines.filter((line) => line.startsWith("DETECTED"))).toEqual([
      'DETECTED  "Title\\u001b[31m\\r\\nNo IOC matched.\\u009b2J\\u202eexe.txt\\ud800"  ("id\\u001b[8m", "/tmp/t/iocs/x\\n.ioc")',
    ]);
    expect(lines).toContain('  FileItem "/tmp/t/evil\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[1A\\rNo IOC matched.\\n.bin"');
    expect(lines).toContain('      FileName = "x\\u009b2J\\u007f"');
    expect(lines).toContain('  unreadable "/tmp/t/evil\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[1A\\rNo IOC matched.\\n.bin": Cannot read "/tmp/t/evil\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[1A\\rNo IOC matched.\\n.bin": permission denied');
    expect(lines).toContain('  FOUND antivirus "Sig\\u001b[2J" in startup: FileItem "/tmp/t/evil\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[1A\\rNo IOC matched.\\n.bin" (found\\nFAKE)');
    expect(lines[0]).toBe('iocscan scan scan-1 of "host\\u001b]0;x\\u0007", snapshot "/tmp/t/snap\\r.json" (collected 2026-01-01T00:00:00Z)');
    // Nothing in the report can make a line of its own.
    expect(lines.filter((line) => line.startsWith("No IOC matched."))).toEqual([]);
  });

  it("formatReport() text leaves ordinary names as they are", () => {
    const report = hostileReport();
    const detection = report.detections[0];
    if (detection === undefined) throw new Error("no detection");
    Object.assign(detection, { iocTitle: "Poison Ivy", iocId: "6d2c0b2e", iocFile: "/tmp/t/pi.ioc" });
    Object.assign(detection.objects[0] ?? {}, { id: "/tmp/t/drop/evil.exe", fields: { FileName: "evil.exe" } });
    const lines = formatReport(report, "text").split("\n");
    expect(lines).toContain("DETECTED  Poison Ivy  (6d2c0b2e, /tmp/t/pi.ioc)");
    expect(lines).toContain("  FileItem /tmp/t/drop/evil.exe");
    expect(lines).toContain('      FileName = "evil.exe"');
  });

  it("formatReport() JSON and NDJSON keep every value exact", () => {
    const report = hostileReport();
    const json = JSON.parse(formatReport(report, "json")) as ScanReport;
    expect(json.detections[0]?.objects[0]?.id).toBe(PATH);
    expect(json.detections[0]?.iocTitle).toBe(TITLE);
    const ndjson = formatReport(report, "ndjson").trimEnd().split("\n");
    expect(ndjson).toHaveLength(2);
    expect((JSON.parse(ndjson[0] ?? "") as { objects: { id: string }[] }).objects[0]?.id).toBe(PATH);
    // JSON escapes C0 controls; DEL and C1 stay as they are: the values are exact.
    expect(formatReport(report, "json")).not.toMatch(/(?![\n\x7f-\x9f])\p{Cc}/u);
  });

  it("formatReport() CSV keeps values exact in quoted cells and guards cells a spreadsheet would run", () => {
    const report = hostileReport();
    const detection = report.detections[0];
    if (detection === undefined) throw new Error("no detection");
    detection.iocTitle = "\n=HYPERLINK(\"http://x\")";
    detection.iocId = "\0@SUM(1)";
    const [, row] = formatReport(report, "csv").split("\r\n");
    expect(row).toContain(`"'\n=HYPERLINK(""http://x"")"`);
    expect(row?.startsWith("'\0@SUM(1),")).toBe(true);
    expect(row).toContain(`"${PATH.replaceAll('"', '""')}"`);
  });
});
