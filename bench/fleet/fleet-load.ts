/**
 * `npm run bench:fleet`: 1,000 simulated agents on loopback against a real `iocscan server`
 * process, for 60 s, once on SQLite and once on PostgreSQL (issue 7, "Must show"). Each simulated
 * agent speaks the agent protocol of src/core/api: it enrolls, long-polls for work, posts progress
 * and its result, and posts every result twice (a retried upload) to prove idempotency. The
 * harness starts a new group task every few seconds so that work keeps coming. At the end every
 * acknowledged result must be stored exactly once: runs finished and detections counted through
 * the console API must equal what the agents delivered.
 *
 * With `--instances N` (N > 1; issue 11) it runs only on PostgreSQL: N server processes on one
 * database, the simulated agents spread over them round robin; it also reports the polls answered
 * per second and the peak of the database's connections (pg_stat_activity, sampled every 250 ms).
 *
 * Usage: npm run bench:fleet [-- --agents N] [--seconds S] [--only sqlite|postgres] [--instances N] [--poll-wait S]
 * The npm script raises the open-file limit first (bench/fleet/run.sh): every simulated agent
 * holds a kept-alive socket, and so does the server for each.
 * PostgreSQL: IOCSCAN_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres); a
 * database iocscan_bench_<random> is created and dropped. Everything else lives in a temp folder.
 */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- the simulator reads the API's JSON answers freely */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";

const { values: flags } = parseArgs({
  options: {
    agents: { type: "string", default: "1000" },
    seconds: { type: "string", default: "60" },
    only: { type: "string" },
    instances: { type: "string", default: "1" },
    "poll-wait": { type: "string", default: "10" },
  },
});
const AGENTS = Number(flags.agents);
const SECONDS = Number(flags.seconds);
const INSTANCES = Number(flags.instances);
const POLL_WAIT = Number(flags["poll-wait"]);
if (![AGENTS, SECONDS, INSTANCES, POLL_WAIT].every((n) => Number.isInteger(n) && n > 0)) throw new Error("--agents, --seconds, --instances and --poll-wait take positive whole numbers");
const PASSWORD = "fleet load benchmark password";
const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
// Every simulated agent holds a long poll: fetch's default pool opens a kept-alive connection each.

const IOC_ID = "fleet-load";
const IOC = `<?xml version="1.0" encoding="utf-8"?><OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="${IOC_ID}"><metadata><short_description>FLEET LOAD</short_description></metadata><criteria><Indicator id="i" operator="OR"><IndicatorItem id="m" condition="is"><Context document="FileItem" search="FileItem/Md5sum" type="mir"/><Content type="md5">0123456789abcdef0123456789abcdef</Content></IndicatorItem></Indicator></criteria></OpenIOC>`;

class Latencies {
  private readonly byKind = new Map<string, number[]>();
  errors = 0;
  /** Long polls answered (200), with or without work. */
  polls = 0;
  /** What the errors were: `kind: status` or `kind: the fetch error`. */
  readonly errorKinds = new Map<string, number>();
  error(kind: string, what: string): void {
    this.errors++;
    const key = `${kind}: ${what}`;
    this.errorKinds.set(key, (this.errorKinds.get(key) ?? 0) + 1);
  }
  add(kind: string, ms: number): void {
    let list = this.byKind.get(kind);
    if (!list) this.byKind.set(kind, (list = []));
    list.push(ms);
  }
  rows(seconds: number): string[] {
    return [...this.byKind].map(([kind, list]) => {
      const sorted = [...list].sort((a, b) => a - b);
      const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
      return `| ${kind} | ${list.length.toLocaleString("en-US")} | ${(list.length / seconds).toFixed(1)} | ${at(0.5).toFixed(1)} ms | ${at(0.99).toFixed(1)} ms |`;
    });
  }
}

async function call(lat: Latencies, kind: string, url: string, init: RequestInit): Promise<{ status: number; json: any }> {
  const start = performance.now();
  try {
    const res = await fetch(url, init);
    const text = await res.text();
    if (kind !== "work (long poll)") lat.add(kind, performance.now() - start);
    else if (res.status === 200) lat.polls++;
    if (res.status >= 500) lat.error(kind, String(res.status));
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    lat.error(kind, cause);
    return { status: 0, json: undefined };
  }
}

