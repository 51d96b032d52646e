import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_TASK_SETTINGS, type RunOrder } from "../core/api/index.js";
import { RunJournal } from "./run-journal.js";
import { formatAgentStatus, type AgentStatus } from "./status.js";

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "iocscan-journal-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const order = (runId: string): RunOrder => ({
  runId,
  taskId: "task",
  taskName: "Task",
  order: "start",
  settings: DEFAULT_TASK_SETTINGS,
  iocFiles: [{ id: "f", name: "a.ioc", sha256: "0".repeat(64) }],
});

describe("RunJournal", () => {
  it("RunJournal keeps each run's state across a reload, in the order runs were accepted", async () => {
    const journal = new RunJournal(join(dir, "runs"));
    await journal.load();
    await journal.accept(order("run/1"));
    await journal.accept(order("run-2"));
    await journal.update("run/1", { state: "running", attempts: 1, startedAt: "2026-11-28T00:00:00.000Z" });
    await journal.update("run-2", { state: "done", outcome: "finished" });

    const reloaded = new RunJournal(join(dir, "runs"));
    const entries = await reloaded.load();
    expect(entries.map((e) => [e.runId, e.state, e.attempts])).toEqual([
      ["run/1", "running", 1],
      ["run-2", "done", 0],
    ]);
    expect(reloaded.get("run/1")?.startedAt).toBe("2026-11-28T00:00:00.000Z");
  });

  it("RunJournal.load() sets a damaged file aside and reports it", async () => {
    const journal = new RunJournal(join(dir, "runs"));
    await journal.load();
    await journal.accept(order("run-1"));
    writeFileSync(join(dir, "runs", "0000.json"), "{ not json");
    const damaged: string[] = [];
    const entries = await new RunJournal(join(dir, "runs")).load((file) => damaged.push(file));
    expect(entries.map((e) => e.runId)).toEqual(["run-1"]);
    expect(damaged).toEqual([join(dir, "runs", "0000.json")]);
  });

  it("RunJournal.prune() forgets only delivered runs older than the limit", async () => {
    const journal = new RunJournal(join(dir, "runs"));
    await journal.load();
    for (const id of ["old-delivered", "old-undelivered", "running"]) await journal.accept(order(id));
    await journal.update("old-delivered", { state: "done", delivered: true });
    await journal.update("old-undelivered", { state: "done" });
    await journal.prune(30, Date.now() + 31 * 86_400_000);
    expect((await new RunJournal(join(dir, "runs")).load()).map((e) => e.runId).sort()).toEqual(["old-undelivered", "running"]);
  });
});

describe("formatAgentStatus", () => {
  const status: AgentStatus = {
    format: "iocscan-agent-status",
    version: 1,
    pid: 4242,
    state: "running",
    server: "https://iocscan.example",
    deviceId: "device-7",
    connected: false,
    lastContactAt: "2026-11-28T00:00:00.000Z",
    currentRun: { runId: "run-1", taskName: "Sweep", state: "running", percent: 42.25 },
    pendingRuns: [{ runId: "run-2", taskName: "Later", state: "paused" }],
    queuedResults: 2,
    lastError: { at: "2026-11-28T00:00:01.000Z", message: "polling for work: connection refused" },
    updatedAt: "2026-11-28T00:00:02.000Z",
  };

  it("formatAgentStatus() shows the run, the queue and the last error, and whether the agent still runs", () => {
    const text = formatAgentStatus(status, true);
    expect(text).toContain("Agent        running (pid 4242)");
    expect(text).toContain("Connection   not connected (last contact 2026-11-28T00:00:00.000Z)");
    expect(text).toContain("Current run  Sweep (run run-1): running, 42.3%");
    expect(text).toContain("Pending      Later (run run-2): paused");
    expect(text).toContain("Queued       2 results not yet delivered");
    expect(text).toContain("connection refused");
    expect(formatAgentStatus(status, false)).toContain("not running (pid 4242 is gone)");
  });
});
