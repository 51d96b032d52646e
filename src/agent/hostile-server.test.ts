/**
 * What a hostile or broken server (or a man in the middle of plain HTTP) can make an agent do.
 * The server decides what to scan and may order quarantine; beyond the protocol it must get
 * nothing: no redirect to another host, no unbounded memory or wait, no file outside the state
 * folder, no busy loop. Real HTTP servers on 127.0.0.1; every scope, store and state folder is a
 * temp folder of the test.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AGENT_API_PREFIX, DEFAULT_TASK_SETTINGS, WorkResponse, type AgentCommand, type IocFileRef, type RunOrder, type RunResult } from "../core/api/index.js";
import type { ScanReport } from "../core/report/index.js";
import { runAgent, type AgentOptions } from "./agent.js";
import { AgentClient, ServerRefusedError, ServerUnreachableError } from "./http-client.js";
import { hostScanRunner } from "./run-scan.js";
import { agentPaths } from "./state-dir.js";
import { plantTree, type PlantedTree } from "./_test-fixtures.js";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

interface Raw {
  readonly url: string;
  readonly seen: Seen[];
  readonly server: Server;
}

const open: Server[] = [];
afterEach(async () => {
  for (const server of open.splice(0)) {
    server.closeAllConnections();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
});

/** A server on 127.0.0.1 that records each request (with its body) and lets `handle` answer. */
async function raw(handle: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void | Promise<void>): Promise<Raw> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const entry = { method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization, body: Buffer.concat(chunks).toString("utf8") };
      seen.push(entry);
      void handle(req, res, entry);
    });
  });
  open.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

/** Writes `chunk` until the client goes away or `limit` bytes are out; resolves with the bytes written. */
async function flood(res: ServerResponse, chunk: Buffer, limit: number): Promise<number> {
  let sent = 0;
  while (sent < limit && !res.destroyed) {
    sent += chunk.length;
    if (!res.write(chunk)) await Promise.race([once(res, "drain"), once(res, "close")]);
  }
  res.end();
  return sent;
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};

const result: RunResult = { state: "finished", startedAt: new Date().toISOString(), finishedAt: new Date().toISOString() };
const enrollRequest = { token: "enroll-secret-token", hostname: "h", os: "Linux", agentVersion: "test" };
const MiB = 1024 * 1024;

