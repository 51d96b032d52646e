/**
 * A zod schema of the scan report (src/core/report/report.ts, DESIGN.md section 5), for the
 * server to check what an agent uploads before storing it. Unknown fields are kept (`looseObject`):
 * the report may gain fields without a new version, and an older server must not refuse them.
 * Sizes are bounded, since the body is untrusted.
 *
 * @module
 */
import { z } from "zod";
import { REPORT_FORMAT, REPORT_VERSION, type ScanReport } from "../report/report.js";

const MAX_LIST = 100_000;
const str = (max: number) => z.string().max(max);
const when = z.iso.datetime({ offset: true });

const FieldValue = z.union([z.string().max(65_536), z.number(), z.boolean(), z.array(z.union([z.string().max(65_536), z.number(), z.boolean()])).max(10_000)]);

const ReportObject = z.looseObject({
  document: str(200),
  id: str(8192),
  fields: z.record(str(500), FieldValue),
  actionable: z.boolean(),
});

const ReportAction = z.looseObject({
  type: str(100),
  status: z.enum(["done", "failed", "skipped"]),
  detail: str(4000),
  quarantineId: str(200).exactOptional(),
  objectId: str(8192).exactOptional(),
});

const ReportDetection = z.looseObject({
  iocId: str(255),
  iocFile: str(4096),
  iocTitle: str(2000),
  matchedItems: z.array(str(255)).max(MAX_LIST),
  objects: z.array(ReportObject).max(MAX_LIST),
  actions: z.array(ReportAction).max(MAX_LIST),
  mappedItems: z.array(str(255)).max(MAX_LIST).exactOptional(),
  omittedObjects: z.number().int().min(0).exactOptional(),
});

const ReportWarning = z.looseObject({ code: str(100), message: str(4000), path: str(8192).exactOptional() });

const CriticalAreas = z.looseObject({
  startedAt: when,
  finishedAt: when,
  findings: z
    .array(
      z.looseObject({
        area: str(200),
        kind: z.enum(["ioc", "antivirus", "heuristic"]),
        name: str(2000),
        objectId: str(8192),
        document: str(200),
        detail: str(4000),
        actionable: z.boolean(),
      }),
    )
    .max(MAX_LIST),
  detections: z.array(ReportDetection).max(MAX_LIST),
  areasScanned: z.array(z.looseObject({ area: str(200), objects: z.number(), files: z.number(), filesOverLimit: z.number(), note: str(2000).exactOptional() })).max(1000),
  antivirus: z.looseObject({ engine: str(200), detail: str(4000), scanned: z.number() }),
  warnings: z.array(ReportWarning).max(MAX_LIST),
  stats: z.record(str(200), z.number()),
});

/** The report an agent uploads with a run's result. */
export const ScanReportSchema = z.looseObject({
  format: z.literal(REPORT_FORMAT),
  version: z.literal(REPORT_VERSION),
  scanId: str(200).min(1),
  host: z.looseObject({ hostname: str(255), os: str(255), root: str(4096) }),
  source: z
    .union([z.looseObject({ kind: z.literal("live") }), z.looseObject({ kind: z.literal("snapshot"), file: str(4096), collectedAt: str(100) })])
    .exactOptional(),
  startedAt: when,
  finishedAt: when,
  iocs: z
    .array(
      z.looseObject({
        file: str(4096),
        id: str(255),
        title: str(2000),
        openiocVersion: z.enum(["1.0", "1.1"]),
        items: z.number().int().min(0),
        supportedItems: z.number().int().min(0),
      }),
    )
    .max(MAX_LIST),
  detections: z.array(ReportDetection).max(MAX_LIST),
  stats: z.record(str(200), z.number()),
  coverage: z.looseObject({ collected: z.array(str(200)).max(1000), notCollected: z.array(z.looseObject({ document: str(200), reason: str(2000) })).max(1000) }).exactOptional(),
  criticalAreas: CriticalAreas.exactOptional(),
  warnings: z.array(ReportWarning).max(MAX_LIST),
});

// The schema must accept nothing the report type does not describe.
type _Checked = z.infer<typeof ScanReportSchema> extends ScanReport ? true : never;
export const SCAN_REPORT_SCHEMA_MATCHES_TYPE: _Checked = true;
