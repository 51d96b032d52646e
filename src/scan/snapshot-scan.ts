/**
 * `iocscan scan --snapshot`: evaluates IOC files against a host snapshot ("collect once, evaluate
 * many") and produces the same report a live scan does.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { Socket } from "node:net";
import type { EvaluationPlan } from "../core/compile/index.js";
import { createEvaluation } from "../core/evaluate/index.js";
import { parseSnapshotBytes, REPORT_FORMAT, REPORT_VERSION, type HostSnapshot, type ScanReport } from "../core/report/index.js";
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
  let bytes: Uint8Array;
  try {
    bytes = await readSnapshotBytes(file);
  } catch (error) {
    if (error instanceof ScanSetupError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const cause =
      code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a folder" : error instanceof Error ? error.message : String(error);
    throw new ScanSetupError(`Cannot read snapshot "${file}": ${cause}`);
  }
  const parsed = parseSnapshotBytes(bytes);
  if (!parsed.ok) {
    const where = parsed.error.line !== undefined ? `:${parsed.error.line}:${parsed.error.column ?? 0}` : "";
    throw new ScanSetupError(`${file}${where}: ${parsed.error.message}`);
  }
  return parsed.snapshot;
}

/**
 * The snapshot's bytes. A pipe is read too (`--snapshot <(ssh host iocscan collect)`,
 * `/dev/stdin`), but one that no program is writing to is refused at once instead of waiting
 * forever; a folder or a device is refused.
 */
async function readSnapshotBytes(file: string): Promise<Uint8Array> {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  let stat: ReturnType<typeof fstatSync>;
  try {
    stat = fstatSync(fd);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  if (!stat.isFIFO() && !stat.isSocket()) {
    try {
      if (stat.isDirectory()) throw new ScanSetupError(`Cannot read snapshot "${file}": it is a folder`);
      if (!stat.isFile()) throw new ScanSetupError(`Cannot read snapshot "${file}": it is not a file or a pipe`);
      return readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  // A pipe: from here its descriptor is readPipe's, or closed here.
  const start = Buffer.alloc(65536);
  let first: number;
  try {
    first = readSync(fd, start);
  } catch (error) {
    // EAGAIN: a writer is there, with nothing written yet; the same descriptor waits for it (a
    // second open could come after the writer had written everything and gone, losing it).
    if ((error as NodeJS.ErrnoException).code === "EAGAIN") return readPipe(file, [], fd);
    closeSync(fd);
    throw error;
  }
  if (first === 0) {
    closeSync(fd);
    throw new ScanSetupError(`Cannot read snapshot "${file}": it is a pipe that no program is writing to (or it wrote nothing)`);
  }
  return readPipe(file, [start.subarray(0, first)], fd);
}

/** The rest of a pipe, without blocking a thread: the event loop waits for the writer. */
function readPipe(file: string, chunks: Buffer[], fd: number): Promise<Uint8Array> {
  const socket = new Socket({ fd, readable: true, writable: false });
  return new Promise<Uint8Array>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error) => {
      socket.destroy();
      reject(new ScanSetupError(`Cannot read snapshot "${file}": ${error.message}`));
    });
    socket.on("end", () => {
      socket.destroy();
      resolve(Buffer.concat(chunks));
    });
  });
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
