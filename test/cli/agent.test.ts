/**
 * `iocscan agent` as a real CLI process against a protocol-conforming test server on 127.0.0.1:
 * it enrolls, runs one task (a real scan of a temp tree with a planted file), uploads the
 * detection, reports its status, shuts down cleanly on SIGTERM and starts again without the
 * token. Every scope, store and state folder is a temp folder of this test.
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmodSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentPaths } from "../../src/agent/state-dir.js";
import { isRemotePlainHttp } from "../../src/cli/commands/agent.js";
import { plantTree, type PlantedTree } from "../../src/agent/_test-fixtures.js";
import { TestAgentServer } from "../../src/agent/_test-server.js";
import type { ScanReport } from "../../src/core/report/index.js";
import { runIocscan, startIocscan } from "./run-cli.js";

let server: TestAgentServer;
let planted: PlantedTree;
let stateDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  server = new TestAgentServer();
  await server.start();
  planted = plantTree("iocscan-agent-cli-");
  stateDir = join(planted.work, "state");
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await server.stop();
  rmSync(planted.work, { recursive: true, force: true });
});

function agent(args: readonly string[]): { child: ChildProcess; stderr: () => string } {
  const child = startIocscan(["agent", "--state-dir", stateDir, "--quarantine", planted.quarantine, "--heartbeat", "1", "--poll-wait", "1", ...args]);
  children.push(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stderr: () => stderr };
}

async function terminate(child: ChildProcess): Promise<number | null> {
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const [code] = (await exited) as [number | null];
  return code;
}

describe("iocscan agent", () => {
  it("iocscan agent --server URL --enroll TOKEN enrolls, runs a task with the real scan, uploads the detection and stops on SIGTERM", async () => {
    const ioc = server.addIocFile("implant.ioc", planted.iocXml);
    server.order("cli-run", "start", [ioc], { scopes: [planted.tree], action: "quarantine" });
    const { child, stderr } = agent(["--server", server.url, "--enroll", server.enrollToken]);
    await server.until(() => server.results.has("cli-run"), 90_000, `the result (agent said: ${stderr()})`);

    const report = server.results.get("cli-run")?.report as ScanReport;
    expect(report.detections.map((d) => d.objects.map((o) => o.id))).toEqual([[planted.implant]]);
    expect(report.detections[0]?.actions[0]).toMatchObject({ type: "quarantine", status: "done" });
    expect(server.enrollments).toHaveLength(1);
    // The run's IOC file was recorded in the agent's IOC cache, for the next run.
    expect(readdirSync(agentPaths(stateDir).iocCache).filter((name) => name.endsWith(".entry"))).toHaveLength(1);
    await server.until(() => server.inventories.some((i) => i.entries.length === 1), 10_000, "the quarantine inventory");

    // Status, while it runs.
    const text = runIocscan(["agent", "status", "--state-dir", stateDir]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`running (pid ${child.pid})`);
    expect(text.stdout).toMatch(/Device\s+device-1/);
    expect(text.stdout).toContain(server.url);
    const json = runIocscan(["agent", "status", "--state-dir", stateDir, "--format", "json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ running: true, deviceId: "device-1", server: server.url, state: "running" });

    expect(await terminate(child)).toBe(0);
    const after = JSON.parse(runIocscan(["agent", "status", "--state-dir", stateDir, "--format", "json"]).stdout) as { running: boolean; state: string };
    expect(after).toMatchObject({ running: false, state: "stopped" });
    expect(runIocscan(["agent", "status", "--state-dir", stateDir]).stdout).toMatch(/Agent\s+stopped/);
    expect(server.badRequests).toEqual([]);
  }, 120_000);

  it("iocscan agent starts again with only its state folder, without enrolling again", async () => {
    const before = server.heartbeats.length;
    const { child } = agent([]);
    await server.until(() => server.heartbeats.length > before, 20_000, "a heartbeat");
    expect(await terminate(child)).toBe(0);
    expect(server.enrollments).toHaveLength(1);
    // The finished run was not executed again.
    expect(server.resultPosts).toHaveLength(1);
  }, 60_000);

  it("iocscan agent refuses a credential file that group or others can read, and a state folder never enrolled", () => {
    chmodSync(agentPaths(stateDir).credential, 0o644);
    const unsafe = runIocscan(["agent", "--state-dir", stateDir]);
    expect(unsafe.status).toBe(2);
    expect(unsafe.stderr).toMatch(/readable or writable by group or others/);
    chmodSync(agentPaths(stateDir).credential, 0o600);

    const never = runIocscan(["agent", "--state-dir", join(planted.work, "empty")]);
    expect(never.status).toBe(2);
    expect(never.stderr).toMatch(/not enrolled/);
    const noStatus = runIocscan(["agent", "status", "--state-dir", join(planted.work, "empty")]);
    expect(noStatus.status).toBe(2);
  }, 60_000);

  it("iocscan agent refuses a plain http:// server that is not on this computer (loopback addresses are this computer)", () => {
    const fresh = join(planted.work, "http-check");
    const remote = runIocscan(["agent", "--server", "https://a.example.invalid,http://iocscan.example.invalid:8080", "--enroll", "token", "--state-dir", fresh]);
    expect(remote.status).toBe(2);
    expect(remote.stderr).toContain('refusing "http://iocscan.example.invalid:8080"');
    expect(remote.stderr).toContain("--allow-insecure-http");
    // Refused before anything was written or sent.
    expect(() => readdirSync(fresh)).toThrow();
    // This computer's own addresses are fine over http (the other tests enrol with http://127.0.0.1).
    expect(["http://127.0.0.1:8080", "http://localhost", "http://[::1]:80", "http://127.8.9.10", "https://iocscan.example"].map(isRemotePlainHttp)).toEqual([false, false, false, false, false]);
    expect(["http://10.0.0.5:8080", "http://iocscan.example", "http://[fe80::1]", "http://127.0.0.1.example"].map(isRemotePlainHttp)).toEqual([true, true, true, true]);
  }, 60_000);
});