describe("AgentClient against a hostile server", () => {
  it("AgentClient never follows a redirect: the token, the credential and results do not reach another host", async () => {
    const elsewhere = await raw((_req, res) => json(res, 201, { deviceId: "d", credential: "d.s", groupId: "g" }));
    for (const location of [`${elsewhere.url}/api/v1/agent/x`, "file:///etc/passwd", "/api/v1/agent/heartbeat"]) {
      const redirecting = await raw((req, res) => void res.writeHead(req.method === "GET" ? 302 : 307, { location }).end());
      const client = new AgentClient(redirecting.url, "device.secret");
      await expect(client.enroll(enrollRequest)).rejects.toThrow(/redirect/);
      await expect(client.result("run-1", result)).rejects.toBeInstanceOf(ServerRefusedError);
      await expect(client.work(0)).rejects.toThrow(/redirect/);
      await expect(client.iocFile("ioc-1")).rejects.toBeInstanceOf(ServerRefusedError);
      // One request each, to the server the agent was given.
      expect(redirecting.seen).toHaveLength(4);
    }
    expect(elsewhere.seen).toEqual([]);
  });

  it("AgentClient keeps a result whose upload is redirected queued (retryable), not set aside for good", async () => {
    const redirecting = await raw((_req, res) => void res.writeHead(308, { location: "https://example.invalid/" }).end());
    const error = await new AgentClient(redirecting.url, "device.secret").result("run-1", result).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerRefusedError);
    expect((error as ServerRefusedError).retryable).toBe(true);
  });

  it("AgentClient stops reading an IOC file without Content-Length at its size limit", async () => {
    let sent: Promise<number> = Promise.resolve(0);
    const endless = await raw((_req, res) => {
      res.writeHead(200, { "content-type": "application/xml" });
      sent = flood(res, Buffer.alloc(64 * 1024, "<"), 128 * MiB);
    });
    const client = new AgentClient(endless.url, "device.secret", { maxIocFileBytes: MiB, timeoutMs: 60_000 });
    const started = Date.now();
    await expect(client.iocFile("ioc-1")).rejects.toThrow(/larger than/);
    expect(Date.now() - started).toBeLessThan(20_000);
    // The agent hung up soon after the limit (socket buffers hold a few MiB at most).
    expect(await sent).toBeLessThan(32 * MiB);
  });

  it("AgentClient refuses an IOC file whose Content-Length is above the limit without reading it", async () => {
    const liar = await raw((_req, res) => void res.writeHead(200, { "content-type": "application/xml", "content-length": String(8 * MiB) }).end(Buffer.alloc(8 * MiB)));
    await expect(new AgentClient(liar.url, "s", { maxIocFileBytes: MiB }).iocFile("ioc-1")).rejects.toMatchObject({ status: 413 });
  });

  it("AgentClient stops reading an endless JSON answer or error body at a limit", async () => {
    let sent: Promise<number> = Promise.resolve(0);
    const endless = await raw((req, res) => {
      res.writeHead(req.url?.includes("/work") === true ? 200 : 500, { "content-type": "application/json" });
      res.write('{"runs":[');
      sent = flood(res, Buffer.alloc(64 * 1024, " "), 128 * MiB);
    });
    const client = new AgentClient(endless.url, "device.secret", { maxAnswerBytes: MiB, timeoutMs: 60_000 });
    await expect(client.work(0)).rejects.toThrow(/larger than/);
    expect(await sent).toBeLessThan(32 * MiB);
    // An error status with an endless body: the status is what counts.
    await expect(client.heartbeat({ agentVersion: "t", hostname: "h", os: "o", activeRuns: [], queuedResults: 0 })).rejects.toMatchObject({ status: 500 });
    expect(await sent).toBeLessThan(32 * MiB);
  });

  it("AgentClient gives up on a slowloris server (headers never come, or a body that trickles) after its timeout", async () => {
    const trickle = await raw((req, res) => {
      if (req.url?.includes("/ioc-files/") !== true) return; // never answers
      res.writeHead(200, { "content-type": "application/xml" });
      const timer = setInterval(() => res.write("<"), 100);
      res.on("close", () => clearInterval(timer));
    });
    const client = new AgentClient(trickle.url, "device.secret", { timeoutMs: 700 });
    for (const call of [() => client.iocFile("ioc-1"), () => client.work(0), () => client.result("run-1", result)]) {
      const started = Date.now();
      await expect(call()).rejects.toBeInstanceOf(ServerUnreachableError);
      expect(Date.now() - started).toBeLessThan(5_000);
    }
  });

  it("AgentClient does not let an id of '.' or '..' turn into another endpoint's path", async () => {
    const server = await raw((_req, res) => json(res, 200, { stored: true, detections: 0 }));
    const client = new AgentClient(server.url, "device.secret");
    await expect(client.iocFile("..")).rejects.toBeInstanceOf(ServerRefusedError);
    await expect(client.result("..", result)).rejects.toBeInstanceOf(ServerRefusedError);
    await expect(client.commandResult(".", { status: "done", detail: "" })).rejects.toBeInstanceOf(ServerRefusedError);
    expect(server.seen).toEqual([]);
    // Other ids are one path segment, whatever they hold.
    await client.result("../../x?y#z", result);
    expect(server.seen.map((s) => s.url)).toEqual([`${AGENT_API_PREFIX}/runs/..%2F..%2Fx%3Fy%23z/result`]);
    // And such orders do not pass the contract in the first place.
    const order = { runId: "..", taskId: "t", taskName: "t", order: "start", settings: DEFAULT_TASK_SETTINGS, iocFiles: [{ id: "i", name: "n", sha256: "0".repeat(64) }] };
    expect(WorkResponse.safeParse({ runs: [order], commands: [] }).success).toBe(false);
    expect(WorkResponse.safeParse({ runs: [{ ...order, runId: "r", iocFiles: [{ id: "..", name: "n", sha256: "0".repeat(64) }] }], commands: [] }).success).toBe(false);
    expect(WorkResponse.safeParse({ runs: [], commands: [{ id: "..", kind: "quarantine-delete", quarantineId: "q" }] }).success).toBe(false);
  });

  it("AgentClient asks for a long poll within the protocol's 0..60 seconds", async () => {
    const server = await raw((_req, res) => json(res, 200, { runs: [], commands: [] }));
    const client = new AgentClient(server.url, "device.secret");
    await client.work(-5);
    await client.work(3600);
    await client.work(Number.NaN);
    expect(server.seen.map((s) => new URL(s.url, "http://x").searchParams.get("wait"))).toEqual(["0", "60", "30"]);
  });
});

