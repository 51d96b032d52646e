/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- the tests read JSON answers as they come */
import { afterEach, describe, expect, it } from "vitest";
import { ROOT_GROUP_ID } from "../store/fleet/index.js";
import { makeTestReport } from "../store/test-report.js";
import { Client, iocXml, startTestServer, type TestServer } from "./test-support.js";

const TOKEN = "metrics-token-for-the-test-0123";
let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The value of one sample of the exposition, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function scrape(url: string, token = TOKEN): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

describe("GET /metrics", () => {
  it("is off (404) unless a token is configured", async () => {
    t = await startTestServer();
    const off = await scrape(t.url);
    expect(off.status).toBe(404);
    expect(off.text).toContain("IOCSCAN_METRICS_TOKEN");
  });

  it("refuses a missing or wrong bearer token with 401", async () => {
    t = await startTestServer({ metricsToken: TOKEN });
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${t.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("counts requests by route template, open long polls, results stored and retried, job runs, devices and runs", async () => {
    t = await startTestServer({ metricsToken: TOKEN });
    const admin = await t.loginAs("administrator");
    const token = (await admin.post("/api/v1/enrollment-tokens", { groupId: ROOT_GROUP_ID })).json.token;
    const agent = new Client(t.url);
    const enrolled = await agent.post("/api/v1/agent/enroll", { token, hostname: "alpha", os: "linux", agentVersion: "0.1.0" });
    agent.bearer = enrolled.json.credential;
    const file = (await admin.post("/api/v1/ioc-files", { files: [{ name: "a.ioc", content: iocXml("a") }] })).json.items[0].id;
    const task = (await admin.post("/api/v1/tasks", { name: "sweep", target: { kind: "group", groupId: ROOT_GROUP_ID }, iocFileIds: [file], runMode: "immediately" })).json;
    await admin.get(`/api/v1/tasks/${task.id}`);
    await admin.get("/api/v1/tasks/no-such-task");
    // Under /api: every other path is the web console's (index.html for client routes).
    await fetch(`${t.url}/api/v1/no/such/path/${Math.random()}`);

    const before = await scrape(t.url);
    expect(before.status).toBe(200);
    expect(before.type).toContain("text/plain");
    expect(sample(before.text, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(sample(before.text, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
    expect(sample(before.text, "iocscan_http_requests_total", { method: "GET", route: "/api/v1/tasks/:id", status: "200" })).toBe(1);
    expect(sample(before.text, "iocscan_http_requests_total", { method: "GET", route: "/api/v1/tasks/:id", status: "404" })).toBe(1);
    expect(sample(before.text, "iocscan_http_requests_total", { method: "GET", route: "unmatched", status: "404" })).toBe(1);
    expect(sample(before.text, "iocscan_http_request_duration_seconds_count", { method: "POST", route: "/api/v1/agent/enroll" })).toBe(1);
    expect(sample(before.text, "iocscan_long_polls_open")).toBe(0);
    expect(sample(before.text, "iocscan_devices", { state: "enrolled" })).toBe(1);
    expect(sample(before.text, "iocscan_devices", { state: "online" })).toBe(1);
    expect(sample(before.text, "iocscan_runs", { state: "pending" })).toBe(1);
    expect(sample(before.text, "iocscan_runs", { state: "finished" })).toBe(0);
    // SQLite has no pool.
    expect(before.text).not.toContain("iocscan_db_pool_connections");

    // A poll that finds the start order answers at once; the next one waits and is counted open.
    const runId = (await agent.get("/api/v1/agent/work?wait=0")).json.runs[0].runId as string;
    const waiting = agent.get("/api/v1/agent/work?wait=30");
    for (let i = 0; i < 100 && sample((await scrape(t.url)).text, "iocscan_long_polls_open") !== 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sample((await scrape(t.url)).text, "iocscan_long_polls_open")).toBe(1);

    const report = makeTestReport(`scan-${runId}`, { detections: 1, startedAt: "2026-11-28T12:00:00.000Z" });
    const body = { state: "finished", startedAt: report.startedAt, finishedAt: report.finishedAt, report };
    expect((await agent.post(`/api/v1/agent/runs/${runId}/result`, body)).json.stored).toBe(true);
    expect((await agent.post(`/api/v1/agent/runs/${runId}/result`, body)).json.stored).toBe(false);
    await t.server.runJobs();
    await t.server.runJobs();
    await t.server.close();
    await waiting;

    // Scraped from the app after close: the cluster counts are cached for a few seconds, so move past that.
    await new Promise((r) => setTimeout(r, 5_100));
    const after = await t.server.app.request("/metrics", { headers: { Authorization: `Bearer ${TOKEN}` } });
    const text = await after.text();
    expect(sample(text, "iocscan_long_polls_open")).toBe(0);
    expect(sample(text, "iocscan_agent_results_total", { outcome: "stored" })).toBe(1);
    expect(sample(text, "iocscan_agent_results_total", { outcome: "retried" })).toBe(1);
    expect(sample(text, "iocscan_job_runs_total", { job: "retention", outcome: "ran" })).toBe(1);
    expect(sample(text, "iocscan_job_runs_total", { job: "retention", outcome: "skipped" })).toBe(1);
    expect(sample(text, "iocscan_job_runs_total", { job: "schedule-windows", outcome: "ran" })).toBe(2);
    expect(sample(text, "iocscan_runs", { state: "finished" })).toBe(1);
    expect(sample(text, "iocscan_runs", { state: "pending" })).toBe(0);
    // Two hours later the device has not been seen within the online window.
    t.clock.advance(2 * 3_600_000);
    await new Promise((r) => setTimeout(r, 5_100));
    const later = await (await t.server.app.request("/metrics", { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
    expect(sample(later, "iocscan_devices", { state: "online" })).toBe(0);
    expect(sample(later, "iocscan_devices", { state: "enrolled" })).toBe(1);
  }, 60_000);
});
