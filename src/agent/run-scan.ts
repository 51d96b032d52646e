/**
 * How a run's scan is executed: behind a one-function interface, so the executor neither knows
 * nor cares whether it calls the real engine (production) or a stand-in (tests), and so the
 * idle-only, CPU-limit and checkpoint options of issue 6 plug in at one place.
 *
 * @module
 */
import type { RunOrder, TaskSettings } from "../core/api/index.js";
import type { ScanReport } from "../core/report/index.js";
import { scanHost, type HostScanOptions } from "../scan/host-scan.js";
import type { ScanProgress } from "../scan/scan-types.js";

/** What the executor gives a scan to talk back through. */
export interface ScanHooks {
  /** Aborted on stop, on pause (until checkpoints exist, see below) and on shutdown. */
  readonly signal: AbortSignal;
  readonly onProgress: (progress: ScanProgress) => void;
  /** Which attempt of this run this is (1 = first; more after a restart or a resume). */
  readonly attempt: number;
}

/** Runs the scan of one order with its downloaded IOC files; rejects when the scan cannot run. */
export type RunScan = (order: RunOrder, iocFilePaths: readonly string[], hooks: ScanHooks) => Promise<ScanReport>;

/** Where the production runner keeps things on this device. */
export interface HostScanRunnerOptions {
  /** The quarantine store (default: the store's default folder). */
  readonly quarantineDir?: string;
  /** The hash cache file shared by all runs; undefined = no cache. */
  readonly hashCacheFile?: string;
  /** Told when the hash cache cannot be opened (the scan goes on without it). */
  readonly onCacheUnavailable?: (file: string, error: unknown) => void;
  /** Per-run checkpoint folders live under here (used once scanHost takes checkpoints). */
  readonly checkpointRoot?: string;
}

/** The production {@link RunScan}: `scanHost` with the task's settings. */
export function hostScanRunner(options: HostScanRunnerOptions = {}): RunScan {
  return (order, iocFilePaths, hooks) => scanHost(taskScanOptions(order, iocFilePaths, hooks, options));
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
    onProgress: hooks.onProgress,
    signal: hooks.signal,
    ...issue6Options(order, settings, hooks, options),
  };
}

/**
 * THE place where issue 6 plugs in (idle-only, CPU limit, checkpoint/resume). scanHost does not
 * take these yet; once it does, return them here, for example:
 *
 *   idleOnly: settings.idleOnly,
 *   ...(settings.maxCpu !== undefined ? { maxCpu: settings.maxCpu } : {}),
 *   checkpointDir: join(options.checkpointRoot, <digest of order.runId>), scanId: order.runId,
 *   resumeScan: hooks.attempt > 1,
 *
 * and make the executor's pause hold the scan instead of aborting it (run-executor.ts,
 * `PAUSE_ABORTS_SCAN`). Until then a pause aborts the scan and a resume starts it again.
 */
function issue6Options(_order: RunOrder, _settings: TaskSettings, _hooks: ScanHooks, _options: HostScanRunnerOptions): Partial<HostScanOptions> {
  return {};
}