/** A fake server for runAgent: enrolls anyone, and answers the rest as `work` and `files` say. */
interface FakeFleet {
  readonly raw: Raw;
  work: () => unknown;
  /** IOC file bytes by id. */
  files: (id: string) => Buffer | undefined;
  resultStatus: number;
  readonly results: Map<string, RunResult>;
  readonly commandResults: Map<string, { status: string; detail: string }>;
  count(path: RegExp): number;
}

async function fakeFleet(): Promise<FakeFleet> {
  const fleet = {
    work: (): unknown => ({ runs: [], commands: [] }),
    files: (_id: string): Buffer | undefined => undefined,
    resultStatus: 200,
    results: new Map<string, RunResult>(),
    commandResults: new Map<string, { status: string; detail: string }>(),
  };
  const server = await raw(async (req, res, seen) => {
    const path = new URL(req.url ?? "/", "http://x").pathname.slice(AGENT_API_PREFIX.length);
    let match: RegExpExecArray | null;
    if (path === "/enroll") return json(res, 201, { deviceId: "d-1", credential: "d-1.secret", groupId: "g" });
    if (path === "/heartbeat") return json(res, 200, { serverTime: new Date().toISOString() });
    if (path === "/quarantine") return void res.writeHead(204).end();
    if (path === "/work") {
      await new Promise((resolve) => setTimeout(resolve, 0));
      return json(res, 200, fleet.work());
    }
    if ((match = /^\/ioc-files\/([^/]+)$/.exec(path))) {
      const bytes = fleet.files(decodeURIComponent(match[1] ?? ""));
      return bytes ? void res.writeHead(200, { "content-type": "text/html" }).end(bytes) : json(res, 404, { error: { code: "nf", message: "no" } });
    }
    if ((match = /^\/runs\/([^/]+)\/progress$/.exec(path))) return void res.writeHead(204).end();
    if ((match = /^\/runs\/([^/]+)\/result$/.exec(path))) {
      if (fleet.resultStatus !== 200) return json(res, fleet.resultStatus, { error: { code: "busy", message: "try later" } });
      fleet.results.set(decodeURIComponent(match[1] ?? ""), JSON.parse(seen.body) as RunResult);
      return json(res, 200, { stored: true, detections: 0 });
    }
    if ((match = /^\/commands\/([^/]+)\/result$/.exec(path))) {
      fleet.commandResults.set(decodeURIComponent(match[1] ?? ""), JSON.parse(seen.body) as { status: string; detail: string });
      return void res.writeHead(204).end();
    }
    json(res, 404, { error: { code: "nf", message: path } });
  });
  return Object.assign(fleet, {
    raw: server,
    count: (path: RegExp) => server.seen.filter((s) => path.test(s.url)).length,
  });
}

let planted: PlantedTree;
let stateDir: string;
let fleet: FakeFleet;

beforeEach(async () => {
  planted = plantTree("iocscan-hostile-");
  stateDir = join(planted.work, "state");
  fleet = await fakeFleet();
});

afterEach(() => {
  rmSync(planted.work, { recursive: true, force: true });
});

