/**
 * Between reports and rows: what one saved scan becomes in `scans` and `detections`, and how a
 * `scans` row is read back as a summary.
 *
 * @module
 */
import type { ScanReport } from "../core/report/index.js";
import type { DetectionsTable, ScansTable } from "./schema.js";
import type { ScanSource, ScanStatus, ScanSummary } from "./store.js";
import { toStoredTime } from "./_time.js";

const STATUSES: readonly ScanStatus[] = ["finished", "finished-with-warnings", "failed"];

/** The `scans` row of `report`; throws a RangeError when its times are not dates. */
export function scanRow(report: ScanReport, status: ScanStatus | undefined, savedAt: string): ScansTable {
  const startedAt = toStoredTime(report.startedAt);
  const finishedAt = toStoredTime(report.finishedAt);
  if (startedAt === undefined || finishedAt === undefined) {
    const [field, value] = startedAt === undefined ? ["startedAt", report.startedAt] : ["finishedAt", report.finishedAt];
    throw new RangeError(`Cannot save scan "${report.scanId}": ${field} "${value}" is not a date`);
  }
  if (status !== undefined && !STATUSES.includes(status)) {
    throw new RangeError(`Cannot save scan "${report.scanId}": unknown status "${String(status)}"`);
  }
  const source = report.source;
  return {
    id: report.scanId,
    host: report.host.hostname,
    started_at: startedAt,
    finished_at: finishedAt,
    saved_at: savedAt,
    source_kind: source?.kind ?? "live",
    source_file: source?.kind === "snapshot" ? source.file : null,
    ioc_count: report.iocs.length,
    detection_count: report.detections.length,
    warning_count: report.warnings.length,
    status: status ?? (report.warnings.length > 0 ? "finished-with-warnings" : "finished"),
    report: JSON.stringify(report),
  };
}

/** One row per detected object; a detection that lists no object still gets one row. */
export function detectionRows(report: ScanReport): DetectionsTable[] {
  const rows: DetectionsTable[] = [];
  report.detections.forEach((detection, detectionIndex) => {
    const base = { scan_id: report.scanId, detection_index: detectionIndex, ioc_id: detection.iocId, ioc_title: detection.iocTitle };
    if (detection.objects.length === 0) {
      rows.push({ ...base, object_index: 0, document: null, object_id: null, actionable: 0 });
    }
    detection.objects.forEach((object, objectIndex) => {
      rows.push({ ...base, object_index: objectIndex, document: object.document, object_id: object.id, actionable: object.actionable ? 1 : 0 });
    });
  });
  return rows;
}

/** The columns a summary needs (everything but the report). */
export type SummaryRow = Omit<ScansTable, "report" | "saved_at">;

/** A `scans` row as the API shows it. */
export function toSummary(row: SummaryRow): ScanSummary {
  const source: ScanSource = row.source_kind === "snapshot" ? { kind: "snapshot", file: row.source_file ?? "" } : { kind: "live" };
  return {
    id: row.id,
    host: row.host,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    source,
    // Number(): a driver may hand back integers as bigint or text (pg does for int8 and counts).
    iocCount: Number(row.ioc_count),
    detectionCount: Number(row.detection_count),
    warningCount: Number(row.warning_count),
    status: row.status as ScanStatus,
  };
}
