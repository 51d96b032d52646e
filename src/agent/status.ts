/**
 * The status file the running agent rewrites (atomically) and `iocscan agent status` reads:
 * which server and device, whether the server answers, the current run, queued results and the
 * last error.
 *
 * @module
 */
import { z } from "zod";
import { readJsonFile, writeFileAtomic } from "./atomic-file.js";

const isoDate = z.iso.datetime({ offset: true });

export const AgentStatus = z.strictObject({
  format: z.literal("iocscan-agent-status"),
  version: z.literal(1),
  pid: z.number().int(),
  state: z.enum(["starting", "running", "stopped"]),
  server: z.string(),
  deviceId: z.string(),
  connected: z.boolean(),
  lastContactAt: isoDate.optional(),
  currentRun: z
    .strictObject({ runId: z.string(), taskName: z.string(), state: z.string(), percent: z.number(), startedAt: isoDate.optional() })
    .optional(),
  /** Accepted runs waiting for their turn (or paused). */
  pendingRuns: z.array(z.strictObject({ runId: z.string(), taskName: z.string(), state: z.string() })),
  queuedResults: z.number().int().min(0),
  lastError: z.strictObject({ at: isoDate, message: z.string() }).optional(),
  updatedAt: isoDate,
});
export type AgentStatus = z.infer<typeof AgentStatus>;

/** The status as last written, or undefined when the agent never ran with this state folder. */
export function readAgentStatus(file: string): Promise<AgentStatus | undefined> {
  return readJsonFile(file, AgentStatus);
}

/** Whether the process that wrote the status still runs (a killed agent cannot say "stopped"). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else (an agent running as root, read by a user).
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Human-readable status lines. */
export function formatAgentStatus(status: AgentStatus, alive: boolean): string {
  const running = status.state !== "stopped" && alive;
  const lines = [
    `Agent        ${running ? `running (pid ${status.pid})` : status.state === "stopped" ? "stopped" : `not running (pid ${status.pid} is gone)`}`,
    `Server       ${status.server}`,
    `Device       ${status.deviceId}`,
    `Connection   ${status.connected ? "connected" : "not connected"}${status.lastContactAt ? ` (last contact ${status.lastContactAt})` : ""}`,
    `Current run  ${status.currentRun ? `${status.currentRun.taskName} (run ${status.currentRun.runId}): ${status.currentRun.state}, ${status.currentRun.percent.toFixed(1)}%` : "none"}`,
    ...status.pendingRuns.map((r) => `Pending      ${r.taskName} (run ${r.runId}): ${r.state}`),
    `Queued       ${status.queuedResults} result${status.queuedResults === 1 ? "" : "s"} not yet delivered`,
    `Last error   ${status.lastError ? `${status.lastError.at} ${status.lastError.message}` : "none"}`,
    `Updated      ${status.updatedAt}`,
  ];
  return `${lines.join("\n")}\n`;
}

/** Rewrites the status file at most once a second (and at once when asked to flush). */
export class StatusWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly snapshot: () => AgentStatus,
    private readonly intervalMs = 1000,
  ) {}

  /** Schedules a rewrite soon. */
  changed(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.intervalMs);
  }

  /** Writes now; resolves when the file is on disk. A status that cannot be written never stops the agent. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const write = this.writing.then(() => writeFileAtomic(this.file, `${JSON.stringify(this.snapshot(), null, 2)}\n`, 0o644));
    this.writing = write.catch(() => undefined);
    await this.writing;
  }
}
