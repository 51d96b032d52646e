/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- the tests read JSON answers as they come */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ROOT_GROUP_ID } from "../store/fleet/index.js";
import { Client, iocXml, startTestServer, type TestServer } from "./test-support.js";

const SHA256 = "3f".repeat(32);
const HOUR = 3_600_000;

/** A report in the generic format (src/formats/sandbox/README.md). */
function genericReport(change: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: "iocscan-sandbox-report",
    version: 1,
    sandbox: "test sandbox",
    reportId: "r-42",
    verdict: "malicious",
    score: 9,
    sample: { name: "invoice.exe", sha256: SHA256 },
    detectedOn: { hostname: "ws-1" },
    network: { ips: ["203.0.113.7"] },
    ...change,
  };
}

let t: TestServer;
let admin: Client;
let sandbox: Client;
let groupId: string;
let deviceId: string;

/** Enrolls a device named `hostname` into `group`; resolves to its id. */
async function enroll(group: string, hostname: string): Promise<string> {
  const token = (await admin.post("/api/v1/enrollment-tokens", { groupId: group })).json.token;
  return (await new Client(t.url).post("/api/v1/agent/enroll", { token, hostname, os: "linux", agentVersion: "1" })).json.deviceId;
}

beforeEach(async () => {
  t = await startTestServer({ maxReportBytes: 64 * 1024 });
  admin = await t.loginAs("administrator");
  groupId = (await admin.post("/api/v1/groups", { name: "Finance", parentId: ROOT_GROUP_ID })).json.id;
  deviceId = await enroll(groupId, "ws-1");
  const created = await admin.post("/api/v1/sandbox/tokens", { name: "lab sandbox" });
  expect(created.status).toBe(201);
  sandbox = new Client(t.url);
  sandbox.bearer = created.json.token;
});
afterEach(async () => {
  await t.close();
});

const post = (body: unknown, client = sandbox) => client.post("/api/v1/sandbox/detections", body);

describe("sandbox integration tokens", () => {
  it("administrators create, list and revoke them; the secret is shown once; only a valid token reaches the intake, and only the intake", async () => {
    const list = (await admin.get("/api/v1/sandbox/tokens")).json.items;
    expect(list).toEqual([expect.objectContaining({ name: "lab sandbox", revoked: false, uses: 0 })]);
    expect(JSON.stringify(list)).not.toContain(sandbox.bearer);
    const operator = await t.loginAs("operator");
    expect((await operator.post("/api/v1/sandbox/tokens", { name: "x" })).status).toBe(403);
    expect((await operator.get("/api/v1/sandbox/tokens")).status).toBe(403);

    // A session is no sandbox token; a wrong token is refused.
    expect((await post({ report: genericReport() }, admin)).status).toBe(401);
    const wrong = Object.assign(new Client(t.url), { bearer: "not-a-token" });
    const refused = await post({ report: genericReport() }, wrong);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("WWW-Authenticate")).toContain("iocscan-sandbox");
    // The token opens nothing else.
    expect((await sandbox.get("/api/v1/tasks")).status).toBe(401);
    expect((await sandbox.get("/api/v1/agent/work?wait=0")).status).toBe(401);

    expect((await post({ report: genericReport() })).status).toBe(201);
    expect((await admin.get("/api/v1/sandbox/tokens")).json.items[0]).toMatchObject({ uses: 1, lastUsedAt: "2026-11-28T12:00:00.000Z" });
    const id = list[0].id;
    expect((await admin.post(`/api/v1/sandbox/tokens/${id}/revoke`)).status).toBe(204);
    expect((await admin.post("/api/v1/sandbox/tokens/nope/revoke")).status).toBe(404);
    expect((await post({ report: genericReport() })).status).toBe(401);
    const actions = (await admin.get("/api/v1/audit?limit=100")).json.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["sandbox-token.create", "sandbox-token.revoke"]));
  });
});

