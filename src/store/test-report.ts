/**
 * Scan reports made up for tests of the store and of `iocscan results`: every field of the
 * contract is used, so that a round trip that drops or changes something shows.
 *
 * @module
 */
import type { ReportDetection, ScanReport } from "../core/report/index.js";

/** Options of `makeTestReport`. */
export interface TestReportOptions {
  startedAt?: string;
  hostname?: string;
  /** How many detections (default 2); each IOC id is `ioc-<n>`. */
  detections?: number;
  warnings?: number;
  snapshotFile?: string;
}

/** A report of scan `scanId` whose detections and warnings are generated from their index. */
export function makeTestReport(scanId: string, options: TestReportOptions = {}): ScanReport {
  const startedAt = options.startedAt ?? "2026-11-27T10:00:00.000Z";
  const finishedAt = new Date(new Date(startedAt).getTime() + 65_000).toISOString();
  const detections: ReportDetection[] = [];
  for (let n = 0; n < (options.detections ?? 2); n++) detections.push(makeDetection(n));
  return {
    format: "iocscan-report",
    version: 1,
    scanId,
    host: { hostname: options.hostname ?? "web-1.example.internal", os: "linux", root: "/" },
    ...(options.snapshotFile === undefined
      ? { source: { kind: "live" as const } }
      : { source: { kind: "snapshot" as const, file: options.snapshotFile, collectedAt: "2026-11-26T08:00:00Z" } }),
    startedAt,
    finishedAt,
    iocs: [
      { file: "/etc/iocscan/iocs/miner.ioc", id: "ioc-0", title: "LINUX CRYPTOMINER (METHODOLOGY)", openiocVersion: "1.1", items: 12, supportedItems: 10 },
      { file: "/etc/iocscan/iocs/eicar.ioc", id: "ioc-1", title: "EICAR — test file", openiocVersion: "1.0", items: 1, supportedItems: 1 },
    ],
    detections,
    stats: { filesSeen: 1234, filesHashed: 17, bytesHashed: 987_654_321, processesSeen: 88 },
    warnings: Array.from({ length: options.warnings ?? 0 }, (_, i) => ({
      code: "read-denied",
      message: `Cannot read file "/root/secret-${i}": permission denied`,
      path: `/root/secret-${i}`,
    })),
  };
}

function makeDetection(n: number): ReportDetection {
  const detection: ReportDetection = {
    iocId: `ioc-${n}`,
    iocFile: `/etc/iocscan/iocs/${n}.ioc`,
    iocTitle: `IOC number ${n} «ünïcode»`,
    matchedItems: [`item-${n}-a`, `item-${n}-b`],
    objects: [
      {
        document: "FileItem",
        id: `/tmp/.cache/evil-${n}`,
        fields: { Md5sum: "44D88612FEA8A8F36DE82E1278ABB02F", SizeInBytes: 68 + n, "StringList/string": ["a", "b"] },
        actionable: true,
      },
      { document: "ProcessItem", id: String(4000 + n), fields: { name: "xmrig", pid: 4000 + n }, actionable: n % 2 === 0 },
    ],
    actions: [{ type: "quarantine", status: "done", detail: "copied and deleted", quarantineId: `q-${n}`, objectId: `/tmp/.cache/evil-${n}` }],
  };
  if (n % 3 === 0) {
    detection.mappedItems = [`item-${n}-a`];
    detection.omittedObjects = 3;
  }
  return detection;
}
