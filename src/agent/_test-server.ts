/**
 * Test helper: a small server that speaks the agent protocol (agent-protocol.ts) on 127.0.0.1,
 * validates every request body with the contract's schemas, keeps everything it receives for
 * the test to inspect, stores results idempotently like the real server, and can be stopped and
 * started again on the same port (the "server unreachable" cases) or told to fail requests.
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { z } from "zod";
import {
  AGENT_API_PREFIX,
  CommandResult,
  DEFAULT_TASK_SETTINGS,
  EnrollRequest,
  Heartbeat,
  QuarantineInventory,
  RunProgress,
  RunResult,
  type AgentCommand,
  type IocFileRef,
  type RunOrder,
  type TaskSettings,
} from "../core/api/index.js";

/** A request the server answers with `status` instead of handling it, `times` times. */
interface Failure {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
  times: number;
}

export class TestAgentServer {
  readonly enrollToken = `enroll-${randomBytes(6).toString("hex")}`;
  readonly enrollments: z.infer<typeof EnrollRequest>[] = [];
  readonly heartbeats: z.infer<typeof Heartbeat>[] = [];
  readonly progress: { runId: string; body: z.infer<typeof RunProgress> }[] = [];
  /** Every result post that was accepted (stored or duplicate). */
  readonly resultPosts: { runId: string; body: z.infer<typeof RunResult> }[] = [];
  /** Stored results: one per run. */
  readonly results = new Map<string, z.infer<typeof RunResult>>();
  readonly inventories: z.infer<typeof QuarantineInventory>[] = [];
  readonly commandResults = new Map<string, z.infer<typeof CommandResult>>();
  /** Requests answered with 400 (an agent bug): a test expects none. */
  readonly badRequests: string[] = [];
  readonly revoked = new Set<string>();
  private readonly credentials = new Map<string, string>();
  private readonly iocFiles = new Map<string, Buffer>();
  private readonly failures: Failure[] = [];
  private work: { runs: RunOrder[]; commands: AgentCommand[] } = { runs: [], commands: [] };
  private waiting: (() => void)[] = [];
  private server: Server | undefined;
  private port = 0;
  private devices = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens (again) on 127.0.0.1: a free port the first time, the same port later. */
  async start(): Promise<void> {
    const server = createServer((request, response) => void this.handle(request, response));
    server.listen(this.port, "127.0.0.1");
    await once(server, "listening");
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops answering: pending long polls are cut and new connections refused. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = once(server, "close");
    server.close();
    server.closeAllConnections();
    await closed;
  }

  /** Stores an IOC file and returns the reference a task names it by. */
  addIocFile(name: string, content: string): IocFileRef {
    const bytes = Buffer.from(content);
    const id = `ioc-${this.iocFiles.size + 1}`;
    this.iocFiles.set(id, bytes);
    return { id, name, sha256: createHash("sha256").update(bytes).digest("hex") };
  }

  /** Queues a run order for the next poll (the fake has one work list for all devices). */
  order(runId: string, order: RunOrder["order"], iocFiles: IocFileRef[], settings: Partial<TaskSettings> = {}): RunOrder {
    const run: RunOrder = { runId, taskId: `task-${runId}`, taskName: `Task ${runId}`, order, settings: { ...DEFAULT_TASK_SETTINGS, ...settings }, iocFiles };
    this.work.runs.push(run);
    this.wake();
    return run;
  }

  command(command: AgentCommand): void {
    this.work.commands.push(command);
    this.wake();
  }

  /** Answers the next `times` requests matching `method` and `path` with `status`. */
  fail(method: string, path: RegExp, status: number, times = 1): void {
    this.failures.push({ method, path, status, times });
  }

