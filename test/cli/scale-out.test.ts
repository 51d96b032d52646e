/**
 * Scale-out end to end (issue 11): two real `iocscan server` processes on two loopback ports
 * share one fresh PostgreSQL database; four real `iocscan agent` processes, two listing server A
 * first and two server B first, scan temp trees with planted files for one group task. Server A
 * is killed with SIGKILL while the runs are in progress; the agents carry on through B. Every
 * device's detections arrive exactly once (counted per device through the console API, on B,
 * with the session made on A), and the retention job ran once across both instances (their
 * /metrics, A's read just before the kill, and the job table). Skipped without PostgreSQL unless
 * IOCSCAN_REQUIRE_POSTGRES=1. Everything else lives in temp folders made here.
 */
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any -- the test reads the API's JSON answers freely */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { agentPaths, readAgentStatus } from "../../src/agent/index.js";
import { connectTestPostgres, DROP_TIMEOUT_MS } from "../../src/store/postgres/test-postgres.js";
import { startIocscan } from "./run-cli.js";

const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
const PASSWORD = "scale-out test password";
const METRICS_TOKEN = "scale-out-metrics-token-0123456789";
const EVIL = "scale-out planted implant\n";
const DEVICES = 4;
const ORDINARY_FILES = 1000;

const postgres = await connectTestPostgres();
const work = mkdtempSync(join(tmpdir(), "iocscan-scale-out-"));
const children: ChildProcess[] = [];
/** Ends a child with SIGTERM (SIGKILL after 20 s); resolves to its exit code, or its signal. */
async function stop(child: ChildProcess): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const [code, signal] = (await exited) as [number | null, string | null];
  clearTimeout(timer);
  return code ?? signal;
}

afterAll(async () => {
  // Agents first (the last started), then the servers.
  for (const child of [...children].reverse()) await stop(child);
  rmSync(work, { recursive: true, force: true });
  await postgres?.dropAll();
}, DROP_TIMEOUT_MS);

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 180_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function startServer(db: string, name: string): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const child = spawn(process.execPath, ["--import", tsxLoader, main, "server", "--listen", "127.0.0.1:0", "--db", db, "--data", join(work, name), "--init-admin", "admin"], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, IOCSCAN_METRICS_TOKEN: METRICS_TOKEN },
  });
  children.push(child);
  child.stdin?.end(`${PASSWORD}\n`);
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (err += c));
  const url = await until(async () => {
    if (child.exitCode !== null) throw new Error(`server ${name} exited with ${child.exitCode}: ${err}`);
    return Promise.resolve(/listening on (http:\/\/\S+)/.exec(out)?.[1]);
  }, `server ${name} to listen`, 90_000);
  return { child, url, log: () => err };
}

/** One sample of a Prometheus exposition (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

async function metrics(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  return res.text();
}

/** Retention attempts (ran or skipped) an instance's metrics show. */
const retention = (text: string): { ran: number; skipped: number } => ({
  ran: sample(text, "iocscan_job_runs_total", { job: "retention", outcome: "ran" }),
  skipped: sample(text, "iocscan_job_runs_total", { job: "retention", outcome: "skipped" }),
});

/** A device's folder: a tree of ordinary files and `planted` copies of the implant. */
function device(index: number): { dir: string; planted: string[] } {
  const dir = join(work, `device-${index}`);
  const tree = join(dir, "tree");
  mkdirSync(join(tree, "deep"), { recursive: true });
  for (let i = 0; i < ORDINARY_FILES; i++) writeFileSync(join(tree, `ordinary-${i}.txt`), `device ${index} file ${i}\n`.repeat(50));
  const planted = Array.from({ length: index + 1 }, (_, k) => join(tree, "deep", `implant-${k}.bin`));
  for (const file of planted) writeFileSync(file, EVIL);
  return { dir, planted };
}

