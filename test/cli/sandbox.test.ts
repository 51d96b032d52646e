/**
 * The sandbox intake end to end (issue 9, "Must show"): a server listening on loopback (in this
 * process, over SQLite in a temp folder, so that the test owns its clock) and a real
 * `iocscan agent` process with its own temp tree. A detection in the generic format, naming the
 * SHA-256 of a file planted in that tree and the device it was seen on, is posted with a sandbox
 * token: it creates a stand-alone task for the device's group, the agent runs it (scope limited
 * to its temp tree by the policy's task settings) and finds the planted file; the same detection
 * posted again reuses the task; with the clock moved past the task's lifetime, the retention job
 * deletes it. Everything lives in temp folders made here.
 */
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- the test reads the API's JSON answers freely */
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../src/server/auth/secrets.js";
import { createServer, type IocscanServer } from "../../src/server/index.js";
import { Client, PASSWORD } from "../../src/server/test-support.js";
import { openSqliteFleetStore, ROOT_GROUP_ID, type FleetStore } from "../../src/store/fleet/index.js";
import { startIocscan } from "./run-cli.js";

const DAY_MS = 86_400_000;
const IMPLANT = "sandbox e2e implant: not a real threat\n";

let work: string;
let store: FleetStore;
let server: IocscanServer;
let url: string;
let agent: ChildProcess | undefined;
// The server's clock: real time plus an offset the test moves (never waits for).
let clockOffset = 0;
const now = (): Date => new Date(Date.now() + clockOffset);

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "iocscan-sandbox-e2e-"));
  store = await openSqliteFleetStore(join(work, "server", "server.db"), { now });
  server = createServer({ store, now, jobIntervalMs: 0, log: () => {} });
  url = await server.listen({ host: "127.0.0.1", port: 0 });
  await store.createUser({ name: "admin", role: "administrator", passwordHash: await hashPassword(PASSWORD) }, "test");
}, 60_000);

afterAll(async () => {
  if (agent !== undefined && agent.exitCode === null) {
    agent.kill("SIGTERM");
    await once(agent, "exit");
  }
  await server.close();
  await store.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe("sandbox intake end to end", () => {
  it("a posted detection makes a stand-alone task that a real agent runs and that finds the planted sample; a repeat reuses it; it is gone after its lifetime", async () => {
    const admin = new Client(url);
    expect((await admin.login("admin")).status).toBe(200);
    const group = (await admin.post("/api/v1/groups", { name: "Finance", parentId: ROOT_GROUP_ID })).json;
    const enrollment = (await admin.post("/api/v1/enrollment-tokens", { groupId: group.id })).json;

    // The device: a temp tree with ordinary files and the planted sample.
    const dir = join(work, "device");
    const tree = join(dir, "tree");
    mkdirSync(join(tree, "downloads"), { recursive: true });
    for (let i = 0; i < 30; i++) writeFileSync(join(tree, `ordinary-${i}.txt`), `ordinary file ${i}\n`);
    const planted = join(tree, "downloads", "invoice.exe");
    writeFileSync(planted, IMPLANT);
    // A decoy with the sample's name and size but other bytes: only the hash may decide.
    writeFileSync(join(tree, "invoice.exe"), IMPLANT.replace("implant", "decoy!!"));
    agent = startIocscan(["agent", "--server", url, "--enroll", enrollment.token, "--state-dir", join(dir, "state"), "--quarantine", join(dir, "quarantine"), "--heartbeat", "2", "--poll-wait", "5"], { cwd: dir });
    const device = await until(async () => (await admin.get(`/api/v1/devices?groupId=${group.id}`)).json?.items?.[0] as { id: string; hostname: string } | undefined, "the agent to enroll");

    // The response policy: run at once, report only, and scan only the device's temp tree.
    const settings = { action: "report", criticalAreas: false, idleOnly: false, scopes: [tree], excludes: [], switches: { FileItem: "on", ProcessItem: "off", PortItem: "off" } };
    expect((await admin.request("PUT", "/api/v1/sandbox/policy", { settings, runMode: "immediately", dedupHours: 24 })).status).toBe(200);
    const sandbox = Object.assign(new Client(url), { bearer: (await admin.post("/api/v1/sandbox/tokens", { name: "lab sandbox" })).json.token });

    const report = {
      format: "iocscan-sandbox-report",
      version: 1,
      sandbox: "e2e",
      reportId: "e2e-1",
      verdict: "malicious",
      score: 10,
      sample: { name: "invoice.exe", sha256: createHash("sha256").update(IMPLANT).digest("hex"), size: IMPLANT.length },
      detectedOn: { deviceId: device.id },
    };
    const created = await sandbox.post("/api/v1/sandbox/detections", { report });
    expect(created.status, created.text).toBe(201);
    const task = created.json.task;
    expect(task).toMatchObject({ standalone: true, target: { kind: "group", groupId: group.id }, settings, origin: { kind: "sandbox", verdict: "malicious", reportId: "e2e-1" } });
    expect(Date.parse(task.deleteAfter) - Date.parse(task.createdAt)).toBe(30 * DAY_MS);

    const runs = await until(async () => {
      const items = (await admin.get(`/api/v1/tasks/${task.id}/runs`)).json?.items as { state: string }[] | undefined;
      return items?.length === 1 && items.every((r) => r.state.startsWith("finished") || r.state === "failed") ? items : undefined;
    }, "the agent to run the stand-alone task");
    expect(runs.map((r) => r.state)).toEqual(["finished"]);
    const found = (await admin.get(`/api/v1/detections?taskId=${task.id}`)).json.items as { deviceId: string; objectId: string }[];
    expect(found.map((d) => [d.deviceId, d.objectId])).toEqual([[device.id, planted]]);

    const again = await sandbox.post("/api/v1/sandbox/detections", { report });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ reused: true, task: { id: task.id } });
    expect((await admin.get("/api/v1/tasks?standalone=true")).json.items.map((x: { id: string }) => x.id)).toEqual([task.id]);

    // Both detections are on record, naming the task they made and reused.
    expect((await admin.get(`/api/v1/sandbox/detections?taskId=${task.id}`)).json.total).toBe(2);
    // Just before its lifetime ends the task stays; past it, the retention job deletes it with its generated IOC file.
    clockOffset = Date.parse(task.deleteAfter) - Date.now() - 60_000;
    expect((await server.runJobs()).retention?.tasks).toBe(0);
    expect(await store.getTask(task.id)).toBeDefined();
    clockOffset = Date.parse(task.deleteAfter) - Date.now() + 2 * 3_600_000;
    // Sandbox detections are kept as long as scan results (30 days too), so they go in the same round.
    expect((await server.runJobs()).retention).toMatchObject({ tasks: 1, sandboxDetections: 2 });
    const relogged = new Client(url);
    await relogged.login("admin");
    expect((await relogged.get(`/api/v1/tasks/${task.id}`)).status).toBe(404);
    expect((await relogged.get("/api/v1/ioc-files")).json.items.map((f: { id: string }) => f.id)).not.toContain(task.iocFileIds[0]);
  }, 300_000);
});
