/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- the tests read JSON answers as they come */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_TASK_SETTINGS } from "../core/api/index.js";
import { ROOT_GROUP_ID } from "../store/fleet/index.js";
import { makeTestReport } from "../store/test-report.js";
import { lastDays } from "./routes/dashboard.js";
import { startTestServer, type TestServer } from "./test-support.js";

let t: TestServer | undefined;
const folders: string[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

/** A built console as Vite leaves it: index.html and a hashed asset. */
function builtConsole(): string {
  const dir = mkdtempSync(join(tmpdir(), "iocscan-web-"));
  folders.push(dir);
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), '<!doctype html><script type="module" src="/assets/app-3f2a.js"></script>');
  writeFileSync(join(dir, "assets", "app-3f2a.js"), "console.log(1)");
  return dir;
}

describe("serving the web console", () => {
  it("serves index.html for console routes, hashed assets cached for a year, and leaves /api alone", async () => {
    t = await startTestServer({ consoleDir: builtConsole() });
    for (const path of ["/", "/tasks/42/results"]) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
      expect(await res.text()).toContain("/assets/app-3f2a.js");
    }
    const asset = await fetch(`${t.url}/assets/app-3f2a.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await asset.text()).toBe("console.log(1)");
    // A missing hashed asset is a 404, not index.html; unknown API paths keep their JSON 404.
    expect((await fetch(`${t.url}/assets/gone-1.js`)).status).toBe(404);
    const api = await fetch(`${t.url}/api/v1/no-such-thing`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("not-found");
    expect((await fetch(`${t.url}/api/v1/auth/me`)).status).toBe(401);
    expect((await fetch(`${t.url}/..%2f..%2fetc%2fpasswd`)).headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("without a built console, / says how to build it and the API still answers", async () => {
    const logged: string[] = [];
    t = await startTestServer({ consoleDir: join(tmpdir(), "iocscan-no-such-console"), log: (m) => logged.push(m) });
    const res = await fetch(`${t.url}/devices`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("npm run build");
    expect(logged.join("\n")).toMatch(/web console is not built.*npm run build/);
    expect((await fetch(`${t.url}/api/v1/openapi.json`)).status).toBe(200);
  });
});

describe("GET /dashboard", () => {
  it("counts devices online and offline, detected objects per day with empty days, active tasks and recent detections", async () => {
    t = await startTestServer();
    const { store, clock } = t;
    const viewer = await t.loginAs("viewer");
    const enroll = async (hostname: string) => {
      const tokenHash = `token-${hostname}`;
      await store.createEnrollmentToken({ tokenHash, groupId: ROOT_GROUP_ID, expiresAt: "2027-01-01T00:00:00.000Z" }, "test");
      const device = await store.enrollDevice({ tokenHash, deviceId: `dev-${hostname}`, credentialHash: "c", hostname, os: "linux", agentVersion: "0.1.0" });
      if (device === undefined) throw new Error("enrollment failed");
      return device;
    };
    const gone = await enroll("gone");
    clock.advance(6 * 60_000);
    const [a, b] = [await enroll("a"), await enroll("b")];
    const file = await store.addIocFile({ name: "x.ioc", content: new Uint8Array([1]), sha256: "a".repeat(64), validation: { usable: true, iocId: "x", title: "X", openiocVersion: "1.1", items: 1, supportedItems: 1, diagnostics: [] } }, "test");
    const done = await store.createTask({ name: "done", target: { kind: "devices", deviceIds: [a.id] }, iocFileIds: [file.id], settings: DEFAULT_TASK_SETTINGS, runMode: "immediately" }, "test");
    const active = await store.createTask({ name: "active", target: { kind: "devices", deviceIds: [b.id, gone.id] }, iocFileIds: [file.id], settings: DEFAULT_TASK_SETTINGS, runMode: "immediately" }, "test");
    const yesterday = new Date(clock.time - 86_400_000).toISOString();
    for (const run of [...(await store.listRuns(done.id)), ...(await store.listRuns(active.id)).filter((r) => r.deviceId === b.id)]) {
      const report = makeTestReport(run.id, { detections: 1 });
      await store.recordResult(run.id, { state: "finished", startedAt: report.startedAt, finishedAt: run.deviceId === a.id ? yesterday : clock.now().toISOString(), report, digest: run.id });
    }

    const res = await viewer.get("/api/v1/dashboard");
    expect(res.status).toBe(200);
    expect(res.json.devices).toEqual({ total: 3, online: 2, offline: 1, onlineWithinMinutes: 2 });
    const days = lastDays(clock.now(), 14);
    expect(res.json.detectionsPerDay).toHaveLength(14);
    expect(res.json.detectionsPerDay.map((d: { day: string }) => d.day)).toEqual(days);
    const nonZero = res.json.detectionsPerDay.filter((d: { count: number }) => d.count > 0);
    expect(nonZero).toEqual([
      { day: days[12], count: 2 },
      { day: days[13], count: 2 },
    ]);
    expect(res.json.activeTasks.map((x: { name: string }) => x.name)).toEqual(["active"]);
    expect(res.json.recentDetections).toHaveLength(4);
    expect(res.json.recentDetections[0].hostname).toBe("b");
    expect((await fetch(`${t.url}/api/v1/dashboard`)).status).toBe(401);
  });

  it("lastDays spans months and years in UTC", () => {
    expect(lastDays(new Date("2027-01-01T00:30:00.000Z"), 3)).toEqual(["2026-12-30", "2026-12-31", "2027-01-01"]);
  });
});

describe("GET /auth/session", () => {
  it("answers null without a session and the session with one, never 401", async () => {
    t = await startTestServer();
    const anonymous = await fetch(`${t.url}/api/v1/auth/session`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ session: null });
    const viewer = await t.loginAs("viewer", "vera");
    const mine = await viewer.get("/api/v1/auth/session");
    expect(mine.status).toBe(200);
    expect(mine.json.session).toMatchObject({ user: { name: "vera", role: "viewer" }, csrfToken: viewer.csrf });
    await viewer.post("/api/v1/auth/logout");
    expect((await viewer.get("/api/v1/auth/session")).json).toEqual({ session: null });
  });
});
