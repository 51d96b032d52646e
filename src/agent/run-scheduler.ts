/**
 * Runs the server's orders one at a time: accepts start orders into the journal, queues them,
 * executes the oldest, and applies stop/pause/resume to the running or queued run. Every final
 * result goes to the outbox before the journal says `done`, so no result is lost and no finished
 * run is executed again.
 *
 * Pause/resume: scanHost cannot hold a scan yet (issue 6 adds checkpoints), so PAUSE ABORTS THE
 * SCAN and resume starts it again from the beginning. Once checkpoints exist, a resumed attempt
 * continues from the checkpoint (run-scan.ts passes `hooks.attempt`), with no change here.
 *
 * @module
 */
import type { RunOrder, RunProgress, RunResult } from "../core/api/index.js";
import { CredentialRevokedError, type AgentClient } from "./http-client.js";
import type { Outbox } from "./outbox.js";
import { executeAttempt, type AbortWhy, type ExecutorDependencies } from "./run-executor.js";
import type { JournalEntry, RunJournal } from "./run-journal.js";

/** What the scheduler needs besides an attempt's dependencies. */
export interface SchedulerDependencies extends ExecutorDependencies {
  readonly journal: RunJournal;
  readonly outbox: Outbox;
  readonly client: Pick<AgentClient, "iocFile" | "progress">;
  /** After each run's result is queued (the quarantine inventory may have changed). */
  readonly afterRun: (entry: JournalEntry) => void;
  /** Something the status file shows changed. */
  readonly onChange: () => void;
  /** The server revoked the credential during a run (401): the agent must stop. */
  readonly onFatal: (error: unknown) => void;
}

/** The run being executed now. */
interface Current {
  readonly runId: string;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

export class RunScheduler {
  private current: Current | undefined;
  private closed = false;
  /** Percent of the current run, for the status file. */
  percent = 0;

  constructor(private readonly deps: SchedulerDependencies) {}

  /**
   * After a restart: a run that was running is queued again, and a run whose result already sits
   * in the outbox (the agent stopped between the two writes) is done.
   */
  async recover(): Promise<void> {
    for (const entry of this.deps.journal.all()) {
      if (entry.state === "done") continue;
      if (await this.deps.outbox.has("run-result", entry.runId)) await this.deps.journal.update(entry.runId, { state: "done" });
      else if (entry.state === "running") await this.deps.journal.update(entry.runId, { state: "queued" });
    }
    this.pump();
  }

  /** Applies one order from the server; repeated orders are harmless. */
  async handle(order: RunOrder): Promise<void> {
    const entry = this.deps.journal.get(order.runId);
    switch (order.order) {
      case "start":
      case "resume":
        if (entry === undefined) await this.deps.journal.accept(order);
        else if (order.order === "resume" && entry.state === "paused") await this.deps.journal.update(order.runId, { state: "queued" });
        // A start for a run already known (queued, running, done) is a resend: nothing to do.
        break;
      case "pause":
        if (this.current?.runId === order.runId) this.current.controller.abort("pause" satisfies AbortWhy);
        else if (entry === undefined || entry.state === "queued") {
          if (entry === undefined) await this.deps.journal.accept(order);
          await this.deps.journal.update(order.runId, { state: "paused" });
          this.postPaused(order.runId);
        }
        break;
      case "stop":
        if (this.current?.runId === order.runId) this.current.controller.abort("stop" satisfies AbortWhy);
        else if (entry?.state !== "done") {
          if (entry === undefined) await this.deps.journal.accept(order);
          await this.finish(order.runId, stoppedResult(entry?.startedAt));
        }
        break;
    }
    this.deps.onChange();
    this.pump();
  }

  /** Runs the journal holds and has not reported a final result for (the heartbeat's `activeRuns`). */
  activeRuns(): string[] {
    return this.deps.journal
      .all()
      .filter((e) => e.state !== "done")
      .map((e) => e.runId);
  }

  /** The run being executed, if any. */
  currentRun(): JournalEntry | undefined {
    return this.current ? this.deps.journal.get(this.current.runId) : undefined;
  }

  /** Aborts the current run so that it stays resumable (journal `running`) and waits for it. */
  async shutdown(): Promise<void> {
    this.closed = true;
    const current = this.current;
    if (!current) return;
    current.controller.abort("shutdown" satisfies AbortWhy);
    await current.done;
  }

  /** Waits until no run is being executed (tests). */
  async idle(): Promise<void> {
    while (this.current) await this.current.done;
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const next = this.deps.journal.all().find((e) => e.state === "queued");
    if (!next) return;
    const controller = new AbortController();
    const done = this.execute(next, controller)
      .catch((error: unknown) => {
        if (error instanceof CredentialRevokedError) return this.deps.onFatal(error);
        // A local failure (the journal or outbox cannot be written): the run stays in the
        // journal as it was and runs again at the next start; the agent itself goes on.
        this.deps.onProblem(`run ${next.runId}: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        this.current = undefined;
        this.percent = 0;
        this.deps.onChange();
        this.pump();
      });
    this.current = { runId: next.runId, controller, done };
  }

  private async execute(queued: JournalEntry, controller: AbortController): Promise<void> {
    const attempt = queued.attempts + 1;
    const entry = await this.deps.journal.update(queued.runId, { state: "running", attempts: attempt, startedAt: queued.startedAt ?? new Date().toISOString() });
    this.deps.onChange();
    const outcome = await executeAttempt(entry, attempt, controller.signal, {
      ...this.deps,
      onPercent: (runId, percent) => {
        this.percent = percent;
        this.deps.onPercent(runId, percent);
      },
    });
    if (outcome.kind === "result") return this.finish(entry.runId, outcome.result);
    switch (outcome.why) {
      case "stop":
        return this.finish(entry.runId, stoppedResult(entry.startedAt));
      case "pause":
        await this.deps.journal.update(entry.runId, { state: "paused" });
        this.postPaused(entry.runId, this.percent);
        return;
      case "shutdown":
        // Left `running` on purpose: the next start runs it again.
        return;
    }
  }

  /** Outbox first, journal second: a crash in between is repaired by {@link recover}. */
  private async finish(runId: string, result: RunResult): Promise<void> {
    await this.deps.outbox.put({ kind: "run-result", id: runId, queuedAt: new Date().toISOString(), body: result });
    const entry = await this.deps.journal.update(runId, { state: "done", outcome: result.state });
    this.deps.afterRun(entry);
  }

  private postPaused(runId: string, percent = 0): void {
    const progress: RunProgress = { state: "paused", percent, detail: "paused by the server", at: new Date().toISOString() };
    this.deps.client.progress(runId, progress).catch(() => undefined);
  }
}

function stoppedResult(startedAt: string | undefined): RunResult {
  const now = new Date().toISOString();
  return { state: "stopped", reason: "Stopped by the server", startedAt: startedAt ?? now, finishedAt: now };
}
