/**
 * `iocscan scan --snapshot`: evaluates IOC files against a host snapshot ("collect once, evaluate
 * many") and produces the same report a live scan does.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { EvaluationPlan } from "../core/compile/index.js";
import { createEvaluation } from "../core/evaluate/index.js";
import { parseSnapshot, REPORT_FORMAT, REPORT_VERSION, type HostSnapshot, type ScanReport } from "../core/report/index.js";
import { iocWarnings, preparePlan, reportIocs, ScanSetupError, type PlanSettings } from "./prepare-plan.js";
import { toReportDetection } from "./report-detection.js";

/** Options of {@link scanSnapshot}. */
export interface SnapshotScanOptions extends PlanSettings {
  /** IOC files or folders. */
  readonly iocPaths: readonly string[];
  readonly snapshotFile: string;
}

export { ScanSetupError } from "./prepare-plan.js";

/** Evaluates the IOCs against the snapshot; throws {@link ScanSetupError} when it cannot run. */
export async function scanSnapshot(options: SnapshotScanOptions): Promise<ScanReport> {
  const startedAt = new Date().toISOString();
  const snapshot = await readSnapshot(options.snapshotFile);
  const { loaded, plan } = await preparePlan(options.iocPaths, options);
  const evaluation = createEvaluation(plan, { availableDocuments: snapshot.records.keys() });
  for (const records of snapshot.records.values()) {
    for (const record of records) evaluation.addRecord(record);
  }
  const detections = evaluation.finish();

  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    scanId: randomUUID(),
    host: { hostname: snapshot.host.hostname ?? "", os: snapshot.host.os ?? "", root: snapshot.host.root ?? "/" },
    source: { kind: "snapshot", file: options.snapshotFile, collectedAt: snapshot.collectedAt },
    startedAt,
    finishedAt: new Date().toISOString(),
    iocs: reportIocs(plan),
    detections: detections.map(toReportDetection),
    stats: snapshotStats(snapshot, plan),
    warnings: [...iocWarnings(loaded), ...snapshot.warnings.map((message) => ({ code: "SNAPSHOT", message, path: options.snapshotFile }))],
  };
}

async function readSnapshot(file: string): Promise<HostSnapshot> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const cause = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(error);
    throw new ScanSetupError(`Cannot read snapshot "${file}": ${cause}`);
  }
  const parsed = parseSnapshot(text);
  if (!parsed.ok) {
    const where = parsed.error.line !== undefined ? `:${parsed.error.line}:${parsed.error.column ?? 0}` : "";
    throw new ScanSetupError(`${file}${where}: ${parsed.error.message}`);
  }
  return parsed.snapshot;
}

function snapshotStats(snapshot: HostSnapshot, plan: EvaluationPlan): Record<string, number> {
  const count = (document: string): number => snapshot.records.get(document)?.length ?? 0;
  let records = 0;
  for (const list of snapshot.records.values()) records += list.length;
  return {
    recordsSeen: records,
    filesSeen: count("FileItem"),
    processesSeen: count("ProcessItem"),
    portsSeen: count("PortItem"),
    iocsLoaded: plan.iocs.length,
  };
}
