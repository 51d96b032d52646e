/**
 * A scan of this computer (or an image) with everything wired: the hash cache, the quarantine
 * responder, every collector, and (with a checkpoint folder) checkpoints that let an interrupted
 * scan continue where it stopped. `iocscan scan` and the agent's task runs both call this, so a
 * task behaves exactly like the same scan typed on the command line.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import type { ScanExecution, ScanReport } from "../core/report/index.js";
import { createHostView } from "../collectors/host-view.js";
import { openActionJournal } from "./checkpoint/action-journal.js";
import { actionJournalFile, readCheckpoint, removeCheckpoint, writeCheckpoint, type ResumableSettings } from "./checkpoint/checkpoint-file.js";
import type { RunnerState } from "./checkpoint/runner-state.js";
import { scanDependencies } from "./dependencies.js";
import { openHashCache } from "./hash-cache/index.js";
import { ScanInterruptedError, scanLive, type LiveScanOptions } from "./live-scan.js";
import { ScanSetupError } from "./prepare-plan.js";
import { createIdleGate } from "./idle-gate.js";
import { createQuarantineResponder } from "./quarantine-response.js";
import { ResponseInterruptedError } from "./respond.js";
import { createCpuLimiter, lowerPriority } from "./throttle/index.js";
import { makeFolderSync } from "../shared/make-folder.js";

/** Options of {@link scanHost}: a live scan's options plus the response, the cache and checkpoints. */
export interface HostScanOptions extends Omit<LiveScanOptions, "respond" | "checkpointing"> {
  /** On detection: report only (default) or quarantine then delete (processes are terminated). */
  readonly action?: "report" | "quarantine";
  /** The quarantine store folder (default: the store's default folder). */
  readonly quarantineDir?: string;
  /** Globs of host paths no action may touch, besides the built-in protected paths. */
  readonly protect?: readonly string[];
  /** The hash cache folder; undefined = no cache. */
  readonly hashCacheFile?: string;
  /** Told when the hash cache cannot be opened (the scan goes on without it). */
  readonly onCacheUnavailable?: (file: string, error: unknown) => void;
  /**
   * The folder of checkpoints: the scan writes `<scanId>.checkpoint.json` there while it runs
   * and removes it when done; {@link resumeHostScan} continues an interrupted one.
   */
  readonly checkpointDir?: string;
  /** Longest time between checkpoints (default 15 s). */
  readonly checkpointIntervalMs?: number;
  /** Run only while the computer is idle (locked, screensaver on, or a headless machine at rest). */
  readonly idleOnly?: boolean;
  /** Hold the scan's CPU use near this percentage of one core (`--max-cpu`). */
  readonly maxCpu?: number;
  /** Run at lowered CPU and I/O priority (default: when idle-only; the agent sets it). */
  readonly background?: boolean;
}

/** Scans the host; throws `ScanSetupError` when it cannot run (no usable IOC, unusable store). */
export async function scanHost(options: HostScanOptions): Promise<ScanReport> {
  return run(options, undefined);
}

/** What a resumed scan may set anew: how it reports, not what it scans. */
export type ResumeOverrides = Pick<HostScanOptions, "onProgress" | "onStateChange" | "signal" | "gate" | "pace" | "onCacheUnavailable" | "iocCacheDir" | "onIocCacheUnavailable" | "checkpointIntervalMs" | "maxWarnings" | "background">;

/**
 * Continues the interrupted scan `scanId` from its checkpoint in `checkpointDir`, with the
 * settings it was started with; throws `CheckpointError` when there is none or it is unusable.
 */
export async function resumeHostScan(checkpointDir: string, scanId: string, overrides: ResumeOverrides = {}): Promise<ScanReport> {
  const { settings, runner } = await readCheckpoint(checkpointDir, scanId);
  return run({ ...fromResumable(settings), ...overrides, checkpointDir, scanId }, runner);
}

