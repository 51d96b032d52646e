/**
 * The test suite every `FleetStore` driver passes on a real database (SQLite and PostgreSQL).
 * A driver's test file calls `runFleetConformance` once.
 *
 * @module
 */
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_TASK_SETTINGS } from "../../core/api/index.js";
import { makeTestReport } from "../test-report.js";
import type { FleetStoreOptions } from "./_fleet-store.js";
import { DEFAULT_SANDBOX_POLICY, LastAdministratorError, type Device, type FleetStore, type IocValidation } from "./fleet-store.js";
import { ROOT_GROUP_ID } from "./migrations.js";

/** Opens a store on `database`, a name `newDatabase` returned. */
export type OpenFleetStore = (database: string, options: FleetStoreOptions) => Promise<FleetStore>;

const ADMIN = "user:admin";
const VALID: IocValidation = { usable: true, iocId: "ioc-1", title: "Test", openiocVersion: "1.1", items: 1, supportedItems: 1, diagnostics: [] };
const DAY = 86_400_000;

/** A clock tests move by hand. */
class TestClock {
  time = Date.parse("2026-11-28T12:00:00.000Z");
  now = (): Date => new Date(this.time);
  advance(ms: number): void {
    this.time += ms;
  }
  iso(): string {
    return new Date(this.time).toISOString();
  }
}

