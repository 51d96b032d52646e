/**
 * runAgent against a protocol-conforming test server on 127.0.0.1, scanning temp trees with
 * planted files: enrollment, a task's real scan and upload, quarantine and its commands, the
 * offline queue across a server outage and an agent restart, retries after a 500, stop, pause,
 * resume, restart recovery and a revoked credential. Every scan scope and store is a temp folder.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunOrder } from "../core/api/index.js";
import type { ScanReport } from "../core/report/index.js";
import { runAgent, type AgentOptions } from "./agent.js";
import { EnrollmentError } from "./enroll.js";
import { CredentialRevokedError } from "./http-client.js";
import { hostScanRunner, type RunScan } from "./run-scan.js";
import { agentPaths } from "./state-dir.js";
import { readAgentStatus } from "./status.js";
import { plantTree, type PlantedTree } from "./_test-fixtures.js";
import { TestAgentServer } from "./_test-server.js";

let server: TestAgentServer;
let planted: PlantedTree;
let stateDir: string;

beforeEach(async () => {
  server = new TestAgentServer();
  await server.start();
  planted = plantTree();
  stateDir = join(planted.work, "state");
});

afterEach(async () => {
  await server.stop();
  rmSync(planted.work, { recursive: true, force: true });
});

interface RunningAgent {
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the agent in-process with fast timings; `runScan` defaults to the real engine on temp
 * folders. `enroll` false: started like a service after enrollment, with neither URL nor token.
 */