/** The settings a checkpoint records to rebuild the scan with (paths made absolute). */
export function resumableSettings(options: HostScanOptions): ResumableSettings {
  const absolute = (path: string): string => resolve(path);
  return {
    iocPaths: options.iocPaths.map(absolute),
    root: absolute(options.root ?? "/"),
    scopes: (options.scopes ?? []).map((scope) => (options.root === undefined || options.root === "/" ? absolute(scope) : scope)),
    excludes: [...(options.excludes ?? [])],
    ...(options.hint ? { hint: { source: options.hint.source, flags: options.hint.flags } } : {}),
    crossMounts: options.crossMounts === true,
    ...(options.maxHashBytes !== undefined ? { maxHashBytes: options.maxHashBytes } : {}),
    switches: Object.fromEntries(Object.entries(options.switches ?? {}).filter((entry): entry is [string, "on" | "off"] => entry[1] !== undefined)),
    mapEvents: options.mapEvents ?? true,
    mapNetworkTerms: options.mapNetworkTerms ?? false,
    criticalAreas: options.criticalAreas === true,
    ...(options.clamavDatabase ? { clamavDatabase: absolute(options.clamavDatabase) } : {}),
    action: options.action ?? "report",
    ...(options.quarantineDir ? { quarantineDir: absolute(options.quarantineDir) } : {}),
    protect: [...(options.protect ?? [])],
    ...(options.hashCacheFile ? { hashCacheFile: absolute(options.hashCacheFile) } : {}),
    idleOnly: options.idleOnly === true,
    ...(options.maxCpu !== undefined ? { maxCpu: options.maxCpu } : {}),
  };
}

function fromResumable(settings: ResumableSettings): HostScanOptions {
  return {
    iocPaths: settings.iocPaths,
    root: settings.root,
    scopes: settings.scopes,
    excludes: settings.excludes,
    ...(settings.hint ? { hint: new RegExp(settings.hint.source, settings.hint.flags) } : {}),
    crossMounts: settings.crossMounts,
    ...(settings.maxHashBytes !== undefined ? { maxHashBytes: settings.maxHashBytes } : {}),
    switches: settings.switches,
    mapEvents: settings.mapEvents,
    mapNetworkTerms: settings.mapNetworkTerms,
    criticalAreas: settings.criticalAreas,
    ...(settings.clamavDatabase ? { clamavDatabase: settings.clamavDatabase } : {}),
    action: settings.action,
    ...(settings.quarantineDir ? { quarantineDir: settings.quarantineDir } : {}),
    protect: settings.protect,
    ...(settings.hashCacheFile ? { hashCacheFile: settings.hashCacheFile } : {}),
    idleOnly: settings.idleOnly,
    ...(settings.maxCpu !== undefined ? { maxCpu: settings.maxCpu } : {}),
  };
}

