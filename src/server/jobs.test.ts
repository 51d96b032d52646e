/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- the tests read JSON answers as they come */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_TASK_SETTINGS } from "../core/api/index.js";
import { ROOT_GROUP_ID } from "../store/fleet/index.js";
import { makeTestReport } from "../store/test-report.js";
import { createStandaloneTask } from "./standalone.js";
import { createLocalNotifier } from "./notifier.js";
import { Client, iocXml, startTestServer, type TestServer } from "./test-support.js";
import { isInWindow, parseWindow } from "./window.js";

const at = (hhmm: string): Date => new Date(`2026-11-28T${hhmm}:00.000Z`);

describe("isInWindow", () => {
  it("isInWindow opens at the start, closes at the end, and crosses midnight when the end comes first", () => {
    expect(isInWindow("09:00-17:00", at("08:59"))).toBe(false);
    expect(isInWindow("09:00-17:00", at("09:00"))).toBe(true);
    expect(isInWindow("09:00-17:00", at("16:59"))).toBe(true);
    expect(isInWindow("09:00-17:00", at("17:00"))).toBe(false);
    expect(isInWindow("20:00-07:00", at("19:59"))).toBe(false);
    expect(isInWindow("20:00-07:00", at("20:00"))).toBe(true);
    expect(isInWindow("20:00-07:00", at("23:59"))).toBe(true);
    expect(isInWindow("20:00-07:00", at("00:00"))).toBe(true);
    expect(isInWindow("20:00-07:00", at("06:59"))).toBe(true);
    expect(isInWindow("20:00-07:00", at("07:00"))).toBe(false);
    expect(parseWindow("10:00-10:00")).toBeUndefined();
    expect(parseWindow("24:00-01:00")).toBeUndefined();
  });
});

let t: TestServer;
let admin: Client;
let agent: Client;
let deviceId: string;
let file: string;
beforeEach(async () => {
  t = await startTestServer();
  admin = await t.loginAs("administrator");
  const token = (await admin.post("/api/v1/enrollment-tokens", { groupId: ROOT_GROUP_ID })).json.token;
  agent = new Client(t.url);
  const enrolled = (await agent.post("/api/v1/agent/enroll", { token, hostname: "h", os: "linux", agentVersion: "1" })).json;
  agent.bearer = enrolled.credential;
  deviceId = enrolled.deviceId;
  file = (await admin.post("/api/v1/ioc-files", { files: [{ name: "a.ioc", content: iocXml("a") }] })).json.items[0].id;
});
afterEach(async () => {
  await t.close();
});

const orders = async (): Promise<string[]> => (await agent.get("/api/v1/agent/work?wait=0")).json.runs.map((r: { order: string }) => r.order);

describe("time-window scheduling (20:00-07:00, across midnight)", () => {
  const windowTask = async () =>
    (await admin.post("/api/v1/tasks", { name: "night", target: { kind: "devices", deviceIds: [deviceId] }, iocFileIds: [file], runMode: "window", window: "20:00-07:00" })).json;

  it("a task started before the window waits scheduled and starts when the window opens", async () => {
    t.clock.set("2026-11-28T19:00:00.000Z");
    const task = await windowTask();
    expect((await admin.post(`/api/v1/tasks/${task.id}/start`)).json.task.counts).toMatchObject({ scheduled: 1 });
    expect(await orders()).toEqual([]);
    t.clock.set("2026-11-28T19:59:00.000Z");
    await t.server.runJobs();
    expect(await orders()).toEqual([]);
    t.clock.set("2026-11-28T20:00:00.000Z");
    expect((await t.server.runJobs()).opened).toEqual([deviceId]);
    expect(await orders()).toEqual(["start"]);
  });

  it("a task started inside the window (after midnight) starts at once", async () => {
    t.clock.set("2026-11-29T03:30:00.000Z");
    admin = await t.loginAs("administrator");
    const task = await windowTask();
    expect((await admin.post(`/api/v1/tasks/${task.id}/start`)).json.task.counts).toMatchObject({ pending: 1, scheduled: 0 });
    expect(await orders()).toEqual(["start"]);
  });

  it("a task started after the window closed waits for the next night", async () => {
    t.clock.set("2026-11-28T08:00:00.000Z");
    const task = await windowTask();
    await admin.post(`/api/v1/tasks/${task.id}/start`);
    for (const time of ["2026-11-28T12:00:00.000Z", "2026-11-28T19:59:59.000Z"]) {
      t.clock.set(time);
      await t.server.runJobs();
      expect(await orders()).toEqual([]);
    }
    t.clock.set("2026-11-28T23:10:00.000Z");
    await t.server.runJobs();
    expect(await orders()).toEqual(["start"]);
  });
});

describe("retention jobs", () => {
  it("results are deleted 30 days after they finished, stand-alone tasks 30 days after creation, once per period", async () => {
    const task = (await admin.post("/api/v1/tasks", { name: "t", target: { kind: "devices", deviceIds: [deviceId] }, iocFileIds: [file], runMode: "immediately" })).json;
    const runId = (await agent.get("/api/v1/agent/work?wait=0")).json.runs[0].runId;
    const report = makeTestReport("s", { detections: 1 });
    await agent.post(`/api/v1/agent/runs/${runId}/result`, { state: "finished", startedAt: "2026-11-28T12:00:00Z", finishedAt: "2026-11-28T12:00:00Z", report });
    const standalone = await createStandaloneTask(t.store, createLocalNotifier(), {
      name: "Sandbox: evil.exe",
      ioc: { name: "generated.ioc", content: new TextEncoder().encode(iocXml("gen")) },
      target: { kind: "group", groupId: ROOT_GROUP_ID },
      settings: { ...DEFAULT_TASK_SETTINGS, action: "quarantine", criticalAreas: true },
      runMode: "immediately",
      actor: "sandbox:1",
    });
    expect(standalone).toMatchObject({ standalone: true, deleteAfter: "2026-12-28T12:00:00.000Z" });
    const refused = await admin.patch(`/api/v1/tasks/${standalone.id}`, { iocFileIds: [file] });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toContain('"iocFileIds"');
    const generated = standalone.iocFileIds[0];
    expect((await admin.post("/api/v1/tasks", { name: "x", target: { kind: "group", groupId: ROOT_GROUP_ID }, iocFileIds: [generated] })).json.error.message).toContain("stand-alone");

    expect((await t.server.runJobs()).retention).toEqual({ runs: 0, tasks: 0, sessions: 0, sandboxDetections: 0 });
    // Within the hour the retention job does not run again, even when asked.
    t.clock.advance(59 * 60_000);
    expect((await t.server.runJobs()).retention).toBeUndefined();
    t.clock.advance(29 * 86_400_000);
    // The administrator's session (12 h) has expired; the results and the task are 29 days old.
    expect((await t.server.runJobs()).retention).toEqual({ runs: 0, tasks: 0, sessions: 1, sandboxDetections: 0 });
    t.clock.advance(86_400_000 + 3_600_000);
    expect((await t.server.runJobs()).retention).toEqual({ runs: 1, tasks: 1, sessions: 0, sandboxDetections: 0 });
    expect(await t.store.getTask(standalone.id)).toBeUndefined();
    expect(await t.store.getIocFile(generated ?? "")).toBeUndefined();
    expect((await t.store.findDetections()).total).toBe(0);
    expect(await t.store.getTask(task.id)).toMatchObject({ counts: { finished: 0 } });
    expect((await t.store.listAudit({ limit: 1 })).entries[0]).toMatchObject({ actor: "system", action: "task.expire" });
  });
});