describe.skipIf(postgres === undefined)("two server instances on one PostgreSQL", () => {
  it("agents carry on through B when A is killed mid-run: each device's results arrive once, retention ran once", async () => {
    const db = (await postgres?.newDatabase()) ?? "";
    // One after the other: the first creates the administrator, the second finds it.
    const a = await startServer(db, "a");
    const b = await startServer(db, "b");
    expect(a.url).not.toBe(b.url);

    let cookie = "";
    let csrf = "";
    const api = async (base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
      const headers: Record<string, string> = { Origin: base };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      if (cookie) headers["Cookie"] = cookie;
      if (csrf) headers["X-CSRF-Token"] = csrf;
      const res = await fetch(`${base}/api/v1${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const set = res.headers.getSetCookie().find((c) => c.startsWith("iocscan_session="));
      if (set) cookie = set.split(";")[0] ?? "";
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    };
    const login = await api(a.url, "POST", "/auth/login", { name: "admin", password: PASSWORD });
    expect(login.status).toBe(200);
    csrf = login.json.csrfToken;
    const group = await api(a.url, "POST", "/groups", { name: "Scale-out", parentId: "root" });
    const token = await api(a.url, "POST", "/enrollment-tokens", { groupId: group.json.id });
    expect(token.status).toBe(201);

    const devices = Array.from({ length: DEVICES }, (_, i) => device(i));
    const agentLogs: string[] = [];
    devices.forEach((d, i) => {
      // Half list A first, half B first: both instances serve agents until A dies.
      const servers = i % 2 === 0 ? `${a.url},${b.url}` : `${b.url},${a.url}`;
      const agent = startIocscan(["agent", "--server", servers, "--enroll", token.json.token, "--state-dir", join(d.dir, "state"), "--quarantine", join(d.dir, "quarantine"), "--heartbeat", "2", "--poll-wait", "5"], { cwd: d.dir });
      agentLogs[i] = "";
      agent.stderr?.setEncoding("utf8").on("data", (c: string) => (agentLogs[i] += c));
      children.push(agent);
    });
    const enrolled = await until(async () => {
      const list = await api(b.url, "GET", `/devices?groupId=${group.json.id}`);
      return list.json?.items?.length === DEVICES ? (list.json.items as { id: string; hostname: string }[]) : undefined;
    }, "the devices to enroll");
    expect(enrolled).toHaveLength(DEVICES);

    const md5 = createHash("md5").update(EVIL).digest("hex");
    const ioc = `<?xml version="1.0" encoding="utf-8"?><OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="scale-out"><metadata><short_description>SCALE OUT</short_description></metadata><criteria><Indicator id="i" operator="OR"><IndicatorItem id="m" condition="is"><Context document="FileItem" search="FileItem/Md5sum" type="mir"/><Content type="md5">${md5}</Content></IndicatorItem></Indicator></criteria></OpenIOC>`;
    const upload = await api(a.url, "POST", "/ioc-files", { files: [{ name: "scale-out.ioc", content: ioc }] });
    expect(upload.status).toBe(201);

    // A has run its job timer at least once before it dies (the timer ticks every 30 s).
    const beforeKill = await until(async () => {
      const text = await metrics(a.url);
      const r = retention(text);
      return r.ran + r.skipped > 0 ? r : undefined;
    }, "server A's first job round", 90_000);

    const task = await api(a.url, "POST", "/tasks", {
      name: "Scale-out e2e",
      target: { kind: "group", groupId: group.json.id },
      iocFileIds: [upload.json.items[0].id],
      // A low CPU share stretches each scan over seconds, so that the kill lands inside the runs.
      settings: { action: "report", criticalAreas: false, idleOnly: false, scopes: ["tree"], excludes: [], switches: { FileItem: "on", ProcessItem: "off", PortItem: "off" }, maxCpu: 5 },
      runMode: "immediately",
    });
    expect(task.status, JSON.stringify(task.json)).toBe(201);

    const runsNow = async (): Promise<{ state: string; deviceId: string }[]> => (await api(b.url, "GET", `/tasks/${task.json.id}/runs`)).json.items as { state: string; deviceId: string }[];
    await until(async () => ((await runsNow()).some((r) => r.state === "running") ? true : undefined), "a run to start");
    const atKill = retention(await metrics(a.url));
    a.child.kill("SIGKILL");
    await once(a.child, "exit");
    const unfinished = (await runsNow()).filter((r) => !r.state.startsWith("finished") && r.state !== "failed");
    expect(unfinished.length, "runs in progress when A was killed").toBeGreaterThan(0);

    // Scans run at a 5 % CPU share (above); on a busy CI machine, with other tests, they take minutes.
    const runs = await until(async () => {
      const items = await runsNow();
      return items.length === DEVICES && items.every((r) => r.state.startsWith("finished") || r.state === "failed") ? items : undefined;
    }, "every run to finish through B", 420_000);
    expect(runs.map((r) => r.state)).toEqual(Array<string>(DEVICES).fill("finished"));

    // Per device (its id from its agent's log): exactly its planted files, each once.
    for (const [i, d] of devices.entries()) {
      const deviceId = /agent running: device (\S+),/.exec(agentLogs[i] ?? "")?.[1] ?? "";
      expect(runs.filter((r) => r.deviceId === deviceId), `device ${i}'s run`).toHaveLength(1);
      const found = await api(b.url, "GET", `/detections?taskId=${task.json.id}&deviceId=${deviceId}&limit=1000`);
      expect(found.json.total).toBe(d.planted.length);
      expect((found.json.items as { objectId: string }[]).map((x) => x.objectId).sort()).toEqual([...d.planted].sort());
    }
    const all = await api(b.url, "GET", `/detections?taskId=${task.json.id}&limit=1000`);
    expect(all.json.total).toBe(devices.reduce((n, d) => n + d.planted.length, 0));
    // The agents that listed A first now talk to B.
    for (const [i, d] of devices.entries()) {
      if (i % 2 !== 0) continue;
      const status = await until(async () => {
        const s = await readAgentStatus(agentPaths(join(d.dir, "state")).status);
        return s?.server === b.url ? s : undefined;
      }, `agent ${i} to report server B`, 30_000);
      expect(status.server).toBe(b.url);
    }

    // Retention: B's timer has ticked since; across both instances the job ran exactly once.
    const onB = await until(async () => {
      const r = retention(await metrics(b.url));
      return r.ran + r.skipped >= 2 ? r : undefined;
    }, "server B's job rounds", 90_000);
    expect(atKill.ran + onB.ran).toBe(1);
    expect(beforeKill.ran).toBeLessThanOrEqual(atKill.ran);
    expect(atKill.skipped + onB.skipped).toBeGreaterThan(0);
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      const jobs = await client.query<{ name: string }>("select name from job_runs where name = 'retention'");
      expect(jobs.rowCount).toBe(1);
    } finally {
      await client.end();
    }
    // B's pool shows in its metrics; A's death cost B no errors.
    const textB = await metrics(b.url);
    expect(sample(textB, "iocscan_db_pool_connections", { state: "idle" }) + sample(textB, "iocscan_db_pool_connections", { state: "in_use" })).toBeGreaterThan(0);
    expect(sample(textB, "iocscan_devices", { state: "online" })).toBe(DEVICES);
    expect(b.log()).not.toContain("failed");
    // B stops gracefully while the agents keep polling it (they reconnect and find no one).
    const stopping = Date.now();
    expect(await stop(b.child)).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(15_000);
  }, 600_000);
});
