/**
 * Actions on detection (`--action quarantine`): each actionable FileItem is moved to quarantine
 * (a verified copy first, then the original is deleted); each actionable ProcessItem is
 * terminated and its executable quarantined. Everything else, and everything the safety rules
 * of DESIGN.md section 6 exclude, gets a "skipped" receipt that says why. Every receipt lands in
 * the report next to its detection.
 *
 * @module
 */
import type { HostView } from "../collectors/types.js";
import type { ReportAction, ReportDetection, ScanReport } from "../core/report/index.js";
import { readlinkMemory } from "../shared/fs-path.js";
import { pathFromText, pathText } from "../shared/path-text.js";
import type { ProtectedPaths } from "./protected-paths.js";

/** Why an object was quarantined, for the entry's metadata. */
export interface QuarantineCause {
  readonly scanId: string;
  readonly iocId: string;
  readonly iocTitle: string;
}

/** The quarantine store as the responder uses it. */
export interface QuarantineTarget {
  /** Copies, verifies, then deletes the file at `diskPath`. */
  quarantineFile(diskPath: string, hostPath: string, cause: QuarantineCause): Promise<ReportAction>;
  /** True for paths inside the store itself: never acted on. */
  isInsideStore(diskPath: string): boolean;
  /**
   * The receipt of this scan's earlier quarantine of the file, if the store holds one: a scan
   * interrupted between quarantining a file and journaling it finds it here on resume (and the
   * original deleted, when the interruption came before that).
   */
  findEarlier?(diskPath: string, hostPath: string, scanId: string): Promise<ReportAction | undefined>;
}

/** Receipts of objects already acted on (a resumed scan), and where new ones are recorded. */
export interface ReceiptJournal {
  /** The scan acted before this run (it was interrupted while acting): see findEarlier. */
  readonly resumed: boolean;
  get(key: string): readonly ReportAction[] | undefined;
  record(key: string, receipts: readonly ReportAction[]): Promise<void>;
}

/** What the responder needs. */
export interface ResponseSettings {
  readonly host: HostView;
  /** Host paths of the scan's file scopes: files outside them are never touched. */
  readonly scopes: readonly string[];
  readonly protectedPaths: ProtectedPaths;
  readonly quarantine: QuarantineTarget;
  /** Terminates a process (see actions/process/terminate.ts). */
  terminate(pid: number): Promise<ReportAction>;
  /** Makes the response resumable: each object is acted on once, across interruptions. */
  readonly journal?: ReceiptJournal;
  /**
   * Ctrl-C or SIGTERM: the response stops before the next object ({@link ResponseInterruptedError}).
   * Only for a journaled response, which a resumed scan finishes without acting twice.
   */
  readonly signal?: AbortSignal;
}

/** The response stopped between two objects on its signal; the journal holds what was done. */
export class ResponseInterruptedError extends Error {
  override readonly name = "ResponseInterruptedError";
}

/**
 * Applies the actions to every detection of `report` (the Critical Areas Scan's included),
 * adding receipts to `detection.actions`.
 */
export async function respondToDetections(report: ScanReport, settings: ResponseSettings): Promise<void> {
  // One object found by several IOCs is acted on once; later detections point at the first receipt.
  const done = new Map<string, ReportAction>();
  for (const detection of [...report.detections, ...(report.criticalAreas?.detections ?? [])]) {
    for (const object of detection.objects) {
      // Between two objects, never inside one: a quarantine is copy, verify, delete.
      if (settings.signal?.aborted === true) throw new ResponseInterruptedError("the response was interrupted");
      const key = `${object.document} ${object.id}`;
      if (!object.actionable) {
        // Said for this IOC only: another IOC that matches the object positively still acts on it,
        // whichever comes first. Nothing is done, so nothing is journaled.
        detection.actions.push({ type: "none", status: "skipped", detail: "bound only through negated items: never acted on", objectId: object.id });
        continue;
      }
      const earlier = done.get(key);
      if (earlier) {
        detection.actions.push({ type: earlier.type, status: "skipped", detail: `already handled for another IOC (${earlier.status})`, objectId: object.id });
        continue;
      }
      // A journaled "none" (no action for such an object) acted on nothing: worked out again.
      const fromJournal = settings.journal?.get(key);
      const journaled = fromJournal?.some((receipt) => receipt.type !== "none") === true ? fromJournal : undefined;
      const receipts = journaled ? [...journaled] : await respondToObject(detection, object, report.scanId, settings);
      if (!journaled) await settings.journal?.record(key, receipts);
      detection.actions.push(...receipts);
      if (receipts[0]) done.set(key, receipts[0]);
    }
  }
}

