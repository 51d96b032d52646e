/**
 * How a run's scan is executed: behind a one-function interface, so the executor neither knows
 * nor cares whether it calls the real engine (production) or a stand-in (tests), and so the
 * idle-only, CPU-limit and checkpoint options of issue 6 plug in at one place.
 *
 * @module
 */
import type { RunOrder, TaskSettings } from "../core/api/index.js";
import type { ScanReport } from "../core/report/index.js";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { checkpointFile, removeCheckpoint } from "../scan/checkpoint/checkpoint-file.js";
import { resumeHostScan, scanHost, type HostScanOptions } from "../scan/host-scan.js";
import { ScanInterruptedError, type ScanStateChange } from "../scan/live-scan.js";
import type { ScanProgress } from "../scan/scan-types.js";

/** What the executor gives a scan to talk back through. */
export interface ScanHooks {
  /** Aborted on stop, on pause (until checkpoints exist, see below) and on shutdown. */
  readonly signal: AbortSignal;
  readonly onProgress: (progress: ScanProgress) => void;
  /** Which attempt of this run this is (1 = first; more after a restart or a resume). */
  readonly attempt: number;
  /** Told when an idle-only scan starts waiting (the computer is in use) and when it goes on. */
  readonly onStateChange?: (change: ScanStateChange) => void;
}

/** Runs the scan of one order with its downloaded IOC files; rejects when the scan cannot run. */
export type RunScan = (order: RunOrder, iocFilePaths: readonly string[], hooks: ScanHooks) => Promise<ScanReport>;

/** Where the production runner keeps things on this device. */
export interface HostScanRunnerOptions {
  /** The quarantine store (default: the store's default folder). */
  readonly quarantineDir?: string;
  /** The hash cache folder shared by all runs; undefined = no cache. */
  readonly hashCacheFile?: string;
  /** Told when the hash cache cannot be opened (the scan goes on without it). */
  readonly onCacheUnavailable?: (file: string, error: unknown) => void;
  /** The cache of loaded IOC files shared by all runs (a folder); undefined = no cache. */
  readonly iocCacheDir?: string;
  /** Told when the IOC cache cannot be created or written (the scan goes on without it). */
  readonly onIocCacheUnavailable?: (dir: string, error: unknown) => void;
  /** The folder of the runs' scan checkpoints (one file per run). */
  readonly checkpointRoot?: string;
}

/**
 * The production {@link RunScan}: `scanHost` with the task's settings, checkpointed per run. An
 * attempt after the first (a resume from the console, an agent restart, a reboot) continues from
 * the run's checkpoint when there is one, so a pause or a crash repeats at most one checkpoint
 * interval of work. A stopped run's checkpoint is removed: it will not continue.
 */
export function hostScanRunner(options: HostScanRunnerOptions = {}): RunScan {
  return async (order, iocFilePaths, hooks) => {
    const scan = taskScanOptions(order, iocFilePaths, hooks, options);
    const dir = scan.checkpointDir;
    const scanId = scan.scanId;
    try {
      if (dir !== undefined && scanId !== undefined && hooks.attempt > 1 && existsSync(checkpointFile(dir, scanId))) {
        return await resumeHostScan(dir, scanId, {
          onProgress: hooks.onProgress,
          signal: hooks.signal,
          background: true,
          ...(hooks.onStateChange ? { onStateChange: hooks.onStateChange } : {}),
          ...(options.onCacheUnavailable ? { onCacheUnavailable: options.onCacheUnavailable } : {}),
          ...iocCache(options),
        });
      }
      return await scanHost(scan);
    } catch (error) {
      if (error instanceof ScanInterruptedError && hooks.signal.reason === "stop" && dir !== undefined) await removeCheckpoint(dir, error.scanId);
      throw error;
    }
  };
}

/** The `scanHost` options of one run: the task settings mapped onto what the scan takes today. */
export function taskScanOptions(order: RunOrder, iocFilePaths: readonly string[], hooks: ScanHooks, options: HostScanRunnerOptions = {}): HostScanOptions {
  const settings: TaskSettings = order.settings;
  return {
    iocPaths: iocFilePaths,
    action: settings.action,
    criticalAreas: settings.criticalAreas,
    scopes: settings.scopes,
    excludes: settings.excludes,
    switches: settings.switches,
    ...(options.quarantineDir !== undefined ? { quarantineDir: options.quarantineDir } : {}),
    ...(options.hashCacheFile !== undefined ? { hashCacheFile: options.hashCacheFile } : {}),
    ...(options.onCacheUnavailable ? { onCacheUnavailable: options.onCacheUnavailable } : {}),
    ...iocCache(options),
    onProgress: hooks.onProgress,
    signal: hooks.signal,
    ...(hooks.onStateChange ? { onStateChange: hooks.onStateChange } : {}),
    // A task runs in the background: lowered CPU and I/O priority.
    background: true,
    idleOnly: settings.idleOnly,
    ...(settings.maxCpu !== undefined ? { maxCpu: settings.maxCpu } : {}),
    ...(options.checkpointRoot !== undefined ? { checkpointDir: options.checkpointRoot, scanId: checkpointId(order.runId) } : {}),
  };
}

function iocCache(options: HostScanRunnerOptions): Pick<HostScanOptions, "iocCacheDir" | "onIocCacheUnavailable"> {
  return {
    ...(options.iocCacheDir !== undefined ? { iocCacheDir: options.iocCacheDir } : {}),
    ...(options.onIocCacheUnavailable ? { onIocCacheUnavailable: options.onIocCacheUnavailable } : {}),
  };
}

/** A run id as a scan id (checkpoint file names allow letters, digits, dot, dash, underscore). */
export function checkpointId(runId: string): string {
  const safe = runId.replace(/[^A-Za-z0-9._-]/g, "_");
  return /^[A-Za-z0-9]/.test(safe) && safe.length <= 60 ? safe : `run-${createHash("sha256").update(runId).digest("hex").slice(0, 32)}`;
}
