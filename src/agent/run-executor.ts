/**
 * One attempt at a run: fetch its IOC files, scan with its settings while reporting progress,
 * and turn the outcome into the run's result. An attempt that is aborted (stop, pause, shutdown)
 * says so instead of producing a result; the scheduler decides what that means for the run.
 *
 * @module
 */
import type { RunResult } from "../core/api/index.js";
import type { ScanReport } from "../core/report/index.js";
import type { ScanProgress } from "../scan/scan-types.js";
import { backoffDelay, sleep, type BackoffOptions } from "./backoff.js";
import { CredentialRevokedError, ServerRefusedError, ServerUnreachableError, type AgentClient } from "./http-client.js";
import { fetchIocFiles } from "./ioc-files.js";
import { estimatePercent, scopeKey, type FileCountMemory } from "./progress.js";
import type { JournalEntry } from "./run-journal.js";
import type { RunScan } from "./run-scan.js";

/** Why an attempt was aborted: the abort reason the scheduler gives its controller. */
export type AbortWhy = "stop" | "pause" | "shutdown";

/** What an attempt came to. */
export type AttemptOutcome = { readonly kind: "result"; readonly result: RunResult } | { readonly kind: "interrupted"; readonly why: AbortWhy };

/** What an attempt needs from the agent. */
export interface ExecutorDependencies {
  readonly runScan: RunScan;
  readonly client: Pick<AgentClient, "iocFile" | "progress">;
  /** Where IOC files are kept. */
  readonly iocDir: string;
  readonly fileCounts: FileCountMemory;
  /** Least time between two progress posts. */
  readonly progressIntervalMs: number;
  readonly backoff: BackoffOptions;
  /** Every progress tick's percent (for the status file). */
  readonly onPercent: (runId: string, percent: number) => void;
  /** A problem worth showing in the status (the attempt goes on or fails by itself). */
  readonly onProblem: (message: string) => void;
}

const MAX_REASON = 2000;

/** Runs attempt number `attempt` of `entry`; rejects only with CredentialRevokedError. */
export async function executeAttempt(entry: JournalEntry, attempt: number, signal: AbortSignal, deps: ExecutorDependencies): Promise<AttemptOutcome> {
  const startedAt = entry.startedAt ?? new Date().toISOString();
  const order = entry.order;
  const fail = (reason: string, report?: ScanReport): AttemptOutcome => ({
    kind: "result",
    result: { state: "failed", reason: reason.slice(0, MAX_REASON), startedAt, finishedAt: new Date().toISOString(), ...(report ? { report } : {}) },
  });

  const iocPaths = await downloadWithRetry(entry, signal, deps).catch((error: unknown) => {
    if (error instanceof CredentialRevokedError) throw error;
    return new Error(`Cannot fetch the task's IOC files: ${message(error)}`);
  });
  if (signal.aborted) return interrupted(signal);
  if (iocPaths instanceof Error) return fail(iocPaths.message);

  const key = scopeKey(order.settings);
  const expected = await deps.fileCounts.get(key);
  const progress = new ProgressPoster(order.runId, expected, signal, deps);
  progress.post(0);
  let report: ScanReport;
  try {
    report = await deps.runScan(order, iocPaths, { signal, onProgress: (p) => progress.tick(p), onStateChange: (c) => progress.state(c.state === "waiting" ? "paused" : "running", c.detail), attempt });
  } catch (error) {
    if (signal.aborted) return interrupted(signal);
    return fail(`The scan could not run: ${message(error)}`);
  }
  if (signal.aborted) return interrupted(signal);
  const filesSeen = report.stats["filesSeen"];
  if (filesSeen !== undefined && filesSeen > 0) await deps.fileCounts.set(key, filesSeen).catch(() => undefined);
  return { kind: "result", result: { state: finalState(report), startedAt, finishedAt: new Date().toISOString(), report } };
}

/** Finished with warning when an action failed or the scan had problems it worked around. */
export function finalState(report: ScanReport): "finished" | "finished-with-warning" {
  const actionFailed = report.detections.some((d) => d.actions.some((a) => a.status === "failed"));
  return actionFailed || report.warnings.length > 0 ? "finished-with-warning" : "finished";
}

/** The IOC files; waits out an unreachable server (the run stays pending) until `signal` aborts. */
async function downloadWithRetry(entry: JournalEntry, signal: AbortSignal, deps: ExecutorDependencies): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchIocFiles(entry.order.iocFiles, deps.iocDir, (id) => deps.client.iocFile(id, signal));
    } catch (error) {
      if (signal.aborted) return [];
      // Only the server's absence is waited out; a refusal or a wrong digest fails the run.
      const retry = error instanceof ServerUnreachableError || (error instanceof ServerRefusedError && error.retryable);
      if (!retry) throw error;
      deps.onProblem(`run ${entry.runId}: ${message(error)}; retrying`);
      await sleep(backoffDelay(attempt, deps.backoff), signal);
    }
  }
}

/** Posts progress at most every `progressIntervalMs`, one post at a time, never failing the run. */
class ProgressPoster {
  private lastPost = 0;
  private inFlight = false;

  constructor(
    private readonly runId: string,
    private readonly expectedFiles: number | undefined,
    private readonly signal: AbortSignal,
    private readonly deps: ExecutorDependencies,
  ) {}

  tick(progress: ScanProgress): void {
    const percent = Math.round(estimatePercent(progress.stats["filesSeen"] ?? 0, this.expectedFiles) * 10) / 10;
    this.deps.onPercent(this.runId, percent);
    if (Date.now() - this.lastPost >= this.deps.progressIntervalMs) this.post(percent);
  }

  private percent = 0;
  private running: "running" | "paused" = "running";
  private detail: string | undefined;

  /** An idle-only scan waiting for the computer to be idle shows as paused, with why. */
  state(state: "running" | "paused", detail: string): void {
    this.running = state;
    this.detail = detail;
    this.inFlight = false;
    this.post(this.percent);
  }

  post(percent: number): void {
    this.percent = percent;
    if (this.inFlight || this.signal.aborted) return;
    this.inFlight = true;
    this.lastPost = Date.now();
    this.deps.onPercent(this.runId, percent);
    const body = { state: this.running, percent, ...(this.detail !== undefined ? { detail: this.detail } : {}), at: new Date().toISOString() };
    // Progress is a courtesy: an unreachable server only means the console shows older numbers.
    this.deps.client
      .progress(this.runId, body, this.signal)
      .catch(() => undefined)
      .finally(() => (this.inFlight = false));
  }
}

function interrupted(signal: AbortSignal): AttemptOutcome {
  const why: unknown = signal.reason;
  return { kind: "interrupted", why: why === "stop" || why === "pause" ? why : "shutdown" };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
