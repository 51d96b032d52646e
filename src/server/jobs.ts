/**
 * The periodic jobs: opening time windows, deleting results (and sandbox detections) after the retention period,
 * deleting stand-alone tasks 30 days after creation, dropping expired sessions. Each runs under
 * a database lock with a period (`FleetStore.runJob`), so N instances run each once.
 *
 * @module
 */
import type { FleetStore } from "../store/fleet/index.js";
import type { JobOutcome } from "./metrics.js";
import type { Notifier } from "./notifier.js";
import { isInWindow } from "./window.js";

const DAY_MS = 86_400_000;
/** Windows open at minute precision: check every tick (the lock still makes it once per cluster). */
const SCHEDULE_PERIOD_MS = 0;
const RETENTION_PERIOD_MS = 3_600_000;

/** What one round of jobs did (undefined: another instance ran it, or its period had not passed). */
export interface JobsRound {
  opened?: string[];
  retention?: { runs: number; tasks: number; sessions: number; sandboxDetections: number };
}

/** Runs one job through `store.runJob`, telling `observe` whether it ran, was skipped or failed. */
async function observed<T>(store: FleetStore, name: string, periodMs: number, work: () => Promise<T>, observe: (job: string, outcome: JobOutcome) => void): Promise<T | undefined> {
  try {
    const value = await store.runJob(name, periodMs, work);
    observe(name, value === undefined ? "skipped" : "ran");
    return value;
  } catch (error) {
    observe(name, "failed");
    throw error;
  }
}

/** Runs every job that is due; wakes the devices whose runs a window opened. */
export async function runJobs(store: FleetStore, notifier: Notifier, now: () => Date, observe: (job: string, outcome: JobOutcome) => void = () => {}): Promise<JobsRound> {
  const round: JobsRound = {};
  const opened = await observed(store, "schedule-windows", SCHEDULE_PERIOD_MS, () => store.openDueWindows((window) => isInWindow(window, now())), observe);
  if (opened !== undefined) {
    round.opened = opened;
    if (opened.length > 0) await notifier.notify(opened);
  }
  const retention = await observed(store, "retention", RETENTION_PERIOD_MS, async () => {
    const settings = await store.getSettings();
    const at = now();
    const runs = await store.purgeRunsFinishedBefore(new Date(at.getTime() - settings.resultRetentionDays * DAY_MS).toISOString());
    const tasks = await store.purgeExpiredTasks(at.toISOString());
    const sessions = await store.purgeExpiredSessions(at.toISOString());
    // Sandbox detections are results too: kept as long as the scan results.
    const sandboxDetections = await store.purgeSandboxDetectionsBefore(new Date(at.getTime() - settings.resultRetentionDays * DAY_MS).toISOString());
    return { runs, tasks, sessions, sandboxDetections };
  }, observe);
  if (retention !== undefined) round.retention = retention;
  return round;
}
