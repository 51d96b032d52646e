/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- the tests read JSON answers as they come */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTestReport } from "../store/test-report.js";
import { ROOT_GROUP_ID } from "../store/fleet/index.js";
import { Client, iocXml, startTestServer, type TestServer } from "./test-support.js";

let t: TestServer;
let admin: Client;
beforeEach(async () => {
  t = await startTestServer();
  admin = await t.loginAs("administrator");
});
afterEach(async () => {
  await t.close();
});

async function enroll(hostname: string, groupId = ROOT_GROUP_ID): Promise<Client & { deviceId: string }> {
  const token = (await admin.post("/api/v1/enrollment-tokens", { groupId })).json.token;
  const agent = new Client(t.url);
  const answer = await agent.post("/api/v1/agent/enroll", { token, hostname, os: "linux", agentVersion: "0.1.0" });
  expect(answer.status).toBe(201);
  agent.bearer = answer.json.credential;
  return Object.assign(agent, { deviceId: answer.json.deviceId as string });
}

async function uploadIoc(id = "ioc-a"): Promise<string> {
  return (await admin.post("/api/v1/ioc-files", { files: [{ name: `${id}.ioc`, content: iocXml(id) }] })).json.items[0].id;
}

function result(runId: string, detections = 2) {
  const report = makeTestReport(`scan-${runId}`, { detections, startedAt: "2026-11-28T12:00:00.000Z" });
  return { state: "finished", startedAt: report.startedAt, finishedAt: report.finishedAt, report };
}

