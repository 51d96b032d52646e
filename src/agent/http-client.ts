/**
 * The client side of the agent protocol (src/core/api/agent-protocol.ts) over the built-in fetch.
 * Every answer is validated with the contract's schemas; failures come out as three kinds of
 * error the loops act on: unreachable (retry later), refused (a status code), revoked (401: stop).
 * Given several server URLs (instances of one cluster, issue 11), a request that cannot reach the
 * current one is sent to the next, in order, and the client stays on the one that answered.
 *
 * @module
 */
import type { z } from "zod";
import {
  AGENT_API_PREFIX,
  EnrollResponse,
  HeartbeatResponse,
  RunResultResponse,
  WorkResponse,
  type CommandResult,
  type EnrollRequest,
  type Heartbeat,
  type QuarantineInventory,
  type RunProgress,
  type RunResult,
} from "../core/api/index.js";

/** The server could not be reached or did not answer in time; try again later. */
export class ServerUnreachableError extends Error {
  override readonly name = "ServerUnreachableError";
}

/** The server answered with an error status (or an answer that breaks the contract). */
export class ServerRefusedError extends Error {
  override readonly name: string = "ServerRefusedError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }

  /** 5xx, 408 and 429 are worth retrying; other refusals will not change. */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** 401: the server no longer accepts this device's credential (revoked, or the device deleted). */
export class CredentialRevokedError extends ServerRefusedError {
  override readonly name = "CredentialRevokedError";
}

/** Options of {@link AgentClient}. */
export interface AgentClientOptions {
  /** Time allowed for one ordinary request (default 30 s); a long poll gets its wait on top. */
  readonly timeoutMs?: number;
  /** Longest IOC file accepted (default 16 MiB; the product limit is a few MB). */
  readonly maxIocFileBytes?: number;
}

/** Typed calls of every agent endpoint. */
export class AgentClient {
  private readonly servers: readonly string[];
  private current = 0;
  private readonly timeoutMs: number;
  private readonly maxIocFileBytes: number;

  /** `server`: one URL, or several instances of one cluster tried in order when one is unreachable. */
  constructor(
    server: string | readonly string[],
    private readonly credential: string | undefined,
    options: AgentClientOptions = {},
  ) {
    this.servers = (typeof server === "string" ? [server] : server).map((url) => url.replace(/\/+$/, ""));
    if (this.servers.length === 0) throw new RangeError("AgentClient needs at least one server URL");
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxIocFileBytes = options.maxIocFileBytes ?? 16 * 1024 * 1024;
  }

  /** The server URL requests go to now (the last one that answered). */
  get server(): string {
    return this.servers[this.current] ?? "";
  }

  async enroll(request: EnrollRequest, signal?: AbortSignal): Promise<EnrollResponse> {
    return this.json("POST", "/enroll", request, EnrollResponse, { signal, expect: [200, 201] });
  }

  async heartbeat(heartbeat: Heartbeat, signal?: AbortSignal): Promise<HeartbeatResponse> {
    return this.json("POST", "/heartbeat", heartbeat, HeartbeatResponse, { signal });
  }

  /** Long poll: resolves when the server has work or after about `waitSeconds`. */
  async work(waitSeconds: number, signal?: AbortSignal): Promise<WorkResponse> {
    return this.json("GET", `/work?wait=${waitSeconds}`, undefined, WorkResponse, { signal, extraMs: waitSeconds * 1000 });
  }

  async iocFile(id: string, signal?: AbortSignal): Promise<Buffer> {
    const response = await this.send("GET", `/ioc-files/${encodeURIComponent(id)}`, undefined, { signal });
    const length = Number(response.headers.get("content-length") ?? "0");
    if (length > this.maxIocFileBytes) throw new ServerRefusedError(`IOC file "${id}" is larger than ${this.maxIocFileBytes} bytes`, 413);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > this.maxIocFileBytes) throw new ServerRefusedError(`IOC file "${id}" is larger than ${this.maxIocFileBytes} bytes`, 413);
    return bytes;
  }

  async progress(runId: string, progress: RunProgress, signal?: AbortSignal): Promise<void> {
    await this.send("POST", `/runs/${encodeURIComponent(runId)}/progress`, progress, { signal });
  }

  async result(runId: string, result: RunResult, signal?: AbortSignal): Promise<RunResultResponse> {
    return this.json("POST", `/runs/${encodeURIComponent(runId)}/result`, result, RunResultResponse, { signal });
  }

  async quarantine(inventory: QuarantineInventory, signal?: AbortSignal): Promise<void> {
    await this.send("POST", "/quarantine", inventory, { signal });
  }

  async commandResult(commandId: string, result: CommandResult, signal?: AbortSignal): Promise<void> {
    await this.send("POST", `/commands/${encodeURIComponent(commandId)}/result`, result, { signal });
  }

  private async json<T>(method: string, path: string, body: unknown, schema: z.ZodType<T>, options: SendOptions): Promise<T> {
    const response = await this.send(method, path, body, options);
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch (error) {
      throw new ServerUnreachableError(`${method} ${path}: answer cut short or not JSON (${describe(error)})`);
    }
    const checked = schema.safeParse(parsed);
    // An answer that breaks the contract is a server problem, like a 5xx: worth retrying later.
    if (!checked.success) throw new ServerRefusedError(`${method} ${path}: answer does not follow the agent protocol (${checked.error.issues[0]?.message ?? "invalid"})`, 502);
    return checked.data;
  }

  private async send(method: string, path: string, body: unknown, options: SendOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.credential !== undefined) headers["authorization"] = `Bearer ${this.credential}`;
    const failures: string[] = [];
    let response: Response | undefined;
    // Each server once, starting with the current one. Resending is safe: results and progress
    // are idempotent on the server, a lost answer is what the protocol's retries already cover.
    for (let tried = 0; tried < this.servers.length && response === undefined; tried++) {
      const index = (this.current + tried) % this.servers.length;
      const server = this.servers[index] ?? "";
      const timeout = AbortSignal.timeout(this.timeoutMs + (options.extraMs ?? 0));
      const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      try {
        response = await fetch(server + AGENT_API_PREFIX + path, { method, headers, signal, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
        this.current = index;
      } catch (error) {
        failures.push(this.servers.length > 1 ? `${server}: ${describe(error)}` : describe(error));
        if (options.signal?.aborted === true) break;
      }
    }
    if (response === undefined) throw new ServerUnreachableError(`${method} ${path}: ${failures.join("; ")}`);
    const expected = options.expect ?? [200, 201, 204];
    if (expected.includes(response.status)) return response;
    const message = `${method} ${path}: server answered ${response.status}${await errorMessage(response)}`;
    if (response.status === 401) throw new CredentialRevokedError(message, 401);
    throw new ServerRefusedError(message, response.status);
  }
}

interface SendOptions {
  readonly signal: AbortSignal | undefined;
  readonly extraMs?: number;
  readonly expect?: readonly number[];
}

/** The `error.message` of the protocol's error body, when there is one. */
async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return ` (${body.error.message.slice(0, 500)})`;
  } catch {
    // Not JSON: a proxy's error page, say; the status says enough.
  }
  return "";
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