function startAgent(overrides: Partial<AgentOptions> = {}): { done: Promise<void>; stop: () => Promise<void> } {
  const controller = new AbortController();
  const done = runAgent({
    stateDir,
    server: fleet.raw.url,
    enrollToken: "token",
    agentVersion: "0.0.0-test",
    quarantineDir: planted.quarantine,
    heartbeatSeconds: 1,
    pollWaitSeconds: 1,
    progressIntervalMs: 50,
    backoff: { baseMs: 50, maxMs: 300 },
    hostname: "test-host",
    os: "Test OS",
    runScan: hostScanRunner({ quarantineDir: planted.quarantine }),
    signal: controller.signal,
    ...overrides,
  });
  return {
    done,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function order(runId: string, iocFiles: IocFileRef[], settings: Partial<RunOrder["settings"]> = {}): RunOrder {
  return { runId, taskId: "t", taskName: "T", order: "start", settings: { ...DEFAULT_TASK_SETTINGS, scopes: [planted.tree], ...settings }, iocFiles };
}

const sha256 = (bytes: Buffer | string): string => createHash("sha256").update(bytes).digest("hex");

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

describe("runAgent against a hostile server", () => {
  it("runAgent() does not poll in a busy loop when the server answers every long poll at once", async () => {
    const agent = startAgent();
    await until(() => fleet.count(/\/work/) > 0, 10_000, "the first poll");
    const before = fleet.count(/\/work/);
    await sleepMs(2_000);
    const polls = fleet.count(/\/work/) - before;
    await agent.stop();
    expect(polls).toBeLessThanOrEqual(4);
  });

  it("runAgent() writes IOC files only inside its state folder, whatever their names and ids", async () => {
    const bytes = Buffer.from(planted.iocXml);
    fleet.files = () => bytes;
    const names = ["../../../../escape.ioc", "/etc/cron.d/evil", "a\u0000b\n\u001b[31m.ioc", "..", "...ioc", "C:\\Windows\\x.ioc", ".bashrc"];
    const refs = names.map((name, i) => ({ id: i % 2 === 0 ? `../../${i}` : `/abs/${i}\u0000`, name, sha256: sha256(bytes) }));
    let sent = false;
    fleet.work = () => (sent ? { runs: [], commands: [] } : ((sent = true), { runs: [order("run-names", refs)], commands: [] }));
    const agent = startAgent();
    await until(() => fleet.results.has("run-names"), 30_000, "the result");
    await agent.stop();
    expect(fleet.results.get("run-names")?.state).toMatch(/^finished/);
    // Nothing new next to the state folder, every IOC file in ioc-files/<sha256>/ with a plain name.
    expect(readdirSync(planted.work).sort()).toEqual(["state", "tree", ...(existsSync(planted.quarantine) ? ["quarantine"] : [])].sort());
    const iocFiles = filesUnder(agentPaths(stateDir).iocFiles);
    expect(iocFiles.length).toBeGreaterThan(0);
    for (const file of iocFiles) expect(file).toMatch(new RegExp(`^${sha256(bytes)}/[\\w.-]+\\.(ioc|xml)$`));
    expect(existsSync(join(planted.work, "escape.ioc"))).toBe(false);
    // The ids were sent as one path segment each.
    expect(fleet.raw.seen.filter((s) => s.url.includes("/ioc-files/")).every((s) => /^\/api\/v1\/agent\/ioc-files\/[^/]+$/.test(s.url))).toBe(true);
  });

  it("runAgent() answers restore and delete commands naming a path instead of a quarantine id with a failure, touching nothing", async () => {
    const outside = join(planted.work, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "keep.iocq"), "precious");
    const ids = ["../outside/keep", "../../outside/keep.iocq", join(outside, "keep"), "..", "0123456789abcdef/../../outside/keep"];
    const commands: AgentCommand[] = ids.flatMap((quarantineId, i) => [
      { id: `restore-${i}`, kind: "quarantine-restore" as const, quarantineId },
      { id: `delete-${i}`, kind: "quarantine-delete" as const, quarantineId },
    ]);
    let sent = false;
    fleet.work = () => (sent ? { runs: [], commands: [] } : ((sent = true), { runs: [], commands }));
    const agent = startAgent();
    await until(() => fleet.commandResults.size === commands.length, 20_000, "the command results");
    await agent.stop();
    for (const command of commands) expect(fleet.commandResults.get(command.id)?.status).toBe("failed");
    expect(readFileSync(join(outside, "keep.iocq"), "utf8")).toBe("precious");
  });

  it("runAgent() accepts no order from an answer that breaks the contract (wrong types, extra fields, too many runs) and backs off", async () => {
    const bytes = Buffer.from(planted.iocXml);
    fleet.files = () => bytes;
    const good = order("run-x", [{ id: "i", name: "x.ioc", sha256: sha256(bytes) }]);
    const answers: unknown[] = [
      { runs: [{ ...good, settings: { ...good.settings, action: "delete-everything" } }], commands: [] },
      { runs: [{ ...good, exec: "rm -rf /" }], commands: [] },
      { runs: [{ ...good, runId: 42 }], commands: [] },
      { runs: Array.from({ length: 5000 }, (_, i) => ({ ...good, runId: `flood-${i}` })), commands: [] },
      { runs: [good], commands: [], extra: true },
      "not an object",
    ];
    let next = 0;
    fleet.work = () => answers[next++ % answers.length];
    const agent = startAgent();
    await until(() => next >= answers.length * 2, 20_000, "the answers");
    await agent.stop();
    expect(filesUnder(agentPaths(stateDir).runs)).toEqual([]);
    expect(fleet.count(/\/ioc-files\//)).toBe(0);
    expect(fleet.results.size).toBe(0);
  });

  it("runAgent() fails a run whose IOC file is not XML (or tries an external entity) and goes on", async () => {
    const secret = join(planted.work, "secret.txt");
    writeFileSync(secret, "TOP-SECRET-CONTENT");
    const notXml = Buffer.from("<html><body>captive portal</body>");
    const xxe = Buffer.from(
      `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://${secret}">]>` +
        `<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="xxe"><metadata><short_description>&x;</short_description></metadata>` +
        `<criteria><Indicator id="i" operator="OR"><IndicatorItem id="n" condition="contains"><Context document="FileItem" search="FileItem/FileName" type="mir"/><Content type="string">&x;</Content></IndicatorItem></Indicator></criteria></OpenIOC>`,
    );
    const files = new Map([
      ["bad", notXml],
      ["xxe", xxe],
    ]);
    fleet.files = (id) => files.get(id);
    let sent = false;
    fleet.work = () =>
      sent
        ? { runs: [], commands: [] }
        : ((sent = true),
          { runs: [order("run-html", [{ id: "bad", name: "bad.ioc", sha256: sha256(notXml) }]), order("run-xxe", [{ id: "xxe", name: "xxe.ioc", sha256: sha256(xxe) }])], commands: [] });
    const agent = startAgent();
    await until(() => fleet.results.has("run-html") && fleet.results.has("run-xxe"), 30_000, "both results");
    await agent.stop();
    expect(fleet.results.get("run-html")?.state).toBe("failed");
    const xxeResult = JSON.stringify(fleet.results.get("run-xxe"));
    expect(xxeResult).not.toContain("TOP-SECRET");
    expect((fleet.results.get("run-xxe")?.report as ScanReport | undefined)?.detections ?? []).toEqual([]);
  });

  it("runAgent() backs off while the server answers 503 to every result upload, and delivers once it recovers", async () => {
    const bytes = Buffer.from(planted.iocXml);
    fleet.files = () => bytes;
    fleet.resultStatus = 503;
    let sent = false;
    fleet.work = () => (sent ? { runs: [], commands: [] } : ((sent = true), { runs: [order("run-storm", [{ id: "i", name: "x.ioc", sha256: sha256(bytes) }])], commands: [] }));
    const agent = startAgent();
    await until(() => fleet.count(/\/result$/) > 0, 30_000, "the first upload");
    const before = fleet.count(/\/result$/);
    await sleepMs(2_000);
    // Backoff 50..300 ms with jitter: a handful of tries, not thousands.
    expect(fleet.count(/\/result$/) - before).toBeLessThan(30);
    fleet.resultStatus = 200;
    await until(() => fleet.results.has("run-storm"), 10_000, "the delivered result");
    await agent.stop();
  });
});