describe("agent endpoints", () => {
  it("a group task reaches the group's devices; progress and results give the task's states and counts; detections export as JSON and CSV", async () => {
    const group = (await admin.post("/api/v1/groups", { name: "G", parentId: ROOT_GROUP_ID })).json;
    const sub = (await admin.post("/api/v1/groups", { name: "S", parentId: group.id })).json;
    const a = await enroll("alpha", group.id);
    const b = await enroll("beta", sub.id);
    const c = await enroll("gamma");
    const file = await uploadIoc();
    const task = (await admin.post("/api/v1/tasks", { name: "sweep", target: { kind: "group", groupId: group.id }, iocFileIds: [file], runMode: "immediately" })).json;
    expect(task.counts).toMatchObject({ pending: 2 });

    const workA = (await a.get("/api/v1/agent/work?wait=0")).json;
    expect(workA.runs).toEqual([expect.objectContaining({ taskId: task.id, taskName: "sweep", order: "start", iocFiles: [expect.objectContaining({ id: file, name: "ioc-a.ioc" })] })]);
    expect((await c.get("/api/v1/agent/work?wait=0")).json).toEqual({ runs: [], commands: [] });
    const runA = workA.runs[0].runId;
    const bytes = await a.get(`/api/v1/agent/ioc-files/${file}`);
    expect(bytes.text).toBe(iocXml("ioc-a"));
    expect(bytes.headers.get("content-type")).toContain("application/xml");

    expect((await a.post(`/api/v1/agent/runs/${runA}/progress`, { state: "running", percent: 50, at: "2026-11-28T12:00:01Z" })).status).toBe(204);
    expect((await admin.get(`/api/v1/tasks/${task.id}`)).json).toMatchObject({ counts: { running: 1, pending: 1 }, progress: 25 });
    expect((await a.post(`/api/v1/agent/runs/${runA}/result`, result(runA))).json).toEqual({ stored: true, detections: 4 });

    const runB = (await b.get("/api/v1/agent/work?wait=0")).json.runs[0].runId;
    await b.post(`/api/v1/agent/runs/${runB}/result`, { state: "failed", reason: "Cannot read /", startedAt: "2026-11-28T12:00:00Z", finishedAt: "2026-11-28T12:00:02Z" });
    const shown = (await admin.get(`/api/v1/tasks/${task.id}`)).json;
    expect(shown.counts).toMatchObject({ finished: 1, failed: 1, pending: 0, running: 0 });
    const runs = (await admin.get(`/api/v1/tasks/${task.id}/runs`)).json;
    expect(runs.total).toBe(2);
    expect(runs.items.map((r: { hostname: string; state: string; reason: string | null }) => [r.hostname, r.state, r.reason])).toEqual([
      ["alpha", "finished", null],
      ["beta", "failed", "Cannot read /"],
    ]);

    const rerun = (await admin.post(`/api/v1/tasks/${task.id}/rerun-failed`)).json;
    expect(rerun).toMatchObject({ devices: 1, task: { counts: { finished: 1, pending: 1, failed: 0 } } });
    expect((await b.get("/api/v1/agent/work?wait=0")).json.runs[0].runId).not.toBe(runB);

    const found = (await admin.get(`/api/v1/detections?taskId=${task.id}&sort=iocId&order=asc&limit=3`)).json;
    expect(found.total).toBe(4);
    expect(found.items.map((d: { iocId: string }) => d.iocId)).toEqual(["ioc-0", "ioc-0", "ioc-1"]);
    expect(found.items[0]).toMatchObject({ hostname: "alpha", document: "FileItem", objectId: "/tmp/.cache/evil-0", actionable: true });
    const csv = await admin.get(`/api/v1/detections?deviceId=${a.deviceId}&format=csv`);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = csv.text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("foundAt,hostname,deviceId,taskId,runId,iocId,iocTitle,document,objectId,actionable,actions");
    expect(lines).toHaveLength(5);
  });

  it("a device cannot read another device's run, IOC file or command, nor post its results (403)", async () => {
    const a = await enroll("a");
    const b = await enroll("b");
    const file = await uploadIoc();
    await admin.post("/api/v1/tasks", { name: "only a", target: { kind: "devices", deviceIds: [a.deviceId] }, iocFileIds: [file], runMode: "immediately" });
    const runA = (await a.get("/api/v1/agent/work?wait=0")).json.runs[0].runId;
    expect((await b.get(`/api/v1/agent/ioc-files/${file}`)).status).toBe(403);
    expect((await b.post(`/api/v1/agent/runs/${runA}/progress`, { state: "running", percent: 1, at: "2026-11-28T12:00:00Z" })).status).toBe(403);
    expect((await b.post(`/api/v1/agent/runs/${runA}/result`, result(runA))).status).toBe(403);
    expect((await b.post("/api/v1/agent/runs/no-such-run/result", result("x"))).status).toBe(404);
    await a.post("/api/v1/agent/quarantine", { entries: [{ quarantineId: "q1", originalPath: "/tmp/evil", sha256: "a".repeat(64), size: 3, quarantinedAt: "2026-11-28T12:00:00Z", state: "quarantined" }] });
    const command = (await admin.post(`/api/v1/devices/${a.deviceId}/quarantine/q1/restore`)).json;
    expect((await b.post(`/api/v1/agent/commands/${command.id}/result`, { status: "done", detail: "x" })).status).toBe(403);
    expect((await b.get("/api/v1/agent/work?wait=0")).json).toEqual({ runs: [], commands: [] });
    expect((await admin.get(`/api/v1/tasks`)).json.items[0].counts.pending).toBe(1);
    // A forged credential (right device id, wrong secret) is no credential.
    const forged = new Client(t.url);
    forged.bearer = `${a.deviceId}.not-the-secret`;
    expect((await forged.get("/api/v1/agent/work?wait=0")).status).toBe(401);
  });

  it("a result posted twice stores one copy; an invalid report answers 400 naming the field", async () => {
    const a = await enroll("a");
    const file = await uploadIoc();
    await admin.post("/api/v1/tasks", { name: "t", target: { kind: "devices", deviceIds: [a.deviceId] }, iocFileIds: [file], runMode: "immediately" });
    const runId = (await a.get("/api/v1/agent/work?wait=0")).json.runs[0].runId;
    const body = result(runId, 3);
    const broken = structuredClone(body) as { report: { detections: { objects: { actionable: unknown }[] }[] } };
    (broken.report.detections[1]?.objects[0] ?? { actionable: 0 }).actionable = "yes";
    const bad = await a.post(`/api/v1/agent/runs/${runId}/result`, broken);
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('"report.detections.1.objects.0.actionable"');
    expect((await a.post(`/api/v1/agent/runs/${runId}/result`, body)).json).toEqual({ stored: true, detections: 6 });
    expect((await a.post(`/api/v1/agent/runs/${runId}/result`, body)).json).toEqual({ stored: false, detections: 6 });
    expect((await admin.get("/api/v1/detections")).json.total).toBe(6);
  });

  it("a device that was offline gets its pending run when it comes back; a long poll wakes when work arrives", async () => {
    const a = await enroll("a");
    const file = await uploadIoc();
    // Created and started while the device does not poll.
    const task = (await admin.post("/api/v1/tasks", { name: "t", target: { kind: "group", groupId: ROOT_GROUP_ID }, iocFileIds: [file] })).json;
    await admin.post(`/api/v1/tasks/${task.id}/start`);
    expect((await a.get("/api/v1/agent/work?wait=0")).json.runs).toHaveLength(1);
    // A device enrolled into the group after the start joins the group task on its first poll.
    const late = await enroll("late");
    expect((await late.get("/api/v1/agent/work?wait=0")).json.runs).toEqual([expect.objectContaining({ taskId: task.id, order: "start" })]);
    expect((await admin.get(`/api/v1/tasks/${task.id}`)).json.counts.pending).toBe(2);

    const started = Date.now();
    const poll = a.get("/api/v1/agent/work?wait=20");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await admin.post(`/api/v1/devices/${a.deviceId}/quarantine/q9/delete`).then((r) => expect(r.status).toBe(404));
    await a.post("/api/v1/agent/quarantine", { entries: [{ quarantineId: "q9", originalPath: "/tmp/x", sha256: "b".repeat(64), size: 1, quarantinedAt: "2026-11-28T12:00:00Z", state: "quarantined" }] });
    const command = (await admin.post(`/api/v1/devices/${a.deviceId}/quarantine/q9/delete`)).json;
    const answered = await poll;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(answered.json).toEqual({ runs: [], commands: [{ id: command.id, kind: "quarantine-delete", quarantineId: "q9" }] });
    expect((await a.post(`/api/v1/agent/commands/${command.id}/result`, { status: "done", detail: "deleted" })).status).toBe(204);
    expect((await admin.get(`/api/v1/devices/${a.deviceId}/commands`)).json.items[0]).toMatchObject({ status: "done", detail: "deleted" });
    expect((await admin.get(`/api/v1/devices/${a.deviceId}/quarantine`)).json.items).toEqual([expect.objectContaining({ quarantineId: "q9", scanId: null })]);
  });

  it("heartbeats update the device; pause, resume and stop reach the agent as orders", async () => {
    const a = await enroll("a");
    await a.post("/api/v1/agent/heartbeat", { agentVersion: "0.2.0", hostname: "a.example", os: "Debian 12", activeRuns: [], queuedResults: 2 }).then((r) => expect(r.json.serverTime).toBe("2026-11-28T12:00:00.000Z"));
    expect((await admin.get(`/api/v1/devices/${a.deviceId}`)).json).toMatchObject({ hostname: "a.example", agentVersion: "0.2.0", queuedResults: 2 });
    const file = await uploadIoc();
    const task = (await admin.post("/api/v1/tasks", { name: "t", target: { kind: "devices", deviceIds: [a.deviceId] }, iocFileIds: [file], runMode: "immediately" })).json;
    const runId = (await a.get("/api/v1/agent/work?wait=0")).json.runs[0].runId;
    await a.post(`/api/v1/agent/runs/${runId}/progress`, { state: "running", percent: 10, at: "2026-11-28T12:00:00Z" });
    await admin.post(`/api/v1/tasks/${task.id}/pause`);
    expect((await a.get("/api/v1/agent/work?wait=0")).json.runs.map((r: { order: string }) => r.order)).toEqual(["pause"]);
    await a.post(`/api/v1/agent/runs/${runId}/progress`, { state: "paused", percent: 10, detail: "paused by the server", at: "2026-11-28T12:00:01Z" });
    await admin.post(`/api/v1/tasks/${task.id}/resume`);
    expect((await a.get("/api/v1/agent/work?wait=0")).json.runs.map((r: { order: string }) => r.order)).toEqual(["resume"]);
    await admin.post(`/api/v1/tasks/${task.id}/stop`);
    expect((await a.get("/api/v1/agent/work?wait=0")).json.runs.map((r: { order: string }) => r.order)).toEqual(["stop"]);
    await a.post(`/api/v1/agent/runs/${runId}/result`, { state: "stopped", reason: "stopped by the server", startedAt: "2026-11-28T12:00:00Z", finishedAt: "2026-11-28T12:00:02Z" });
    expect((await admin.get(`/api/v1/tasks/${task.id}`)).json).toMatchObject({ state: "stopped", counts: { stopped: 1 } });
    expect((await admin.delete(`/api/v1/tasks/${task.id}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/tasks/${task.id}`)).status).toBe(404);
  });
});