async function respondToObject(
  detection: ReportDetection,
  object: ReportDetection["objects"][number],
  scanId: string,
  settings: ResponseSettings,
): Promise<ReportAction[]> {
  const cause = { scanId, iocId: detection.iocId, iocTitle: detection.iocTitle };
  if (object.document === "FileItem") return [await quarantineHostFile(object.id, cause, settings)];
  if (object.document === "ProcessItem") return respondToProcess(Number(object.id), cause, settings);
  return [{ type: "none", status: "skipped", detail: `no action exists for ${object.document}`, objectId: object.id }];
}

async function respondToProcess(pid: number, cause: QuarantineCause, settings: ResponseSettings): Promise<ReportAction[]> {
  // Read the executable's path before the process (and its /proc entry) is gone, in text form
  // (shared/path-text.ts), as a FileItem's id: node's readlink would turn a byte of a name that is
  // not UTF-8 into U+FFFD (no such file), and quarantineHostFile reads a text form back to bytes.
  const exe = settings.host.live ? await readlinkMemory(`/proc/${pid}/exe`).then(pathText, () => undefined) : undefined;
  if (exe !== undefined && settings.protectedPaths.isProtected(exe.replace(/ \(deleted\)$/, ""))) {
    return [{ type: "terminate", status: "skipped", detail: `protected: ${exe} is a system program no action may touch`, objectId: String(pid) }];
  }
  const terminated = await settings.terminate(pid);
  const receipts = [terminated];
  if (terminated.status !== "done") return receipts;
  if (exe === undefined) {
    receipts.push({ type: "quarantine", status: "skipped", detail: "the process's executable could not be read", objectId: String(pid) });
  } else if (exe.endsWith(" (deleted)")) {
    receipts.push({ type: "quarantine", status: "skipped", detail: `the executable ${exe} was already deleted from disk`, objectId: String(pid) });
  } else {
    receipts.push(await quarantineHostFile(exe, cause, settings));
  }
  return receipts;
}

/**
 * `hostPath` is a FileItem's id, the text form of its path (src/shared/path-text.ts): the
 * file is quarantined through the exact bytes it stands for. Protection globs, like exclusions,
 * see the text form.
 */
async function quarantineHostFile(hostPath: string, cause: QuarantineCause, settings: ResponseSettings): Promise<ReportAction> {
  const refuse = (detail: string): ReportAction => ({ type: "quarantine", status: "skipped", detail, objectId: hostPath });
  const path = pathFromText(hostPath);
  if (!isInsideScopes(path, settings.scopes)) return refuse("outside the scan scope");
  if (settings.protectedPaths.isProtected(hostPath)) return refuse("protected: a system file no action may touch");
  const diskPath = settings.host.toDisk(path);
  if (settings.quarantine.isInsideStore(diskPath)) return refuse("inside the quarantine store");
  // Only a scan that acted before can have a copy it did not journal: a fresh one never lists the store.
  if (settings.journal?.resumed === true) {
    const earlier = await settings.quarantine.findEarlier?.(diskPath, hostPath, cause.scanId);
    if (earlier !== undefined) return earlier;
  }
  return settings.quarantine.quarantineFile(diskPath, hostPath, cause);
}

/** True when `path` is one of the scopes or below one. */
export function isInsideScopes(path: string, scopes: readonly string[]): boolean {
  return scopes.some((scope) => scope === "/" || path === scope || path.startsWith(`${scope.replace(/\/+$/, "")}/`));
}
