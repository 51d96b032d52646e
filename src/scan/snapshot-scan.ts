/**
 * `iocscan scan --snapshot`: evaluates IOC files against a host snapshot ("collect once, evaluate
 * many") and produces the same report a live scan does.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { compilePlan, type EvaluationPlan } from "../core/compile/index.js";
import { createEvaluation, type Detection } from "../core/evaluate/index.js";
import { parseSnapshot, REPORT_FORMAT, REPORT_VERSION, type HostSnapshot, type ReportWarning, type ScanReport } from "../core/report/index.js";
import { loadIocFiles, type LoadedIoc } from "./load-iocs.js";
import { createRe2Engine } from "./regex/re2-engine.js";

/** Options of {@link scanSnapshot}. */
export interface SnapshotScanOptions {
  /** IOC files or folders. */
  readonly iocPaths: readonly string[];
  readonly snapshotFile: string;
  /** Read FireEye HX event terms as host-state terms (default true). */
  readonly mapEvents?: boolean;
  /** Read Network/DNS as a DNS entry's host name (default false). */
  readonly mapNetworkTerms?: boolean;
}

/** A scan that could not run at all: bad arguments, unreadable snapshot, no usable IOC. */
export class ScanSetupError extends Error {
  override readonly name = "ScanSetupError";
}

/** Evaluates the IOCs against the snapshot; throws {@link ScanSetupError} when it cannot run. */
export async function scanSnapshot(options: SnapshotScanOptions): Promise<ScanReport> {
  const startedAt = new Date().toISOString();
  const snapshot = await readSnapshot(options.snapshotFile);
  const regexEngine = createRe2Engine();
  const switches = { mapEvents: options.mapEvents ?? true, mapNetworkTerms: options.mapNetworkTerms ?? false };

  const loaded = await loadIocFiles(options.iocPaths, { ...switches, regexEngine });
  const usable = loaded.filter((file) => file.ok && !file.duplicate && file.document);
  if (usable.length === 0) {
    throw new ScanSetupError(loaded.length === 0 ? "No IOC files found in the given --ioc paths" : `No usable IOC among ${loaded.length} file(s): run "iocscan ioc check" to see why`);
  }

  const plan = compilePlan(
    usable.flatMap((file) => (file.document ? [{ file: file.file, document: file.document }] : [])),
    { ...switches, regexEngine },
  );
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
    iocs: plan.iocs.map((ioc) => ({
      file: ioc.file,
      id: ioc.id,
      title: ioc.title,
      openiocVersion: ioc.version,
      items: ioc.items,
      supportedItems: ioc.supportedItems,
    })),
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

function toReportDetection(detection: Detection): ScanReport["detections"][number] {
  return {
    iocId: detection.iocId,
    iocFile: detection.iocFile,
    iocTitle: detection.iocTitle,
    matchedItems: [...detection.matchedItems],
    objects: detection.objects.map((object) => ({
      document: object.document,
      id: object.id,
      fields: { ...object.fields },
      actionable: object.actionable,
    })),
    actions: [],
    ...(detection.mappedItems.length > 0 ? { mappedItems: [...detection.mappedItems] } : {}),
    ...(detection.omittedObjects > 0 ? { omittedObjects: detection.omittedObjects } : {}),
  };
}

/** Unusable and duplicate IOC files, and every warning about a usable one, for the report. */
function iocWarnings(loaded: readonly LoadedIoc[]): ReportWarning[] {
  return loaded.flatMap((file) =>
    file.diagnostics
      .filter((d) => d.severity !== "info")
      .map((d) => ({ code: d.code, message: d.message, path: d.line > 0 ? `${file.file}:${d.line}:${d.column}` : file.file })),
  );
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