describe("sandbox response policy", () => {
  it("defaults to the detecting device's group, report only, run at once, 24 h de-duplication; administrators replace it, bad values are refused", async () => {
    expect((await admin.get("/api/v1/sandbox/policy")).json).toEqual({
      target: { kind: "device-group" },
      settings: { action: "report", criticalAreas: false, idleOnly: false, scopes: [], excludes: [], switches: {} },
      runMode: "immediately",
      window: null,
      dedupHours: 24,
    });
    expect((await (await t.loginAs("viewer")).get("/api/v1/sandbox/policy")).status).toBe(403);
    const badWindow = await admin.request("PUT", "/api/v1/sandbox/policy", { runMode: "window" });
    expect(badWindow.status).toBe(400);
    expect(badWindow.json.error.message).toContain('"window"');
    expect((await admin.request("PUT", "/api/v1/sandbox/policy", { target: { kind: "group", groupId: "nope" } })).json.error.message).toContain('"target.groupId"');
    const policy = {
      target: { kind: "group", groupId },
      settings: { action: "quarantine", criticalAreas: true, idleOnly: true, scopes: [], excludes: [], switches: {} },
      runMode: "window",
      window: "22:00-02:00",
      dedupHours: 6,
    };
    expect((await admin.request("PUT", "/api/v1/sandbox/policy", policy)).json).toEqual(policy);
    expect((await admin.get("/api/v1/sandbox/policy")).json).toEqual(policy);
    expect((await admin.get("/api/v1/audit?limit=1")).json.items[0]).toMatchObject({ action: "sandbox-policy.update" });
  });
});

