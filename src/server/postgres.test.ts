/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return -- the tests read JSON answers as they come */
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openPostgresFleetStore, ROOT_GROUP_ID, type FleetStore } from "../store/fleet/index.js";
import { connectTestPostgres, DROP_TIMEOUT_MS } from "../store/postgres/test-postgres.js";
import { hashPassword } from "./auth/secrets.js";
import { createPostgresNotifier } from "./postgres-notifier.js";
import { createServer, type IocscanServer } from "./server.js";
import { Client, iocXml, PASSWORD, TestClock } from "./test-support.js";

const postgres = await connectTestPostgres();
afterAll(async () => {
  await postgres?.dropAll();
}, DROP_TIMEOUT_MS);

const running: { server: IocscanServer; store: FleetStore }[] = [];
afterEach(async () => {
  for (const { server, store } of running.splice(0)) {
    await server.close();
    await store.close();
  }
});

/** One server instance on the shared database, with its own pool and LISTEN connection. */
async function instance(url: string, clock: TestClock): Promise<{ server: IocscanServer; store: FleetStore; base: string }> {
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  const store = await openPostgresFleetStore(pool, { now: clock.now });
  const notifier = await createPostgresNotifier(url, pool);
  const server = createServer({ store, notifier, now: clock.now, jobIntervalMs: 0, log: () => {} });
  running.push({ server, store });
  return { server, store, base: await server.listen({ host: "127.0.0.1", port: 0 }) };
}

describe.skipIf(postgres === undefined)("two server instances on one PostgreSQL", () => {
  it("a session, a device and a task made on one instance work on the other; a long poll on one wakes when the other starts a task", async () => {
    const url = (await postgres?.newDatabase()) ?? "";
    const clock = new TestClock();
    const a = await instance(url, clock);
    const b = await instance(url, clock);
    await a.store.createUser({ name: "admin", role: "administrator", passwordHash: await hashPassword(PASSWORD) }, "test");
    const onA = new Client(a.base);
    await onA.login("admin");
    // The session lives in the database: the same cookie and CSRF token work on B.
    const onB = Object.assign(new Client(b.base), { cookie: onA.cookie, csrf: onA.csrf });
    const token = (await onB.post("/api/v1/enrollment-tokens", { groupId: ROOT_GROUP_ID })).json.token;
    const agent = new Client(a.base);
    const enrolled = (await agent.post("/api/v1/agent/enroll", { token, hostname: "h", os: "linux", agentVersion: "1" })).json;
    agent.bearer = enrolled.credential;
    const file = (await onB.post("/api/v1/ioc-files", { files: [{ name: "a.ioc", content: iocXml("a") }] })).json.items[0].id;
    const task = (await onB.post("/api/v1/tasks", { name: "t", target: { kind: "group", groupId: ROOT_GROUP_ID }, iocFileIds: [file] })).json;

    const started = Date.now();
    const poll = agent.get("/api/v1/agent/work?wait=30");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await onB.post(`/api/v1/tasks/${task.id}/start`)).status).toBe(200);
    const work = await poll;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(work.json.runs).toEqual([expect.objectContaining({ taskId: task.id, order: "start" })]);
  });

  it("concurrent polls on both instances hand a run to one of them; the retention job runs once across both", async () => {
    const url = (await postgres?.newDatabase()) ?? "";
    const clock = new TestClock();
    const a = await instance(url, clock);
    const b = await instance(url, clock);
    await a.store.createUser({ name: "admin", role: "administrator", passwordHash: await hashPassword(PASSWORD) }, "test");
    const admin = new Client(a.base);
    await admin.login("admin");
    const token = (await admin.post("/api/v1/enrollment-tokens", { groupId: ROOT_GROUP_ID })).json.token;
    const enrolled = (await new Client(a.base).post("/api/v1/agent/enroll", { token, hostname: "h", os: "linux", agentVersion: "1" })).json;
    const viaA = Object.assign(new Client(a.base), { bearer: enrolled.credential });
    const viaB = Object.assign(new Client(b.base), { bearer: enrolled.credential });
    const file = (await admin.post("/api/v1/ioc-files", { files: [{ name: "a.ioc", content: iocXml("a") }] })).json.items[0].id;
    await admin.post("/api/v1/tasks", { name: "t", target: { kind: "group", groupId: ROOT_GROUP_ID }, iocFileIds: [file], runMode: "immediately" });
    const answers = await Promise.all([viaA, viaB, viaA, viaB].map((c) => c.get("/api/v1/agent/work?wait=0")));
    expect(answers.flatMap((r) => r.json.runs)).toHaveLength(1);

    const rounds = await Promise.all([a.server.runJobs(), b.server.runJobs(), a.server.runJobs(), b.server.runJobs()]);
    expect(rounds.filter((r) => r.retention !== undefined)).toHaveLength(1);
  });

  it("the same sandbox detection posted many times at once to both instances creates one stand-alone task", async () => {
    const url = (await postgres?.newDatabase()) ?? "";
    const clock = new TestClock();
    const a = await instance(url, clock);
    const b = await instance(url, clock);
    await a.store.createUser({ name: "admin", role: "administrator", passwordHash: await hashPassword(PASSWORD) }, "test");
    const admin = new Client(a.base);
    await admin.login("admin");
    const token = (await admin.post("/api/v1/enrollment-tokens", { groupId: ROOT_GROUP_ID })).json.token;
    await new Client(a.base).post("/api/v1/agent/enroll", { token, hostname: "ws-1", os: "linux", agentVersion: "1" });
    const sandboxToken = (await admin.post("/api/v1/sandbox/tokens", { name: "lab" })).json.token;
    const report = { format: "iocscan-sandbox-report", version: 1, verdict: "malicious", sample: { name: "evil.exe", sha256: "7a".repeat(32) }, detectedOn: { hostname: "ws-1" } };
    const senders = [a, b, a, b, a, b, a, b, a, b].map((i) => Object.assign(new Client(i.base), { bearer: sandboxToken }));
    const answers = await Promise.all(senders.map((c) => c.post("/api/v1/sandbox/detections", { report })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((r) => r.json.task.id)).size).toBe(1);
    expect(await a.store.listTasks({ standalone: true })).toHaveLength(1);
    expect((await a.store.listSandboxDetections()).total).toBe(10);
  });
});