  /** Resolves once `check` holds (polled every 20 ms), or rejects after `ms`. */
  async until(check: () => boolean, ms = 20_000, what = "condition"): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const path = url.pathname.startsWith(AGENT_API_PREFIX) ? url.pathname.slice(AGENT_API_PREFIX.length) : url.pathname;
    const method = request.method ?? "GET";
    const body = await readBody(request);
    const failure = this.failures.find((f) => f.times > 0 && f.method === method && f.path.test(path));
    if (failure) {
      failure.times--;
      return send(response, failure.status, { error: { code: "injected", message: `injected ${failure.status}` } });
    }
    if (method === "POST" && path === "/enroll") {
      const enroll = this.parse(EnrollRequest, body, path, response);
      if (!enroll) return;
      if (enroll.token !== this.enrollToken) return send(response, 403, { error: { code: "bad-token", message: "unknown or expired enrollment token" } });
      this.enrollments.push(enroll);
      const deviceId = `device-${++this.devices}`;
      const credential = `${deviceId}.${randomBytes(16).toString("hex")}`;
      this.credentials.set(credential, deviceId);
      return send(response, 201, { deviceId, credential, groupId: "group-1" });
    }
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    const deviceId = bearer === undefined ? undefined : this.credentials.get(bearer);
    if (deviceId === undefined || this.revoked.has(deviceId)) return send(response, 401, { error: { code: "unauthorized", message: "unknown credential" } });

    let match: RegExpExecArray | null;
    if (method === "POST" && path === "/heartbeat") {
      const heartbeat = this.parse(Heartbeat, body, path, response);
      if (!heartbeat) return;
      this.heartbeats.push(heartbeat);
      return send(response, 200, { serverTime: new Date().toISOString() });
    }
    if (method === "GET" && path === "/work") {
      const wait = Number(url.searchParams.get("wait") ?? "30");
      if (this.work.runs.length === 0 && this.work.commands.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait * 1000);
          this.waiting.push(() => {
            clearTimeout(timer);
            resolve();
          });
          response.on("close", () => clearTimeout(timer));
        });
      }
      const work = this.work;
      this.work = { runs: [], commands: [] };
      return send(response, 200, work);
    }
    if (method === "GET" && (match = /^\/ioc-files\/([^/]+)$/.exec(path))) {
      const bytes = this.iocFiles.get(decodeURIComponent(match[1] ?? ""));
      if (!bytes) return send(response, 404, { error: { code: "not-found", message: "no such IOC file" } });
      response.writeHead(200, { "content-type": "application/xml", "content-length": bytes.length });
      response.end(bytes);
      return;
    }
    if (method === "POST" && (match = /^\/runs\/([^/]+)\/progress$/.exec(path))) {
      const progress = this.parse(RunProgress, body, path, response);
      if (!progress) return;
      this.progress.push({ runId: decodeURIComponent(match[1] ?? ""), body: progress });
      return send(response, 204);
    }
    if (method === "POST" && (match = /^\/runs\/([^/]+)\/result$/.exec(path))) {
      const result = this.parse(RunResult, body, path, response);
      if (!result) return;
      const runId = decodeURIComponent(match[1] ?? "");
      this.resultPosts.push({ runId, body: result });
      const stored = !this.results.has(runId);
      if (stored) this.results.set(runId, result);
      const report = result.report as { detections?: unknown[] } | undefined;
      return send(response, 200, { stored, detections: report?.detections?.length ?? 0 });
    }
    if (method === "POST" && path === "/quarantine") {
      const inventory = this.parse(QuarantineInventory, body, path, response);
      if (!inventory) return;
      this.inventories.push(inventory);
      return send(response, 204);
    }
    if (method === "POST" && (match = /^\/commands\/([^/]+)\/result$/.exec(path))) {
      const result = this.parse(CommandResult, body, path, response);
      if (!result) return;
      this.commandResults.set(decodeURIComponent(match[1] ?? ""), result);
      return send(response, 204);
    }
    send(response, 404, { error: { code: "not-found", message: `${method} ${path}` } });
  }

  private parse<T>(schema: z.ZodType<T>, body: string, path: string, response: ServerResponse): T | undefined {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    this.badRequests.push(`${path}: ${parsed.error.message}`);
    send(response, 400, { error: { code: "invalid", message: parsed.error.message } });
    return undefined;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(response: ServerResponse, status: number, body?: unknown): void {
  if (response.destroyed) return;
  if (body === undefined) {
    response.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
}