describe("POST /sandbox/detections", () => {
  it("a detection creates a stand-alone task for the detecting device's group with the policy's settings; the task shows its origin and deletion date", async () => {
    const answer = await post({ report: genericReport() });
    expect(answer.status, answer.text).toBe(201);
    const task = answer.json.task;
    expect(answer.json).toMatchObject({ generated: true, reused: false, reason: null, ioc: { items: expect.any(Number) } });
    expect(task).toMatchObject({
      name: "Sandbox: invoice.exe",
      target: { kind: "group", groupId },
      standalone: true,
      runMode: "immediately",
      state: "started",
      createdBy: "sandbox:lab sandbox",
      deleteAfter: "2026-12-28T12:00:00.000Z",
      counts: { pending: 1 },
      origin: { kind: "sandbox", format: "generic", verdict: "malicious", score: 9, reportId: "r-42", sample: { name: "invoice.exe", sha256: SHA256 }, detectedOn: { hostname: "ws-1" } },
    });
    expect(answer.json.detection).toMatchObject({ deviceId, hostname: "ws-1", taskId: task.id, reused: false, generated: true, format: "generic", verdict: "malicious" });
    // The generated IOC looks for the sample's hash and the C2 address.
    const fileId = task.iocFileIds[0];
    expect((await admin.get("/api/v1/ioc-files")).json.items.find((f: { id: string }) => f.id === fileId)).toMatchObject({ generated: true, usable: true });
    const agentWork = (await admin.get(`/api/v1/tasks/${task.id}/runs`)).json.items;
    expect(agentWork).toEqual([expect.objectContaining({ deviceId, state: "pending", pendingOrder: "start" })]);
    // The console sees the origin in the list and the show answers.
    expect((await admin.get(`/api/v1/tasks/${task.id}`)).json.origin).toEqual(task.origin);
    expect((await admin.get("/api/v1/tasks?standalone=true")).json.items).toEqual([expect.objectContaining({ id: task.id, origin: task.origin, deleteAfter: task.deleteAfter })]);
  });

  it("the same sample within the window reuses the task (also by md5, and when many arrive at once); after the window or for another group a new task is made", async () => {
    const posts = await Promise.all(Array.from({ length: 8 }, () => post({ report: genericReport() })));
    expect(posts.map((p) => p.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const taskIds = new Set(posts.map((p) => p.json.task.id));
    expect(taskIds.size).toBe(1);
    const [taskId] = [...taskIds];
    expect(posts.filter((p) => p.json.reused)).toHaveLength(7);
    expect((await admin.get("/api/v1/tasks?standalone=true")).json.items).toHaveLength(1);
    const recorded = (await admin.get(`/api/v1/sandbox/detections?taskId=${taskId}`)).json;
    expect(recorded.total).toBe(8);
    expect(recorded.items.filter((d: { reused: boolean }) => d.reused)).toHaveLength(7);

    // Another device of another group: its own task.
    const other = (await admin.post("/api/v1/groups", { name: "Sales", parentId: ROOT_GROUP_ID })).json.id;
    await enroll(other, "ws-2");
    const elsewhere = await post({ report: genericReport(), device: { hostname: "WS-2" } });
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.json.task.target).toEqual({ kind: "group", groupId: other });

    // A sample known only by md5 is de-duplicated by md5.
    const md5Report = genericReport({ sample: { name: "b.exe", md5: "ab".repeat(16) } });
    expect((await post({ report: md5Report })).status).toBe(201);
    expect((await post({ report: md5Report })).json).toMatchObject({ reused: true });

    t.clock.advance(23 * HOUR);
    expect((await post({ report: genericReport() })).json).toMatchObject({ reused: true, task: { id: taskId } });
    t.clock.advance(2 * HOUR);
    const later = await post({ report: genericReport() });
    expect(later.status).toBe(201);
    expect(later.json.task.id).not.toBe(taskId);
  });

  it("a configured group is targeted whatever device detected it; the device may then be unknown", async () => {
    const lab = (await admin.post("/api/v1/groups", { name: "Lab", parentId: ROOT_GROUP_ID })).json.id;
    await admin.request("PUT", "/api/v1/sandbox/policy", { target: { kind: "group", groupId: lab }, runMode: "manual", settings: { action: "quarantine", criticalAreas: true, idleOnly: true, scopes: [], excludes: [], switches: {} } });
    const answer = await post({ report: genericReport({ detectedOn: { hostname: "not-enrolled" } }) });
    expect(answer.status, answer.text).toBe(201);
    expect(answer.json.task).toMatchObject({ target: { kind: "group", groupId: lab }, runMode: "manual", state: "created", settings: { action: "quarantine", criticalAreas: true, idleOnly: true } });
    expect(answer.json.detection).toMatchObject({ deviceId: null, hostname: "not-enrolled" });
  });

  it("no IOC (clean verdict) answers 200 with the reason; a non-report, a broken report or an unknown device answers 422; each is recorded", async () => {
    const clean = await post({ report: genericReport({ verdict: "clean", score: 0 }) });
    expect(clean.status).toBe(200);
    expect(clean.json).toMatchObject({ generated: false, reused: false, task: null });
    expect(clean.json.reason).toMatch(/clean/);

    const notReport = await post({ report: { hello: "world" } });
    expect(notReport.status).toBe(422);
    expect(notReport.json.error.code).toBe("invalid-report");

    const broken = await post({ report: genericReport({ sample: { name: "x", sha256: "zz" } }) });
    expect(broken.status).toBe(422);
    expect(broken.json.error.message).toContain("$.sample.sha256");

    const nowhere = await post({ report: genericReport({ detectedOn: { hostname: "ghost" } }) });
    expect(nowhere.status).toBe(422);
    expect(nowhere.json.error).toMatchObject({ code: "unknown-device" });
    expect(nowhere.json.error.message).toContain('"ghost"');
    expect((await post({ report: genericReport(), device: { id: "nope" } })).json.error.message).toContain('no device "nope"');
    // Two hosts of one name: the sender must name the device by id.
    await enroll(ROOT_GROUP_ID, "WS-1");
    const ambiguous = await post({ report: genericReport() });
    expect(ambiguous.json.error).toMatchObject({ code: "unknown-device", message: expect.stringContaining('2 devices have host name "ws-1"') });
    expect((await post({ report: genericReport(), device: { id: deviceId } })).status).toBe(201);

    const recorded = (await admin.get("/api/v1/sandbox/detections")).json;
    expect(recorded.total).toBe(7);
    expect((await admin.get("/api/v1/tasks")).json.items).toHaveLength(1);
    const refused = recorded.items.filter((d: { taskId: string | null }) => d.taskId === null);
    expect(refused).toHaveLength(6);
    expect(refused.every((d: { reason: string | null }) => d.reason !== null)).toBe(true);
  });

  it("bodies are checked: a wrong format name is a 400, a body over the limit a 413", async () => {
    expect((await post({ report: genericReport(), format: "sandboxie" })).json.error.message).toContain('"format"');
    expect((await post({ report: [] })).status).toBe(400);
    const big = await post({ report: genericReport({ family: Array.from({ length: 5000 }, (_, i) => `family-${i}`) }) });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe("too-large");
    // The limit is the intake's own: other routes keep the general one.
    const upload = await admin.post("/api/v1/ioc-files", { files: [{ name: "big.ioc", content: iocXml("big").replace("<short_description>", `<!-- ${"x".repeat(100_000)} --><short_description>`) }] });
    expect(upload.status).toBe(201);
  });

  it("custom IOC files are refused on a stand-alone task, and its generated file on other tasks", async () => {
    const task = (await post({ report: genericReport() })).json.task;
    const custom = (await admin.post("/api/v1/ioc-files", { files: [{ name: "mine.ioc", content: iocXml("mine") }] })).json.items[0].id;
    const refused = await admin.patch(`/api/v1/tasks/${task.id}`, { iocFileIds: [custom] });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toContain("stand-alone");
    expect((await admin.get(`/api/v1/tasks/${task.id}`)).json.iocFileIds).toEqual(task.iocFileIds);
    const reuse = await admin.post("/api/v1/tasks", { name: "x", target: { kind: "group", groupId }, iocFileIds: [task.iocFileIds[0]] });
    expect(reuse.status).toBe(400);
    expect(reuse.json.error.message).toContain("stand-alone");
  });

  it("the intake and the token and policy routes are in the OpenAPI document with their schemas", async () => {
    const doc = (await new Client(t.url).get("/api/v1/openapi.json")).json;
    const intake = doc.paths["/api/v1/sandbox/detections"].post;
    expect(intake).toMatchObject({ "x-iocscan-access": "sandbox", security: [{ sandbox: [] }] });
    expect(intake.requestBody.content["application/json"].schema.properties.format.enum).toContain("generic");
    expect(intake.responses["201"].content["application/json"].schema.properties.task).toBeDefined();
    expect(doc.paths["/api/v1/sandbox/policy"].put.requestBody).toBeDefined();
    expect(doc.paths["/api/v1/sandbox/tokens"].post["x-iocscan-access"]).toBe("administrator");
    expect(doc.components.securitySchemes.sandbox).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.paths["/api/v1/tasks/{id}"].get.responses["200"].content["application/json"].schema.properties.origin).toBeDefined();
  });
});