async function startServer(dataDir: string, db: string | undefined): Promise<{ child: ChildProcess; url: string }> {
  const args = ["--import", tsxLoader, main, "server", "--listen", "127.0.0.1:0", "--data", dataDir, "--init-admin", "admin", ...(db ? ["--db", db] : [])];
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  child.stdin?.end(`${PASSWORD}\n`);
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => (out += c));
  for (let i = 0; i < 1200; i++) {
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    if (url) return { child, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not start: ${out}`);
}

interface Delivered {
  results: Map<string, number>;
  detections: Map<string, number>;
}

/** Peak connections to `database` (pg_stat_activity, the sampler's own left out) while running. */
function sampleConnections(base: string, database: string): { stop: () => Promise<{ peak: number; peakActive: number; samples: number }> } {
  const client = new pg.Client({ connectionString: base });
  let peak = 0;
  let peakActive = 0;
  let samples = 0;
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ total: string; active: string }>(
        "select count(*) as total, count(*) filter (where state = 'active') as active from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
        [database],
      );
      peak = Math.max(peak, Number(rows[0]?.total ?? 0));
      peakActive = Math.max(peakActive, Number(rows[0]?.active ?? 0));
      samples++;
      await new Promise((r) => setTimeout(r, 250));
    }
    await client.end();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { peak, peakActive, samples };
    },
  };
}

async function run(label: string, db: string | undefined, instances = 1): Promise<string[]> {
  const work = mkdtempSync(join(tmpdir(), "iocscan-bench-fleet-"));
  const servers: { child: ChildProcess; url: string }[] = [];
  const lat = new Latencies();
  let connections: ReturnType<typeof sampleConnections> | undefined;
  try {
    // One after the other: the first creates the administrator, the others find it.
    for (let i = 0; i < instances; i++) servers.push(await startServer(join(work, `server-${i}`), db));
    const url = servers[0]?.url ?? "";
    const api = `${url}/api/v1`;
    const agentApi = (index: number): string => `${servers[index % servers.length]?.url ?? url}/api/v1`;
    if (db !== undefined) connections = sampleConnections(db, new URL(db).pathname.slice(1));
    // The administrator's session.
    const login = await fetch(`${api}/auth/login`, { method: "POST", headers: { "Content-Type": "application/json", Origin: url }, body: JSON.stringify({ name: "admin", password: PASSWORD }) });
    const cookie = (login.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
    const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
    const admin = async (method: string, path: string, body?: unknown): Promise<any> => {
      const res = await fetch(`${api}${path}`, { method, headers: { "Content-Type": "application/json", Origin: url, Cookie: cookie, "X-CSRF-Token": csrf }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    const group = await admin("POST", "/groups", { name: "Load", parentId: "root" });
    const token = await admin("POST", "/enrollment-tokens", { groupId: group.id, expiresInHours: 1 });
    const file = (await admin("POST", "/ioc-files", { files: [{ name: "load.ioc", content: IOC }] })).items[0];

    // Enrollment, 50 at a time per instance, each agent through its instance.
    const credentials: string[] = [];
    const enrollStart = performance.now();
    const enrollBatch = 50 * instances;
    for (let i = 0; i < AGENTS; i += enrollBatch) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(enrollBatch, AGENTS - i) }, (_, k) =>
          call(lat, "enroll", `${agentApi(i + k)}/agent/enroll`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token: token.token, hostname: `sim-${i + k}`, os: "Simulated Linux", agentVersion: "bench" }) }),
        ),
      );
      for (const b of batch) if (b.status === 201) credentials.push(b.json.credential as string);
    }
    const enrollMs = performance.now() - enrollStart;
    if (credentials.length !== AGENTS) throw new Error(`only ${credentials.length} of ${AGENTS} agents enrolled`);

    const delivered: Delivered = { results: new Map(), detections: new Map() };
    let duplicatesStored = 0;
    let stop = false;
    const deadline = performance.now() + SECONDS * 1000;
    const simulate = async (index: number): Promise<void> => {
      const api = agentApi(index);
      const auth = { Authorization: `Bearer ${credentials[index]}`, "Content-Type": "application/json" };
      let beat = 0;
      while (!stop) {
        const work = await call(lat, "work (long poll)", `${api}/agent/work?wait=${POLL_WAIT}`, { headers: auth });
        if (work.status !== 200) {
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        for (const order of (work.json.runs ?? []) as { runId: string; taskId: string; order: string }[]) {
          if (order.order !== "start" || stop) continue;
          const now = new Date().toISOString();
          await call(lat, "progress", `${api}/agent/runs/${order.runId}/progress`, { method: "POST", headers: auth, body: JSON.stringify({ state: "running", percent: 50, at: now }) });
          const report = {
            format: "iocscan-report", version: 1, scanId: order.runId, host: { hostname: `sim-${index}`, os: "Simulated Linux", root: "/" }, source: { kind: "live" },
            startedAt: now, finishedAt: new Date().toISOString(),
            iocs: [{ file: "load.ioc", id: IOC_ID, title: "FLEET LOAD", openiocVersion: "1.1", items: 1, supportedItems: 1 }],
            detections: [{ iocId: IOC_ID, iocFile: "load.ioc", iocTitle: "FLEET LOAD", matchedItems: ["m"], objects: [1, 2].map((n) => ({ document: "FileItem", id: `/srv/sim-${index}/implant-${n}.bin`, fields: { Md5sum: "0123456789abcdef0123456789abcdef" }, actionable: true })), actions: [] }],
            stats: { filesSeen: 1000 }, warnings: [],
          };
          const body = JSON.stringify({ state: "finished", startedAt: now, finishedAt: new Date().toISOString(), report });
          const first = await call(lat, "result", `${api}/agent/runs/${order.runId}/result`, { method: "POST", headers: auth, body });
          // The retried upload of an agent that did not see the answer: must store nothing.
          const again = await call(lat, "result (retry)", `${api}/agent/runs/${order.runId}/result`, { method: "POST", headers: auth, body });
          // A duplicate: both uploads were told "stored" (a failed first one may or may not have been).
          if (first.status === 200 && first.json?.stored === true && again.status === 200 && again.json?.stored === true) duplicatesStored++;
          if ((first.status === 200 && first.json?.stored === true) || (first.status !== 200 && again.status === 200 && again.json?.stored === true)) {
            delivered.results.set(order.taskId, (delivered.results.get(order.taskId) ?? 0) + 1);
            delivered.detections.set(order.taskId, (delivered.detections.get(order.taskId) ?? 0) + 2);
          }
        }
        if (++beat % 3 === 0) {
          await call(lat, "heartbeat", `${api}/agent/heartbeat`, { method: "POST", headers: auth, body: JSON.stringify({ agentVersion: "bench", hostname: `sim-${index}`, os: "Simulated Linux", activeRuns: [], queuedResults: 0 }) });
        }
      }
    };
    const agents = credentials.map((_, i) => simulate(i));
    const tasks: string[] = [];
    const started = performance.now();
    while (performance.now() < deadline) {
      const task = await admin("POST", "/tasks", { name: `load ${tasks.length}`, target: { kind: "group", groupId: group.id }, iocFileIds: [file.id], runMode: "immediately" });
      tasks.push(task.id as string);
      await new Promise((r) => setTimeout(r, 10_000));
    }
    stop = true;
    await Promise.all(agents);
    const seconds = (performance.now() - started) / 1000;

    // Every acknowledged result stored once: finished runs and detections per task.
    let lost = 0;
    let extra = 0;
    for (const id of tasks) {
      const finished = (await admin("GET", `/tasks/${id}/runs?state=finished&limit=1`)).total as number;
      const found = (await admin("GET", `/detections?taskId=${id}&limit=1`)).total as number;
      const want = delivered.results.get(id) ?? 0;
      const wantDetections = delivered.detections.get(id) ?? 0;
      if (finished < want || found < wantDetections) lost += Math.max(want - finished, (wantDetections - found) / 2);
      if (finished > want || found > wantDetections) extra += Math.max(finished - want, (found - wantDetections) / 2);
    }
    const results = [...delivered.results.values()].reduce((a, b) => a + b, 0);
    const peak = await connections?.stop();
    connections = undefined;
    return [
      `### ${label}: ${AGENTS.toLocaleString("en-US")} simulated agents${instances > 1 ? ` across ${instances} server instances` : ""}, ${seconds.toFixed(0)} s, ${tasks.length} group tasks`,
      "",
      `Enrollment of ${AGENTS} agents: ${(enrollMs / 1000).toFixed(1)} s. Results stored: ${results.toLocaleString("en-US")} (${(results / seconds).toFixed(1)}/s), each posted twice; ` +
        `long polls answered: ${lat.polls.toLocaleString("en-US")} (${(lat.polls / seconds).toFixed(1)}/s, wait=${POLL_WAIT}); ` +
        `lost: ${lost}, duplicated: ${extra + duplicatesStored}; server errors (5xx or refused connections): ${lat.errors}. ` +
        (peak === undefined ? "" : `Database connections (pg_stat_activity, ${peak.samples} samples): peak ${peak.peak}, of them active at most ${peak.peakActive}. `) +
        `Load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(" / ")}.`,
      "",
      ...[...lat.errorKinds].map(([what, n]) => `- error ${what}: ${n}`),
      ...(lat.errorKinds.size > 0 ? [""] : []),
      "| request | count | per second | p50 | p99 |",
      "|---|---|---|---|---|",
      ...lat.rows(seconds),
      "",
    ];
  } finally {
    await connections?.stop().catch(() => undefined);
    for (const { child } of servers) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    rmSync(work, { recursive: true, force: true });
  }
}

const out: string[] = [];
// Several instances need PostgreSQL: a second server on one SQLite database is refused.
if (flags.only !== "postgres" && INSTANCES === 1) out.push(...(await run("SQLite", undefined)));
if (flags.only !== "sqlite") {
  const base = process.env["IOCSCAN_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `iocscan_bench_${Math.random().toString(16).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(base);
    url.pathname = `/${name}`;
    out.push(...(await run("PostgreSQL", url.toString(), INSTANCES)));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
process.stdout.write(`${out.join("\n")}\n`);