function startAgent(overrides: Partial<AgentOptions> = {}, enroll = true): RunningAgent {
  const controller = new AbortController();
  const done = runAgent({
    stateDir,
    ...(enroll ? { server: server.url, enrollToken: server.enrollToken } : {}),
    agentVersion: "0.0.0-test",
    quarantineDir: planted.quarantine,
    heartbeatSeconds: 1,
    pollWaitSeconds: 1,
    progressIntervalMs: 50,
    backoff: { baseMs: 50, maxMs: 300 },
    hostname: "test-host",
    os: "Test OS",
    runScan: realScan(),
    signal: controller.signal,
    ...overrides,
  });
  return {
    done,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

function realScan(): RunScan {
  return hostScanRunner({ quarantineDir: planted.quarantine, hashCacheFile: join(planted.work, "hash-cache") });
}

/** A real scan that first waits for `gate` (or the abort), counting its calls. */
function gatedScan(gate: Promise<void>, calls: RunOrder[] = []): RunScan {
  const real = realScan();
  return async (order, paths, hooks) => {
    calls.push(order);
    await Promise.race([gate, new Promise((resolve) => hooks.signal.addEventListener("abort", resolve, { once: true }))]);
    return real(order, paths, hooks);
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function reportOf(runId: string): ScanReport {
  return server.results.get(runId)?.report as ScanReport;
}

function outboxFiles(): string[] {
  const dir = agentPaths(stateDir).outbox;
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(".json")) : [];
}

describe("runAgent", () => {
  it("runAgent() enrolls once and stores its credential readable by its user only", async () => {
    const agent = startAgent();
    await server.until(() => server.heartbeats.length > 0, 10_000, "a heartbeat");
    await agent.stop();
    const file = agentPaths(stateDir).credential;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, "utf8")) as { deviceId: string; server: string };
    expect(stored).toMatchObject({ deviceId: "device-1", server: server.url });
    expect(server.enrollments).toEqual([{ token: server.enrollToken, hostname: "test-host", os: "Test OS", agentVersion: "0.0.0-test" }]);

    // A later start needs neither the token nor the URL, and does not enroll again.
    const again = startAgent({}, false);
    const before = server.heartbeats.length;
    await server.until(() => server.heartbeats.length > before, 10_000, "a heartbeat after restart");
    await again.stop();
    expect(server.enrollments).toHaveLength(1);
    expect(server.badRequests).toEqual([]);
  });

  it("runAgent() refuses to start when the server refuses the enrollment token, and stores no credential", async () => {
    const agent = startAgent({ enrollToken: "expired-token" });
    await expect(agent.done).rejects.toBeInstanceOf(EnrollmentError);
    await expect(agent.done).rejects.toThrow(/token/);
    expect(existsSync(agentPaths(stateDir).credential)).toBe(false);
  });

  it("runAgent() runs a start order as a real scan of the task's scope and uploads the detection", async () => {
    const ioc = server.addIocFile("implant.ioc", planted.iocXml);
    const agent = startAgent();
    server.order("run-1", "start", [ioc], { scopes: [planted.tree] });
    await server.until(() => server.results.has("run-1"), 20_000, "the result");
    // Acknowledged results leave the outbox.
    await server.until(() => outboxFiles().length === 0, 5_000, "the emptied outbox");
    await agent.stop();

    const result = server.results.get("run-1");
    expect(result?.state).toMatch(/^finished/);
    const report = reportOf("run-1");
    expect(report.detections.map((d) => [d.iocId, d.objects.map((o) => o.id)])).toEqual([[planted.iocId, [planted.implant]]]);
    // Report only: the file is still there.
    expect(existsSync(planted.implant)).toBe(true);
    expect(server.progress.filter((p) => p.runId === "run-1").length).toBeGreaterThan(0);
    expect(server.resultPosts).toHaveLength(1);
    // The IOC file is kept in the state folder, verified by its digest.
    expect(readFileSync(join(agentPaths(stateDir).iocFiles, ioc.sha256, "implant.ioc"), "utf8")).toBe(planted.iocXml);
    expect(server.badRequests).toEqual([]);
  });

  it("runAgent() fails a run whose IOC file does not have the task's SHA-256", async () => {
    const ioc = server.addIocFile("implant.ioc", planted.iocXml);
    const agent = startAgent();
    server.order("run-bad", "start", [{ ...ioc, sha256: "0".repeat(64) }], { scopes: [planted.tree] });
    await server.until(() => server.results.has("run-bad"), 20_000, "the result");
    await agent.stop();
    expect(server.results.get("run-bad")).toMatchObject({ state: "failed" });
    expect(server.results.get("run-bad")?.reason).toContain("SHA-256");
  });

  it("runAgent() quarantines with the quarantine action, reports the inventory, and executes restore and delete commands", async () => {
    const ioc = server.addIocFile("implant.ioc", planted.iocXml);
    const agent = startAgent();
    server.order("run-q", "start", [ioc], { scopes: [planted.tree], action: "quarantine" });
    await server.until(() => server.results.has("run-q"), 20_000, "the result");
    const action = reportOf("run-q").detections[0]?.actions[0];
    expect(action).toMatchObject({ type: "quarantine", status: "done" });
    expect(existsSync(planted.implant)).toBe(false);
    const quarantineId = action?.quarantineId ?? "";
    await server.until(() => server.inventories.some((i) => i.entries.some((e) => e.quarantineId === quarantineId)), 10_000, "the inventory");
    const entry = server.inventories.at(-1)?.entries[0];
    expect(entry).toMatchObject({ originalPath: planted.implant, state: "quarantined", iocId: planted.iocId });

    server.command({ id: "cmd-restore", kind: "quarantine-restore", quarantineId });
    await server.until(() => server.commandResults.has("cmd-restore"), 10_000, "the restore result");
    expect(server.commandResults.get("cmd-restore")?.status).toBe("done");
    expect(readFileSync(planted.implant, "utf8")).toBe(planted.implantBytes);
    await server.until(() => server.inventories.at(-1)?.entries[0]?.state === "restored", 10_000, "the inventory after restore");

    // A resent command is not executed twice.
    server.command({ id: "cmd-restore", kind: "quarantine-restore", quarantineId });
    server.command({ id: "cmd-delete", kind: "quarantine-delete", quarantineId });
    await server.until(() => server.commandResults.has("cmd-delete"), 10_000, "the delete result");
    expect(server.commandResults.get("cmd-delete")?.status).toBe("done");
    await server.until(() => server.inventories.at(-1)?.entries.length === 0, 10_000, "the empty inventory");
    await agent.stop();
    expect(server.badRequests).toEqual([]);
  });

  it("runAgent() keeps a result made while the server is away on disk and delivers it exactly once after a restart", async () => {
    const ioc = server.addIocFile("implant.ioc", planted.iocXml);
    const gate = deferred();
    const calls: RunOrder[] = [];
    const agent = startAgent({ runScan: gatedScan(gate.promise, calls) });
    server.order("run-off", "start", [ioc], { scopes: [planted.tree] });
    await server.until(() => calls.length === 1, 10_000, "the scan to start");
    await server.stop();
    gate.resolve();
    await server.until(() => outboxFiles().length === 1, 20_000, "the queued result");
    let status = await readAgentStatus(agentPaths(stateDir).status);
    for (let i = 0; i < 100 && status?.queuedResults !== 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await readAgentStatus(agentPaths(stateDir).status);
    }
    await agent.stop();
    expect(server.resultPosts).toHaveLength(0);
    expect(status).toMatchObject({ queuedResults: 1, connected: false });

    // The agent restarts before the server is back: the queued result waits, the run is not repeated.
    const restarted = startAgent({ runScan: gatedScan(Promise.resolve(), calls) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(outboxFiles()).toHaveLength(1);
    await server.start();
    await server.until(() => server.results.has("run-off"), 20_000, "the delivered result");
    await server.until(() => outboxFiles().length === 0, 5_000, "the emptied outbox");
    // Give a duplicate the time to show up, then compare.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await restarted.stop();
    expect(server.resultPosts.map((p) => p.runId)).toEqual(["run-off"]);
    expect(reportOf("run-off").detections).toHaveLength(1);
    expect(calls).toHaveLength(1);
  });

  it("runAgent() retries a result the server answered with 500 and loses nothing", async () => {
    const ioc = server.addIocFile("implant.ioc", planted.iocXml);
    server.fail("POST", /\/result$/, 500, 2);
    const agent = startAgent();
    server.order("run-500", "start", [ioc], { scopes: [planted.tree] });
    await server.until(() => server.results.has("run-500"), 20_000, "the result");
    await server.until(() => outboxFiles().length === 0, 5_000, "the emptied outbox");
    await agent.stop();
    expect(server.resultPosts).toHaveLength(1);
    expect(reportOf("run-500").detections).toHaveLength(1);
  });

  it("runAgent() stops a running scan on a stop order and reports it stopped", async () => {
    const ioc = server.addIocFile("implant.ioc", planted.iocXml);
    const calls: RunOrder[] = [];
    const agent = startAgent({ runScan: gatedScan(new Promise(() => undefined), calls) });
    server.order("run-stop", "start", [ioc], { scopes: [planted.tree] });
    await server.until(() => calls.length === 1, 10_000, "the scan to start");
    // The heartbeat names the run the agent holds.
    await server.until(() => server.heartbeats.some((h) => h.activeRuns.includes("run-stop")), 10_000, "a heartbeat naming the run");
    server.order("run-stop", "stop", [ioc], { scopes: [planted.tree] });
    await server.until(() => server.results.has("run-stop"), 10_000, "the stopped result");
    await agent.stop();
    expect(server.results.get("run-stop")).toMatchObject({ state: "stopped" });
    expect(server.results.get("run-stop")?.report).toBeUndefined();
  });

  it("runAgent() runs one task at a time, holds a paused run and runs it again on resume", async () => {
    const ioc = server.addIocFile("implant.ioc", planted.iocXml);
    const calls: RunOrder[] = [];
    const real = realScan();
    // run-a's first attempt holds until it is aborted (the pause); every other scan runs at once.
    const scan: RunScan = async (order, paths, hooks) => {
      calls.push(order);
      if (order.runId === "run-a" && hooks.attempt === 1) await new Promise((resolve) => hooks.signal.addEventListener("abort", resolve, { once: true }));
      return real(order, paths, hooks);
    };
    const agent = startAgent({ runScan: scan });
    server.order("run-a", "start", [ioc], { scopes: [planted.tree] });
    server.order("run-b", "start", [ioc], { scopes: [planted.tree] });
    await server.until(() => calls.length === 1, 10_000, "the first scan");
    // run-b waits for run-a.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(calls.map((c) => c.runId)).toEqual(["run-a"]);

    server.order("run-a", "pause", [ioc]);
    await server.until(() => server.progress.some((p) => p.runId === "run-a" && p.body.state === "paused"), 10_000, "the paused progress");
    // Paused: run-b gets its turn.
    await server.until(() => server.results.has("run-b"), 20_000, "run-b's result");
    expect(server.results.has("run-a")).toBe(false);

    server.order("run-a", "resume", [ioc]);
    await server.until(() => server.results.has("run-a"), 20_000, "run-a's result");
    await agent.stop();
    expect(calls.map((c) => c.runId)).toEqual(["run-a", "run-b", "run-a"]);
    expect(reportOf("run-a").detections).toHaveLength(1);
  });

  it("runAgent() re-runs a run interrupted by a shutdown and never repeats a finished one", async () => {
    const ioc = server.addIocFile("implant.ioc", planted.iocXml);
    const calls: RunOrder[] = [];
    const agent = startAgent({ runScan: gatedScan(new Promise(() => undefined), calls) });
    server.order("run-r", "start", [ioc], { scopes: [planted.tree] });
    await server.until(() => calls.length === 1, 10_000, "the scan to start");
    await agent.stop();
    expect(server.results.has("run-r")).toBe(false);

    const restarted = startAgent({ runScan: gatedScan(Promise.resolve(), calls) });
    await server.until(() => server.results.has("run-r"), 20_000, "the result after restart");
    // The server sends the start again (say it lost track): the finished run is not executed again.
    server.order("run-r", "start", [ioc], { scopes: [planted.tree] });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await restarted.stop();
    const third = startAgent({ runScan: gatedScan(Promise.resolve(), calls) });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await third.stop();
    expect(calls.map((c) => c.runId)).toEqual(["run-r", "run-r"]);
    expect(server.resultPosts.map((p) => p.runId)).toEqual(["run-r"]);
    expect(reportOf("run-r").detections).toHaveLength(1);
  });

  it("runAgent() stops with CredentialRevokedError when the server answers 401, keeping its state", async () => {
    const agent = startAgent();
    await server.until(() => server.heartbeats.length > 0, 10_000, "a heartbeat");
    server.revoked.add("device-1");
    await expect(agent.done).rejects.toBeInstanceOf(CredentialRevokedError);
    const status = await readAgentStatus(agentPaths(stateDir).status);
    expect(status?.state).toBe("stopped");
    expect(status?.lastError?.message).toContain("no longer accepts");
    expect(existsSync(agentPaths(stateDir).credential)).toBe(true);
  });

  it("runAgent() writes a status file with the current run and its percent", async () => {
    const ioc = server.addIocFile("implant.ioc", planted.iocXml);
    const calls: RunOrder[] = [];
    const agent = startAgent({ runScan: gatedScan(new Promise(() => undefined), calls) });
    server.order("run-s", "start", [ioc], { scopes: [planted.tree] });
    await server.until(() => calls.length === 1, 10_000, "the scan to start");
    const file = agentPaths(stateDir).status;
    let status = await readAgentStatus(file);
    for (let i = 0; i < 100 && status?.currentRun === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await readAgentStatus(file);
    }
    expect(status).toMatchObject({ state: "running", deviceId: "device-1", server: server.url, connected: true, pid: process.pid });
    expect(status?.currentRun).toMatchObject({ runId: "run-s", taskName: "Task run-s", state: "running" });
    await agent.stop();
    expect((await readAgentStatus(file))?.state).toBe("stopped");
  });
});
