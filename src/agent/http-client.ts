/**
 * The client side of the agent protocol (src/core/api/agent-protocol.ts) over the built-in fetch.
 * Every answer is validated with the contract's schemas; failures come out as three kinds of
 * error the loops act on: unreachable (retry later), refused (a status code), revoked (401: stop).
 * Given several server URLs (instances of one cluster, issue 11), a request that cannot reach the
 * current one is sent to the next, in order, and the client stays on the one that answered.
 *
 * A server is not trusted beyond the protocol: redirects are not followed (a 3xx would resend the
 * enrollment token or a result to wherever it points), every body is read up to a limit and
 * within the request's time limit, and an id that the URL parser would take for "." or ".." is
 * refused rather than sent as another endpoint's path.
 *
 * @module
 */
import type { z } from "zod";
import {
  AGENT_API_PREFIX,
  MAX_WAIT_SECONDS,
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

  /**
   * 5xx, 408 and 429 are worth retrying; so is a redirect, which the agent does not follow: a
   * server or proxy set up wrong, fixed by its administrator, and a result is kept until then.
   * Other refusals will not change.
   */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429 || this.isRedirect;
  }

  /** A 3xx the agent did not follow. */
  get isRedirect(): boolean {
    return this.status >= 300 && this.status < 400;
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
  /**
   * Longest JSON answer accepted (default 64 MiB: above the largest work answer the protocol
   * allows, 100 runs of 1000 IOC file references each).
   */
  readonly maxAnswerBytes?: number;
}

/** Bytes of an error answer's body read for its message; the rest is not needed. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Typed calls of every agent endpoint. */
export class AgentClient {
  private readonly servers: readonly string[];
  private current = 0;
  private readonly timeoutMs: number;
  private readonly maxIocFileBytes: number;
  private readonly maxAnswerBytes: number;

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
    this.maxAnswerBytes = options.maxAnswerBytes ?? 64 * 1024 * 1024;
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

  /** Long poll: resolves when the server has work or after about `waitSeconds` (0..60; other values are brought into that range). */
  async work(waitSeconds: number, signal?: AbortSignal): Promise<WorkResponse> {
    const wait = Number.isFinite(waitSeconds) ? Math.min(MAX_WAIT_SECONDS, Math.max(0, Math.round(waitSeconds))) : 30;
    return this.json("GET", `/work?wait=${wait}`, undefined, WorkResponse, { signal, extraMs: wait * 1000 });
  }

  async iocFile(id: string, signal?: AbortSignal): Promise<Buffer> {
    const path = `/ioc-files/${segment(id)}`;
    const response = await this.send("GET", path, undefined, { signal });
    const tooLarge = (): ServerRefusedError => new ServerRefusedError(`IOC file "${id}" is larger than ${this.maxIocFileBytes} bytes`, 413);
    const length = Number(response.headers.get("content-length") ?? "0");
    if (length > this.maxIocFileBytes) {
      await discard(response);
      throw tooLarge();
    }
    const bytes = await readBody(response, this.maxIocFileBytes, `GET ${path}`);
    if (bytes === undefined) throw tooLarge();
    return bytes;
  }

  async progress(runId: string, progress: RunProgress, signal?: AbortSignal): Promise<void> {
    await discard(await this.send("POST", `/runs/${segment(runId)}/progress`, progress, { signal }));
  }

  async result(runId: string, result: RunResult, signal?: AbortSignal): Promise<RunResultResponse> {
    return this.json("POST", `/runs/${segment(runId)}/result`, result, RunResultResponse, { signal });
  }

  async quarantine(inventory: QuarantineInventory, signal?: AbortSignal): Promise<void> {
    await discard(await this.send("POST", "/quarantine", inventory, { signal }));
  }

  async commandResult(commandId: string, result: CommandResult, signal?: AbortSignal): Promise<void> {
    await discard(await this.send("POST", `/commands/${segment(commandId)}/result`, result, { signal }));
  }

  private async json<T>(method: string, path: string, body: unknown, schema: z.ZodType<T>, options: SendOptions): Promise<T> {
    const response = await this.send(method, path, body, options);
    const bytes = await readBody(response, this.maxAnswerBytes, `${method} ${path}`);
    // Like a 5xx: a server (or a proxy) that is broken now may not be later.
    if (bytes === undefined) throw new ServerRefusedError(`${method} ${path}: answer larger than ${this.maxAnswerBytes} bytes`, 502);
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString("utf8"));
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
        // "manual": a redirect comes back as the 3xx it is (below), nothing is sent where it points.
        response = await fetch(server + AGENT_API_PREFIX + path, { method, headers, signal, redirect: "manual", ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
        this.current = index;
      } catch (error) {
        failures.push(this.servers.length > 1 ? `${server}: ${describe(error)}` : describe(error));
        if (options.signal?.aborted === true) break;
      }
    }
    if (response === undefined) throw new ServerUnreachableError(`${method} ${path}: ${failures.join("; ")}`);
    const expected = options.expect ?? [200, 201, 204];
    if (expected.includes(response.status)) return response;
    if (response.status >= 300 && response.status < 400) {
      const location = (response.headers.get("location") ?? "").slice(0, 300);
      await discard(response);
      throw new ServerRefusedError(
        `${method} ${path}: server answered ${response.status}, a redirect to "${location}"; the agent does not follow redirects (give the server's final URL)`,
        response.status,
      );
    }
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

/** An id as one path segment: "." and ".." would be resolved away by the URL parser (also as %2E). */
function segment(id: string): string {
  if (id === "." || id === "..") throw new ServerRefusedError(`Cannot use "${id}" as an id in a request path`, 400);
  return encodeURIComponent(id);
}

/**
 * The body, read until its end or `max` bytes (undefined then: the rest is not read and the
 * connection is dropped). The request's time limit still applies; running out of it, or the
 * connection breaking, is an unreachable server.
 */
async function readBody(response: Response, max: number, what: string): Promise<Buffer | undefined> {
  if (response.body === null) return Buffer.alloc(0);
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return Buffer.concat(chunks, total);
      total += value.byteLength;
      if (total > max) {
        await reader.cancel().catch(() => undefined);
        return undefined;
      }
      chunks.push(value);
    }
  } catch (error) {
    throw new ServerUnreachableError(`${what}: answer cut short (${describe(error)})`);
  } finally {
    reader.releaseLock();
  }
}

/** Drops a body the agent has no use for, so a server cannot hold the connection with it. */
async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/** The `error.message` of the protocol's error body, when there is one. */
async function errorMessage(response: Response): Promise<string> {
  const bytes = await readBody(response, MAX_ERROR_BODY_BYTES, "error answer").catch(() => undefined);
  const text = bytes?.toString("utf8") ?? "";
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