describe("POST /sandbox/detections with real sandbox reports (test/data/sandbox-reports)", () => {
  const corpus = (file: string): unknown => JSON.parse(readFileSync(new URL(`../../test/data/sandbox-reports/${file}`, import.meta.url), "utf8"));

  it("a 1.4 MB CAPE report of QakBot (format told apart automatically) makes a task; the clean VMRay and the empty CAPE reports make none and say why", async () => {
    // The default limit (16 MiB), not the small one of the tests above.
    const wide = await startTestServer();
    try {
      const wideAdmin = await wide.loginAs("administrator");
      const token = (await wideAdmin.post("/api/v1/enrollment-tokens", { groupId: ROOT_GROUP_ID })).json.token;
      const device = (await new Client(wide.url).post("/api/v1/agent/enroll", { token, hostname: "ws-9", os: "windows", agentVersion: "1" })).json.deviceId;
      const lab = Object.assign(new Client(wide.url), { bearer: (await wideAdmin.post("/api/v1/sandbox/tokens", { name: "cape" })).json.token });
      const qakbot = await lab.post("/api/v1/sandbox/detections", { report: corpus("cape/cape-v2.2-qakbot-0000a657-trimmed.json"), device: { id: device } });
      expect(qakbot.status, qakbot.text.slice(0, 500)).toBe(201);
      expect(qakbot.json.task.origin).toMatchObject({ format: "cape", verdict: "malicious", reportId: "14684", sample: { sha256: "0000a65749f5902c4d82ffa701198038f0b4870b00a27cfca109f8f933476d82" } });
      expect(qakbot.json.ioc.items).toBeGreaterThan(0);
      expect(qakbot.json.detection).toMatchObject({ deviceId: device, dropped: qakbot.json.dropped.length });

      for (const file of ["vmray/vmray-summary_v2-clean-mutex-eb12873c.json", "cape/cape-v2.4-2ebadd04-empty-behavior.json"]) {
        const clean = await lab.post("/api/v1/sandbox/detections", { report: corpus(file), format: "auto", device: { id: device } });
        expect({ file, status: clean.status, generated: clean.json.generated, task: clean.json.task }).toEqual({ file, status: 200, generated: false, task: null });
        expect(clean.json.reason).toMatch(/verdict clean/);
      }
      expect((await wideAdmin.get("/api/v1/tasks?standalone=true")).json.items).toHaveLength(1);
    } finally {
      await wide.close();
    }
  });
});