export function runFleetConformance(openStore: OpenFleetStore, newDatabase: () => Promise<string>): void {
  const opened: FleetStore[] = [];
  let clock: TestClock;
  const fresh = async (): Promise<FleetStore> => {
    clock = new TestClock();
    const store = await openStore(await newDatabase(), { now: clock.now });
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  let enrolled = 0;
  const enroll = async (store: FleetStore, groupId = ROOT_GROUP_ID, hostname = `host-${++enrolled}`): Promise<Device> => {
    const tokenHash = `token-${enrolled}-${Math.random()}`;
    await store.createEnrollmentToken({ tokenHash, groupId, expiresAt: new Date(clock.time + DAY).toISOString() }, ADMIN);
    const device = await store.enrollDevice({ tokenHash, deviceId: `dev-${hostname}`, credentialHash: `cred-${hostname}`, hostname, os: "linux", agentVersion: "0.1.0" });
    if (device === undefined) throw new Error("enrollment failed");
    return device;
  };
  const iocFile = (store: FleetStore, name = "a.ioc") => store.addIocFile({ name, content: new Uint8Array([0, 1, 2, 255, 60]), sha256: "a".repeat(64), validation: VALID }, ADMIN);

  describe("FleetStore conformance", () => {
    it("users are created once per name, found, changed and deleted; a change ends their sessions", async () => {
      const store = await fresh();
      const user = await store.createUser({ name: "alice", role: "operator", passwordHash: "h1" }, ADMIN);
      await expect(store.createUser({ name: "alice", role: "viewer", passwordHash: "h2" }, ADMIN)).rejects.toThrow();
      expect(await store.findUserByName("alice")).toMatchObject({ id: user.id, role: "operator", passwordHash: "h1" });
      expect(await store.countAdministrators()).toBe(0);
      await store.createSession({ id: "s1", userId: user.id, csrfToken: "c", expiresAt: new Date(clock.time + 3600_000).toISOString() });
      expect((await store.getSession("s1"))?.user.name).toBe("alice");
      expect(await store.updateUser(user.id, { role: "administrator" }, ADMIN)).toMatchObject({ role: "administrator" });
      expect(await store.getSession("s1")).toBeUndefined();
      expect(await store.countAdministrators()).toBe(1);
      // Another administrator first: the last one cannot go (see below).
      const other = await store.createUser({ name: "root", role: "administrator", passwordHash: "h3" }, ADMIN);
      expect(await store.deleteUser(user.id, ADMIN)).toBe(true);
      expect(await store.deleteUser(user.id, ADMIN)).toBe(false);
      expect((await store.listUsers()).map((u) => u.id)).toEqual([other.id]);
    });

    it("no change leaves no administrator, also when two at once each remove one of the last two", async () => {
      const store = await fresh();
      const a = await store.createUser({ name: "ada", role: "administrator", passwordHash: "h" }, "test");
      const b = await store.createUser({ name: "bo", role: "administrator", passwordHash: "h" }, "test");
      const demoted = await Promise.allSettled([store.updateUser(a.id, { role: "viewer" }, "test"), store.updateUser(b.id, { role: "viewer" }, "test")]);
      expect(demoted.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
      expect(demoted.find((r) => r.status === "rejected")?.reason).toBeInstanceOf(LastAdministratorError);
      expect(await store.countAdministrators()).toBe(1);
      const [last] = (await store.listUsers()).filter((u) => u.role === "administrator");
      await expect(store.deleteUser(last?.id ?? "", "test")).rejects.toThrow(LastAdministratorError);
      expect(await store.countAdministrators()).toBe(1);
    });

    it("sessions expire with the clock", async () => {
      const store = await fresh();
      const user = await store.createUser({ name: "bob", role: "viewer", passwordHash: "h" }, ADMIN);
      await store.createSession({ id: "s", userId: user.id, csrfToken: "c", expiresAt: new Date(clock.time + 1000).toISOString() });
      expect(await store.getSession("s")).toMatchObject({ csrfToken: "c", user: { role: "viewer" } });
      clock.advance(1000);
      expect(await store.getSession("s")).toBeUndefined();
      expect(await store.purgeExpiredSessions(clock.iso())).toBe(1);
    });

    it("login failures are counted per key since a time and cleared", async () => {
      const store = await fresh();
      await store.recordLoginFailure("bob|1.2.3.4");
      clock.advance(60_000);
      await store.recordLoginFailure("bob|1.2.3.4");
      await store.recordLoginFailure("eve|1.2.3.4");
      expect(await store.loginFailuresSince("bob|1.2.3.4", new Date(clock.time - 120_000).toISOString())).toHaveLength(2);
      expect(await store.loginFailuresSince("bob|1.2.3.4", new Date(clock.time - 30_000).toISOString())).toHaveLength(1);
      // An attempt refused untried is forgotten, alone.
      const untried = await store.recordLoginFailure("bob|1.2.3.4");
      await store.forgetLoginFailure(untried);
      expect(await store.loginFailuresSince("bob|1.2.3.4", new Date(clock.time - 120_000).toISOString())).toHaveLength(2);
      await store.clearLoginFailures("bob|1.2.3.4");
      expect(await store.loginFailuresSince("bob|1.2.3.4", "2000-01-01T00:00:00.000Z")).toEqual([]);
      expect(await store.loginFailuresSince("eve|1.2.3.4", "2000-01-01T00:00:00.000Z")).toHaveLength(1);
    });

    it("groups form a tree: subtrees, no move below itself, no deleting a non-empty group", async () => {
      const store = await fresh();
      const a = await store.createGroup({ name: "A", parentId: ROOT_GROUP_ID }, ADMIN);
      const b = await store.createGroup({ name: "B", parentId: a.id }, ADMIN);
      const c = await store.createGroup({ name: "C", parentId: b.id }, ADMIN);
      await expect(store.createGroup({ name: "X", parentId: "nope" }, ADMIN)).rejects.toThrow(RangeError);
      expect((await store.groupSubtree(a.id)).sort()).toEqual([a.id, b.id, c.id].sort());
      await expect(store.updateGroup(a.id, { parentId: c.id }, ADMIN)).rejects.toThrow(/below itself/);
      expect(await store.updateGroup(c.id, { parentId: a.id, name: "C2" }, ADMIN)).toMatchObject({ parentId: a.id, name: "C2" });
      expect(await store.deleteGroup(a.id, ADMIN)).toBe("not-empty");
      expect(await store.deleteGroup(ROOT_GROUP_ID, ADMIN)).toBe("not-empty");
      expect(await store.deleteGroup(b.id, ADMIN)).toBe("deleted");
      expect(await store.deleteGroup(b.id, ADMIN)).toBe("not-found");
      expect((await store.listGroups()).map((g) => g.name).sort()).toEqual(["A", "All devices", "C2"]);
    });

    it("enrollment needs a known, unrevoked, unexpired token and puts the device in its group", async () => {
      const store = await fresh();
      const group = await store.createGroup({ name: "Servers", parentId: ROOT_GROUP_ID }, ADMIN);
      const token = await store.createEnrollmentToken({ tokenHash: "t1", groupId: group.id, expiresAt: new Date(clock.time + 1000).toISOString() }, ADMIN);
      const input = { tokenHash: "t1", deviceId: "d1", credentialHash: "c1", hostname: "web-1", os: "linux", agentVersion: "1" };
      expect(await store.enrollDevice({ ...input, tokenHash: "unknown" })).toBeUndefined();
      expect(await store.enrollDevice(input)).toMatchObject({ id: "d1", groupId: group.id, hostname: "web-1" });
      expect(await store.getDeviceCredentialHash("d1")).toBe("c1");
      expect((await store.listEnrollmentTokens())[0]).toMatchObject({ id: token.id, uses: 1, revoked: false });
      clock.advance(1000);
      expect(await store.enrollDevice({ ...input, deviceId: "d2" })).toBeUndefined();
      await store.createEnrollmentToken({ tokenHash: "t2", groupId: group.id, expiresAt: new Date(clock.time + 1000).toISOString() }, ADMIN);
      const t2 = (await store.listEnrollmentTokens()).find((t) => t.uses === 0);
      expect(await store.revokeEnrollmentToken(t2?.id ?? "", ADMIN)).toBe(true);
      expect(await store.enrollDevice({ ...input, tokenHash: "t2", deviceId: "d3" })).toBeUndefined();
    });

    it("devices are listed by group (with subgroups), by name, in pages; moved, heartbeats recorded, deleted", async () => {
      const store = await fresh();
      const a = await store.createGroup({ name: "A", parentId: ROOT_GROUP_ID }, ADMIN);
      const b = await store.createGroup({ name: "B", parentId: a.id }, ADMIN);
      await enroll(store, a.id, "alpha");
      const beta = await enroll(store, b.id, "Beta");
      await enroll(store, ROOT_GROUP_ID, "gamma");
      expect((await store.listDevices({ groupId: a.id })).devices.map((d) => d.hostname)).toEqual(["alpha"]);
      expect((await store.listDevices({ groupId: a.id, recursive: true })).devices.map((d) => d.hostname)).toEqual(["Beta", "alpha"]);
      expect((await store.listDevices({ search: "ETA" })).devices.map((d) => d.hostname)).toEqual(["Beta"]);
      expect((await store.listDevices({ search: "%" })).total).toBe(0);
      expect((await store.findDevicesByHostname("BETA")).map((d) => d.id)).toEqual([beta.id]);
      expect(await store.findDevicesByHostname("bet")).toEqual([]);
      const paged = await store.listDevices({ limit: 2, offset: 2 });
      expect(paged).toMatchObject({ total: 3, devices: [{ hostname: "gamma" }] });
      clock.advance(5000);
      await store.recordHeartbeat(beta.id, { hostname: "beta-2", os: "Debian 12", agentVersion: "2", activeRuns: ["r1"], queuedResults: 3 });
      expect(await store.getDevice(beta.id)).toMatchObject({ hostname: "beta-2", os: "Debian 12", agentVersion: "2", activeRuns: ["r1"], queuedResults: 3, lastSeenAt: clock.iso() });
      expect(await store.moveDevice(beta.id, ROOT_GROUP_ID, ADMIN)).toMatchObject({ groupId: ROOT_GROUP_ID });
      await expect(store.moveDevice(beta.id, "nope", ADMIN)).rejects.toThrow(RangeError);
      expect(await store.deleteDevice(beta.id, ADMIN)).toBe(true);
      expect(await store.getDevice(beta.id)).toBeUndefined();
    });

    it("IOC files keep their bytes exactly, and a file a task uses cannot be deleted", async () => {
      const store = await fresh();
      const file = await iocFile(store);
      expect(await store.getIocFileContent(file.id)).toEqual(new Uint8Array([0, 1, 2, 255, 60]));
      expect(await store.getIocFile(file.id)).toMatchObject({ name: "a.ioc", size: 5, usable: true, generated: false, diagnostics: [] });
      await store.createTask({ name: "t", target: { kind: "group", groupId: ROOT_GROUP_ID }, iocFileIds: [file.id], settings: DEFAULT_TASK_SETTINGS, runMode: "manual" }, ADMIN);
      expect(await store.deleteIocFile(file.id, ADMIN)).toBe("in-use");
      const other = await iocFile(store, "b.ioc");
      expect(await store.deleteIocFile(other.id, ADMIN)).toBe("deleted");
      expect(await store.deleteIocFile(other.id, ADMIN)).toBe("not-found");
    });

    it("a group task runs on the group's devices and subgroups; states are counted; orders are acknowledged", async () => {
      const store = await fresh();
      const a = await store.createGroup({ name: "A", parentId: ROOT_GROUP_ID }, ADMIN);
      const b = await store.createGroup({ name: "B", parentId: a.id }, ADMIN);
      const d1 = await enroll(store, a.id);
      const d2 = await enroll(store, b.id);
      const outside = await enroll(store, ROOT_GROUP_ID);
      const file = await iocFile(store);
      const task = await store.createTask({ name: "sweep", target: { kind: "group", groupId: a.id }, iocFileIds: [file.id], settings: DEFAULT_TASK_SETTINGS, runMode: "manual" }, ADMIN);
      expect(task).toMatchObject({ state: "created", counts: { pending: 0 } });
      expect((await store.startTask(task.id, ADMIN))?.sort()).toEqual([d1.id, d2.id].sort());
      expect((await store.getTask(task.id))?.counts).toMatchObject({ pending: 2, running: 0 });
      expect((await store.claimWork(outside.id, 60_000)).runs).toEqual([]);

      const work = await store.claimWork(d1.id, 60_000);
      expect(work.runs).toEqual([expect.objectContaining({ taskId: task.id, taskName: "sweep", order: "start", settings: DEFAULT_TASK_SETTINGS, iocFiles: [{ id: file.id, name: "a.ioc", sha256: "a".repeat(64) }] })]);
      const runId = work.runs[0]?.runId ?? "";
      // Handed once per lease; after the lease, handed again until acknowledged.
      expect((await store.claimWork(d1.id, 60_000)).runs).toEqual([]);
      clock.advance(61_000);
      expect((await store.claimWork(d1.id, 60_000)).runs.map((r) => r.runId)).toEqual([runId]);
      expect(await store.deviceMayReadIocFile(d1.id, file.id)).toBe(true);
      expect(await store.deviceMayReadIocFile(outside.id, file.id)).toBe(false);
      expect(await store.runAccess(runId, d1.id)).toBe("ok");
      expect(await store.runAccess(runId, d2.id)).toBe("forbidden");
      expect(await store.runAccess("nope", d1.id)).toBe("not-found");

      await store.recordProgress(runId, { state: "running", percent: 40, at: clock.iso() });
      expect(await store.getRun(runId)).toMatchObject({ state: "running", percent: 40, startedAt: clock.iso(), pendingOrder: null });
      clock.advance(61_000);
      expect((await store.claimWork(d1.id, 60_000)).runs).toEqual([]);
      expect(await store.getTask(task.id)).toMatchObject({ counts: { pending: 1, running: 1 }, progress: 20 });

      expect((await store.pauseTask(task.id, ADMIN))?.length).toBe(1);
      expect((await store.claimWork(d1.id, 60_000)).runs.map((r) => r.order)).toEqual(["pause"]);
      // A paused task hands out no start order.
      expect((await store.claimWork(d2.id, 60_000)).runs).toEqual([]);
      await store.recordProgress(runId, { state: "paused", percent: 40, detail: "paused by the server", at: clock.iso() });
      await store.resumeTask(task.id, ADMIN);
      expect((await store.claimWork(d1.id, 60_000)).runs.map((r) => r.order)).toEqual(["resume"]);
      expect((await store.claimWork(d2.id, 60_000)).runs.map((r) => r.order)).toEqual(["start"]);
    });

    it("results are idempotent: a retried upload stores one copy, also when two arrive at once", async () => {
      const store = await fresh();
      const d = await enroll(store);
      const file = await iocFile(store);
      const task = await store.createTask({ name: "t", target: { kind: "devices", deviceIds: [d.id] }, iocFileIds: [file.id], settings: DEFAULT_TASK_SETTINGS, runMode: "immediately" }, ADMIN);
      const runId = (await store.listRuns(task.id))[0]?.id ?? "";
      const report = makeTestReport("scan-1", { detections: 3 });
      const result = { state: "finished" as const, startedAt: report.startedAt, finishedAt: report.finishedAt, report, digest: "d1" };
      const both = await Promise.all([store.recordResult(runId, result), store.recordResult(runId, result)]);
      expect(both.map((r) => r.stored).sort()).toEqual([false, true]);
      expect(both.map((r) => r.detections)).toEqual([6, 6]);
      expect(await store.recordResult(runId, result)).toEqual({ stored: false, detections: 6 });
      const found = await store.findDetections({ taskId: task.id });
      expect(found.total).toBe(6);
      expect(found.detections[0]).toMatchObject({ runId, deviceId: d.id, hostname: d.hostname, matchedItems: ["item-0-a", "item-0-b"] });
      expect(await store.getTask(task.id)).toMatchObject({ counts: { finished: 1 }, progress: 100 });
      expect(await store.getRun(runId)).toMatchObject({ state: "finished", percent: 100, detectionCount: 6, finishedAt: new Date(report.finishedAt).toISOString() });
      // A changed result (e.g. resent with fewer objects) replaces the stored one.
      const smaller = makeTestReport("scan-1", { detections: 1 });
      expect(await store.recordResult(runId, { ...result, report: smaller, digest: "d2" })).toEqual({ stored: true, detections: 2 });
      expect((await store.findDetections({ taskId: task.id })).total).toBe(2);
    });

    it("a device that joins a started group task's group gets a run once, also when it polls twice at the same time", async () => {
      const store = await fresh();
      const a = await store.createGroup({ name: "A", parentId: ROOT_GROUP_ID }, ADMIN);
      const b = await store.createGroup({ name: "B", parentId: a.id }, ADMIN);
      const first = await enroll(store, a.id);
      const file = await iocFile(store);
      const task = await store.createTask({ name: "t", target: { kind: "group", groupId: a.id }, iocFileIds: [file.id], settings: DEFAULT_TASK_SETTINGS, runMode: "immediately" }, ADMIN);
      expect(await store.joinGroupTasks(first.id)).toBe(0);
      const late = await enroll(store, b.id);
      const outside = await enroll(store, ROOT_GROUP_ID);
      expect(await store.joinGroupTasks(outside.id)).toBe(0);
      expect((await Promise.all([store.joinGroupTasks(late.id), store.joinGroupTasks(late.id)])).reduce((x, y) => x + y, 0)).toBe(1);
      expect((await store.getTask(task.id))?.counts.pending).toBe(2);
      await store.stopTask(task.id, ADMIN);
      const later = await enroll(store, a.id);
      expect(await store.joinGroupTasks(later.id)).toBe(0);
    });

    it("concurrent polls hand a run order to exactly one of them", async () => {
      const store = await fresh();
      const d = await enroll(store);
      const file = await iocFile(store);
      await store.createTask({ name: "t", target: { kind: "devices", deviceIds: [d.id] }, iocFileIds: [file.id], settings: DEFAULT_TASK_SETTINGS, runMode: "immediately" }, ADMIN);
      const polls = await Promise.all(Array.from({ length: 6 }, () => store.claimWork(d.id, 60_000)));
      expect(polls.flatMap((p) => p.runs)).toHaveLength(1);
    });

    it("stop ends undelivered runs at once and orders held ones to stop; re-run creates new runs for failed devices", async () => {
      const store = await fresh();
      const [d1, d2, d3] = [await enroll(store), await enroll(store), await enroll(store)];
      const file = await iocFile(store);
      const task = await store.createTask({ name: "t", target: { kind: "devices", deviceIds: [d1.id, d2.id, d3.id] }, iocFileIds: [file.id], settings: DEFAULT_TASK_SETTINGS, runMode: "immediately" }, ADMIN);
      const r1 = (await store.claimWork(d1.id, 60_000)).runs[0]?.runId ?? "";
      const r2 = (await store.claimWork(d2.id, 60_000)).runs[0]?.runId ?? "";
      await store.recordResult(r2, { state: "failed", reason: "disk gone", startedAt: clock.iso(), finishedAt: clock.iso(), digest: "x" });
      expect(await store.getTask(task.id)).toMatchObject({ counts: { pending: 2, failed: 1 } });
      await store.stopTask(task.id, ADMIN);
      expect(await store.getTask(task.id)).toMatchObject({ state: "stopped", counts: { pending: 1, stopped: 1, failed: 1 } });
      expect((await store.claimWork(d1.id, 60_000)).runs).toEqual([expect.objectContaining({ runId: r1, order: "stop" })]);
      expect((await store.claimWork(d3.id, 60_000)).runs).toEqual([]);
      await store.recordResult(r1, { state: "stopped", reason: "stopped by the server", startedAt: clock.iso(), finishedAt: clock.iso(), digest: "y" });

      expect(await store.rerunFailed(task.id, ADMIN)).toEqual([d2.id]);
      const runs = await store.listRuns(task.id);
      expect(runs.map((r) => [r.deviceId, r.state]).sort()).toEqual([[d1.id, "stopped"], [d2.id, "pending"], [d3.id, "stopped"]].sort());
      expect(runs.find((r) => r.deviceId === d2.id)?.id).not.toBe(r2);
      expect(await store.getRun(r2)).toMatchObject({ current: false, reason: "disk gone" });
    });

    it("window tasks wait scheduled until their window opens", async () => {
      const store = await fresh();
      const d = await enroll(store);
      const file = await iocFile(store);
      const task = await store.createTask({ name: "night", target: { kind: "devices", deviceIds: [d.id] }, iocFileIds: [file.id], settings: DEFAULT_TASK_SETTINGS, runMode: "window", window: "22:00-06:00" }, ADMIN);
      await store.startTask(task.id, ADMIN);
      expect(await store.getTask(task.id)).toMatchObject({ window: "22:00-06:00", counts: { scheduled: 1 } });
      expect((await store.claimWork(d.id, 60_000)).runs).toEqual([]);
      expect(await store.openDueWindows(() => false)).toEqual([]);
      expect(await store.openDueWindows((w) => w === "22:00-06:00")).toEqual([d.id]);
      expect((await store.claimWork(d.id, 60_000)).runs.map((r) => r.order)).toEqual(["start"]);
    });

    it("retention deletes finished runs and their detections oldest first; stand-alone tasks expire", async () => {
      const store = await fresh();
      const d = await enroll(store);
      const file = await iocFile(store);
      const generated = await store.addIocFile({ name: "gen.ioc", content: new Uint8Array([1]), sha256: "b".repeat(64), validation: VALID, generated: true }, "system");
      const normal = await store.createTask({ name: "t", target: { kind: "devices", deviceIds: [d.id] }, iocFileIds: [file.id], settings: DEFAULT_TASK_SETTINGS, runMode: "immediately" }, ADMIN);
      const standalone = await store.createTask({ name: "s", target: { kind: "devices", deviceIds: [d.id] }, iocFileIds: [generated.id], settings: DEFAULT_TASK_SETTINGS, runMode: "manual", standalone: true }, "system");
      expect(standalone).toMatchObject({ standalone: true, deleteAfter: new Date(clock.time + 30 * DAY).toISOString() });
      const runId = (await store.listRuns(normal.id))[0]?.id ?? "";
      const report = makeTestReport("s1", { detections: 1 });
      await store.recordResult(runId, { state: "finished", startedAt: clock.iso(), finishedAt: clock.iso(), report, digest: "z" });
      expect(await store.purgeRunsFinishedBefore(clock.iso())).toBe(0);
      clock.advance(31 * DAY);
      expect(await store.purgeExpiredTasks(clock.iso())).toBe(1);
      expect(await store.getTask(standalone.id)).toBeUndefined();
      expect(await store.getIocFile(generated.id)).toBeUndefined();
      expect(await store.getIocFile(file.id)).toBeDefined();
      expect(await store.purgeRunsFinishedBefore(new Date(clock.time - 30 * DAY).toISOString())).toBe(1);
      expect((await store.findDetections()).total).toBe(0);
      expect(await store.listRuns(normal.id)).toEqual([]);
    });

    it("fleetCounts counts enrolled devices, those seen since a time, and current runs by state", async () => {
      const store = await fresh();
      expect(await store.fleetCounts(clock.iso())).toEqual({ devices: 0, devicesOnline: 0, runsByState: {} });
      const early = await enroll(store);
      clock.advance(10 * 60_000);
      const since = clock.iso();
      const late = await enroll(store);
      const file = await iocFile(store);
      await store.createTask({ name: "t", target: { kind: "devices", deviceIds: [early.id, late.id] }, iocFileIds: [file.id], settings: DEFAULT_TASK_SETTINGS, runMode: "immediately" }, ADMIN);
      const runId = (await store.claimWork(late.id, 60_000)).runs[0]?.runId ?? "";
      await store.recordResult(runId, { state: "finished", startedAt: clock.iso(), finishedAt: clock.iso(), report: makeTestReport("counts", { detections: 0 }), digest: "c" });
      expect(await store.fleetCounts(since)).toEqual({ devices: 2, devicesOnline: 1, runsByState: { pending: 1, finished: 1 } });
    });

    it("a periodic job runs once per period, and once when started twice at the same time", async () => {
      const store = await fresh();
      let runs = 0;
      const job = () =>
        store.runJob("retention", 60_000, async () => {
          runs++;
          await new Promise((resolve) => setTimeout(resolve, 50));
          return runs;
        });
      const both = await Promise.all([job(), job()]);
      expect(both.filter((r) => r !== undefined)).toEqual([1]);
      expect(await job()).toBeUndefined();
      clock.advance(60_000);
      expect(await job()).toBe(2);
    });

    it("quarantine inventories replace the device's entries; commands are handed once and their results recorded", async () => {
      const store = await fresh();
      const d = await enroll(store);
      const entry = { quarantineId: "q1", originalPath: "/tmp/evil", sha256: "c".repeat(64), size: 10, quarantinedAt: clock.iso(), scanId: "s", iocId: "i", state: "quarantined" as const };
      await store.replaceQuarantine(d.id, [entry, { ...entry, quarantineId: "q2", scanId: null, iocId: null }]);
      await store.replaceQuarantine(d.id, [entry]);
      expect(await store.listQuarantine(d.id)).toEqual([{ ...entry, deviceId: d.id, reportedAt: clock.iso() }]);
      const command = await store.createCommand({ deviceId: d.id, kind: "quarantine-restore", quarantineId: "q1" }, ADMIN);
      expect((await store.claimWork(d.id, 60_000)).commands).toEqual([expect.objectContaining({ id: command.id, kind: "quarantine-restore", quarantineId: "q1" })]);
      expect((await store.claimWork(d.id, 60_000)).commands).toEqual([]);
      expect(await store.commandAccess(command.id, "other")).toBe("forbidden");
      await store.recordCommandResult(command.id, { status: "done", detail: "restored" });
      expect(await store.listCommands(d.id)).toEqual([expect.objectContaining({ status: "done", detail: "restored", finishedAt: clock.iso() })]);
    });

    it("detections filter by task, device and IOC, sort and page", async () => {
      const store = await fresh();
      const [d1, d2] = [await enroll(store, ROOT_GROUP_ID, "a-host"), await enroll(store, ROOT_GROUP_ID, "b-host")];
      const file = await iocFile(store);
      const task = await store.createTask({ name: "t", target: { kind: "devices", deviceIds: [d1.id, d2.id] }, iocFileIds: [file.id], settings: DEFAULT_TASK_SETTINGS, runMode: "immediately" }, ADMIN);
      for (const run of await store.listRuns(task.id)) {
        const report = makeTestReport(run.id, { detections: run.deviceId === d1.id ? 2 : 1 });
        await store.recordResult(run.id, { state: "finished", startedAt: report.startedAt, finishedAt: report.finishedAt, report, digest: run.id });
      }
      expect((await store.findDetections({ deviceId: d1.id })).total).toBe(4);
      expect((await store.findDetections({ iocId: "ioc-1" })).total).toBe(2);
      const byHost = await store.findDetections({ sort: "hostname", order: "desc", limit: 2 });
      expect(byHost.total).toBe(6);
      expect(byHost.detections.map((x) => x.hostname)).toEqual(["b-host", "b-host"]);
      const byIoc = await store.findDetections({ sort: "iocId", limit: 10 });
      expect(byIoc.detections.map((x) => x.iocId)).toEqual(["ioc-0", "ioc-0", "ioc-0", "ioc-0", "ioc-1", "ioc-1"]);
    });

    it("the dashboard's counts: online devices and detections per UTC day, in the database", async () => {
      const store = await fresh();
      expect(await store.fleetCounts(clock.iso())).toMatchObject({ devices: 0, devicesOnline: 0 });
      expect(await store.detectionsPerDay(clock.iso())).toEqual([]);
      const quiet = await enroll(store, ROOT_GROUP_ID, "quiet");
      clock.advance(10 * 60_000);
      const [d1, d2] = [await enroll(store, ROOT_GROUP_ID, "s1"), await enroll(store, ROOT_GROUP_ID, "s2")];
      const onlineSince = new Date(clock.time - 5 * 60_000).toISOString();
      const file = await iocFile(store);
      const task = await store.createTask({ name: "t", target: { kind: "devices", deviceIds: [d1.id, d2.id, quiet.id] }, iocFileIds: [file.id], settings: DEFAULT_TASK_SETTINGS, runMode: "immediately" }, ADMIN);
      // Detected objects (two per detection in the test report) are dated by the run's finish: two
      // days, the first just before midnight UTC; the quiet device's are older than the window.
      const finishes: Record<string, string> = { [d1.id]: "2026-11-26T23:59:59.999Z", [d2.id]: "2026-11-27T00:00:00.000Z", [quiet.id]: "2026-11-20T10:00:00.000Z" };
      for (const run of await store.listRuns(task.id)) {
        const report = makeTestReport(run.id, { detections: run.deviceId === d1.id ? 3 : 2 });
        await store.recordResult(run.id, { state: "finished", startedAt: report.startedAt, finishedAt: finishes[run.deviceId] ?? "", report, digest: run.id });
      }
      expect(await store.fleetCounts(onlineSince)).toMatchObject({ devices: 3, devicesOnline: 2 });
      expect(await store.detectionsPerDay("2026-11-21T00:00:00.000Z")).toEqual([{ day: "2026-11-26", count: 6 }, { day: "2026-11-27", count: 4 }]);
      clock.advance(6 * 60_000);
      await store.touchDevice(quiet.id);
      expect((await store.fleetCounts(new Date(clock.time - 5 * 60_000).toISOString())).devicesOnline).toBe(1);
    });

    it("every change is in the audit log, newest first; settings default to 30 days and can change", async () => {
      const store = await fresh();
      await store.createUser({ name: "carol", role: "viewer", passwordHash: "h" }, ADMIN);
      clock.advance(1000);
      await store.createGroup({ name: "G", parentId: ROOT_GROUP_ID }, ADMIN);
      expect(await store.getSettings()).toEqual({ resultRetentionDays: 30, standaloneTaskDays: 30 });
      clock.advance(1000);
      expect(await store.updateSettings({ resultRetentionDays: 7 }, ADMIN)).toEqual({ resultRetentionDays: 7, standaloneTaskDays: 30 });
      const { entries, total } = await store.listAudit({ limit: 2 });
      expect(total).toBe(3);
      expect(entries.map((e) => e.action)).toEqual(["settings.update", "group.create"]);
      expect(entries[0]).toMatchObject({ actor: ADMIN, details: { resultRetentionDays: 7 } });
    });

    it("sandbox tokens are stored hashed, counted when used, and refused once revoked; the policy defaults and changes", async () => {
      const store = await fresh();
      const token = await store.createSandboxToken({ name: "CAPE lab", tokenHash: "hash-1" }, ADMIN);
      expect(token).toMatchObject({ name: "CAPE lab", revoked: false, uses: 0, lastUsedAt: null, createdBy: ADMIN });
      expect(JSON.stringify(await store.listSandboxTokens())).not.toContain("hash-1");
      clock.advance(1000);
      expect(await store.useSandboxToken("hash-1")).toMatchObject({ id: token.id, uses: 1, lastUsedAt: clock.iso() });
      expect(await store.useSandboxToken("unknown")).toBeUndefined();
      expect(await store.revokeSandboxToken(token.id, ADMIN)).toBe(true);
      expect(await store.revokeSandboxToken("nope", ADMIN)).toBe(false);
      expect(await store.useSandboxToken("hash-1")).toBeUndefined();
      expect((await store.listSandboxTokens())[0]).toMatchObject({ revoked: true, uses: 1 });

      expect(await store.getSandboxPolicy()).toEqual(DEFAULT_SANDBOX_POLICY);
      const group = await store.createGroup({ name: "Lab", parentId: ROOT_GROUP_ID }, ADMIN);
      const policy = { ...DEFAULT_SANDBOX_POLICY, target: { kind: "group" as const, groupId: group.id }, runMode: "window" as const, window: "22:00-02:00", dedupHours: 6 };
      await store.setSandboxPolicy(policy, ADMIN);
      expect(await store.getSandboxPolicy()).toEqual(policy);
      // The policy shares the settings table without disturbing the retention settings.
      expect(await store.getSettings()).toEqual({ resultRetentionDays: 30, standaloneTaskDays: 30 });
      expect((await store.listAudit({ limit: 10 })).entries.map((e) => e.action)).toEqual(
        expect.arrayContaining(["sandbox-token.create", "sandbox-token.revoke", "sandbox-policy.update"]),
      );
    });

    it("a stand-alone task per key is created once, reused within the window, also when requested at once, and made again after it", async () => {
      const store = await fresh();
      const group = await store.createGroup({ name: "Lab", parentId: ROOT_GROUP_ID }, ADMIN);
      const device = await enroll(store, group.id);
      const origin = { kind: "sandbox" as const, sample: { name: "evil.exe", sha256: "e".repeat(64) }, verdict: "malicious", format: "generic", detectedOn: { hostname: device.hostname } };
      const once = (key: string) => ({
        key,
        since: new Date(clock.time - DAY).toISOString(),
        iocFile: { name: "sandbox.ioc", content: new TextEncoder().encode("<ioc/>"), sha256: "b".repeat(64), validation: VALID },
        task: { name: "Sandbox: evil.exe", target: { kind: "group" as const, groupId: group.id }, settings: DEFAULT_TASK_SETTINGS, runMode: "immediately" as const, origin },
      });
      // Open the pool's connections first, so the calls below really overlap on PostgreSQL.
      await Promise.all(Array.from({ length: 6 }, () => store.ping()));
      const all = await Promise.all(Array.from({ length: 6 }, () => store.createStandaloneTaskOnce(once("lab|sha256:e"), "sandbox:t")));
      expect(all.filter((r) => !r.reused)).toHaveLength(1);
      const first = all.find((r) => !r.reused)?.task;
      expect(new Set(all.map((r) => r.task.id)).size).toBe(1);
      expect(first).toMatchObject({ standalone: true, origin, state: "started", counts: { pending: 1 }, deleteAfter: new Date(clock.time + 30 * DAY).toISOString() });
      expect(await store.getTask(first?.id ?? "")).toMatchObject({ origin });
      expect(await store.getIocFile(first?.iocFileIds[0] ?? "")).toMatchObject({ generated: true, name: "sandbox.ioc" });
      expect(await store.listTasks({ standalone: true })).toHaveLength(1);

      // Another key (another group or sample) gets its own task.
      expect((await store.createStandaloneTaskOnce(once("lab|sha256:f"), "sandbox:t")).reused).toBe(false);
      // After the window, the same key makes a new task; the old one stays until it expires.
      clock.advance(DAY + 1);
      const later = await store.createStandaloneTaskOnce(once("lab|sha256:e"), "sandbox:t");
      expect(later.reused).toBe(false);
      expect(later.task.id).not.toBe(first?.id);
      expect((await store.createStandaloneTaskOnce(once("lab|sha256:e"), "sandbox:t")).task.id).toBe(later.task.id);
      // A deleted task is not reused.
      await store.deleteTask(later.task.id, ADMIN);
      const again = await store.createStandaloneTaskOnce(once("lab|sha256:e"), "sandbox:t");
      expect(again.reused).toBe(false);
      expect(again.task.id).not.toBe(later.task.id);
    });

    it("sandbox detections are recorded whatever came of them and listed newest first, by task", async () => {
      const store = await fresh();
      const base = {
        tokenId: "tok",
        format: "generic",
        verdict: "malicious",
        score: 9.5,
        sample: { name: "evil.exe", md5: null, sha1: null, sha256: "e".repeat(64) },
        reportId: "r-1",
        deviceId: null,
        hostname: "ws-1",
        taskId: "task-1",
        reused: false,
        generated: true,
        reason: null,
        items: 4,
        dropped: 2,
      };
      const first = await store.recordSandboxDetection(base);
      expect(first).toMatchObject({ ...base, receivedAt: clock.iso() });
      clock.advance(1000);
      await store.recordSandboxDetection({ ...base, reused: true });
      clock.advance(1000);
      await store.recordSandboxDetection({ ...base, format: null, verdict: null, score: null, taskId: null, generated: false, reason: "not a sandbox report", items: null, dropped: 0 });
      const all = await store.listSandboxDetections();
      expect(all.total).toBe(3);
      expect(all.detections.map((d) => [d.taskId, d.reused, d.reason])).toEqual([
        [null, false, "not a sandbox report"],
        ["task-1", true, null],
        ["task-1", false, null],
      ]);
      expect((await store.listSandboxDetections({ taskId: "task-1", limit: 1 })).detections).toEqual([expect.objectContaining({ reused: true, score: 9.5 })]);
      expect(await store.purgeSandboxDetectionsBefore(new Date(clock.time - 500).toISOString())).toBe(2);
      expect((await store.listSandboxDetections()).detections.map((d) => d.reason)).toEqual(["not a sandbox report"]);
    });

    it("ping answers true on a live database", async () => {
      const store = await fresh();
      expect(await store.ping()).toBe(true);
    });
  });
}