async function run(options: HostScanOptions, resumeFrom: RunnerState | undefined): Promise<ScanReport> {
  const root = options.root ?? "/";
  const responder =
    options.action === "quarantine"
      ? await createQuarantineResponder({
          host: createHostView(root),
          ...(options.quarantineDir ? { quarantineDir: options.quarantineDir } : {}),
          protect: options.protect ?? [],
        }).catch((error: unknown) => {
          // A store that cannot be used must stop the scan before anything could be deleted.
          throw new ScanSetupError(`quarantine store unusable: ${error instanceof Error ? error.message : String(error)}`);
        })
      : undefined;
  const dir = options.checkpointDir;
  const scanId = resumeFrom?.scanId ?? options.scanId ?? randomUUID();
  const settings = dir === undefined ? undefined : resumableSettings(options);
  // A checkpoint that cannot be written (a read-only state folder) costs resumability, not the
  // scan: the scan goes on and its report says so.
  let checkpointProblem: string | undefined;
  // Made now: a short scan may finish before its first checkpoint, and must still say when
  // its folder cannot be used (an interrupted scan could not have been resumed).
  if (dir !== undefined && settings !== undefined) {
    try {
      makeFolderSync(dir, 0o700);
    } catch (error) {
      checkpointProblem = `${dir}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  const checkpointing =
    dir === undefined || settings === undefined
      ? undefined
      : {
          save: async (runner: RunnerState) => {
            if (checkpointProblem !== undefined) return;
            await writeCheckpoint(dir, { format: "iocscan-scan-checkpoint", version: 1, savedAt: new Date().toISOString(), settings, runner }).catch((error: unknown) => {
              checkpointProblem = `${dir}: ${error instanceof Error ? error.message : String(error)}`;
            });
          },
          ...(options.checkpointIntervalMs !== undefined ? { intervalMs: options.checkpointIntervalMs } : {}),
          ...(resumeFrom ? { resumeFrom } : {}),
        };
  const respond =
    responder === undefined
      ? undefined
      : async (report: ScanReport, scopes: readonly string[]): Promise<void> => {
          if (dir === undefined) return responder(report, scopes);
          // Journaled: a scan interrupted while acting never acts twice on an object, so Ctrl-C
          // or SIGTERM may stop it between two objects; the resumed scan does the rest.
          const journal = await openActionJournal(actionJournalFile(dir, scanId));
          try {
            await responder(report, scopes, journal, options.signal);
          } catch (error) {
            if (error instanceof ResponseInterruptedError) throw new ScanInterruptedError(scanId);
            throw error;
          } finally {
            await journal.close();
          }
        };
  // Before any worker thread starts: Linux priorities are per thread, inherited at creation.
  const priority = (options.background ?? options.idleOnly === true) ? await lowerPriority({ nice: 19 }) : undefined;
  const idle = options.gate === undefined && options.idleOnly === true ? await createIdleGate() : undefined;
  const limiter = options.pace === undefined && options.maxCpu !== undefined ? createCpuLimiter({ percent: options.maxCpu }) : undefined;
  const cacheWriteErrors: unknown[] = [];
  const hashCache = options.hashCacheFile === undefined ? undefined : openCache(options.hashCacheFile, options.onCacheUnavailable, cacheWriteErrors);
  try {
    const report = await scanLive(
      {
        ...options,
        scanId,
        ...(idle ? { gate: idle } : {}),
        ...(limiter ? { pace: (signal?: AbortSignal, stopEarly?: () => boolean) => limiter.pace(signal, stopEarly) } : {}),
        ...(respond ? { respond } : {}),
        ...(checkpointing ? { checkpointing } : {}),
      },
      scanDependencies(hashCache),
    );
    const execution: ScanExecution = {
      ...(idle ? { idleOnly: { sources: idle.sources(), pauses: report.stats["pauses"] ?? 0 } } : {}),
      ...(limiter ? { maxCpu: { percent: limiter.percent, measuredShare: Math.round(limiter.share() * 10) / 10 } } : {}),
      ...(priority ? { priority } : {}),
      ...(report.stats["resumed"] ? { resumed: report.stats["resumed"] } : {}),
    };
    if (Object.keys(execution).length > 0) report.execution = execution;
    // Closed here, not in finally: the last entries are written now, and a failure is reported.
    hashCache?.close();
    for (const error of cacheWriteErrors.splice(0)) {
      report.warnings.push({ code: "hash-cache-not-written", message: `the hash cache in ${options.hashCacheFile} could not be updated, a later scan will hash these files again: ${error instanceof Error ? error.message : String(error)}` });
    }
    if (checkpointProblem !== undefined) {
      report.warnings.push({ code: "checkpoint-failed", message: `checkpoints could not be written, so this scan could not have been resumed: ${checkpointProblem}` });
    }
    if (dir !== undefined && checkpointProblem === undefined) {
      await removeCheckpoint(dir, scanId).catch((error: unknown) => {
        report.warnings.push({ code: "checkpoint-not-removed", message: `the finished scan's checkpoint in ${dir} could not be removed: ${error instanceof Error ? error.message : String(error)}` });
      });
    }
    return report;
  } catch (error) {
    // Stopped by a signal: it can be resumed only if its checkpoints could be written.
    if (error instanceof ScanInterruptedError && checkpointProblem !== undefined) throw new ScanInterruptedError(error.scanId, checkpointProblem);
    throw error;
  } finally {
    idle?.close();
    hashCache?.close();
  }
}

function openCache(folder: string, onUnavailable: HostScanOptions["onCacheUnavailable"], writeErrors: unknown[]): ReturnType<typeof openHashCache> | undefined {
  try {
    return openHashCache(folder, { onWriteError: (error) => writeErrors.push(error) });
  } catch (error) {
    // A scan without the cache is slower, never wrong.
    onUnavailable?.(folder, error);
    return undefined;
  }
}
