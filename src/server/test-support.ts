/**
 * For the server's tests: a real server listening on 127.0.0.1 (port 0) over a SQLite fleet
 * store in a temp folder, with a movable clock, and a small HTTP client that keeps the session
 * cookie and sends the CSRF token like the console does.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteFleetStore, type FleetStore, type Role } from "../store/fleet/index.js";
import { hashPassword } from "./auth/secrets.js";
import { createServer, type IocscanServer, type ServerOptions } from "./server.js";

export const PASSWORD = "correct horse battery staple";

/** A clock tests move by hand. */
export class TestClock {
  time = Date.parse("2026-11-28T12:00:00.000Z");
  now = (): Date => new Date(this.time);
  set(iso: string): void {
    this.time = Date.parse(iso);
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers freely
  json: any;
}

/** An API client with a cookie jar of one cookie. */
export class Client {
  cookie: string | undefined;
  csrf: string | undefined;
  bearer: string | undefined;
  constructor(readonly base: string) {}

  async request(method: string, path: string, body?: unknown, options: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (this.cookie !== undefined) headers["Cookie"] = this.cookie;
    if (this.bearer !== undefined) headers["Authorization"] = `Bearer ${this.bearer}`;
    if (this.csrf !== undefined && options.csrf !== false) headers["X-CSRF-Token"] = this.csrf;
    const res = await fetch(`${this.base}${path}`, { method, headers, ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }) });
    const text = await res.text();
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("iocscan_session="));
    if (cookie !== undefined) this.cookie = cookie.split(";")[0];
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  get = (path: string): Promise<Answer> => this.request("GET", path);
  post = (path: string, body?: unknown): Promise<Answer> => this.request("POST", path, body);
  patch = (path: string, body?: unknown): Promise<Answer> => this.request("PATCH", path, body);
  delete = (path: string): Promise<Answer> => this.request("DELETE", path);

  async login(name: string, password = PASSWORD): Promise<Answer> {
    const answer = await this.post("/api/v1/auth/login", { name, password });
    if (answer.status === 200) this.csrf = (answer.json as { csrfToken: string }).csrfToken;
    return answer;
  }
}

export interface TestServer {
  server: IocscanServer;
  store: FleetStore;
  url: string;
  clock: TestClock;
  /** A client logged in as a new user with `role`. */
  loginAs(role: Role, name?: string): Promise<Client>;
  close(): Promise<void>;
}

/** Starts a server on a fresh SQLite database. */
export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const folder = mkdtempSync(join(tmpdir(), "iocscan-server-"));
  const clock = new TestClock();
  const store = await openSqliteFleetStore(join(folder, "server.db"), { now: clock.now });
  const server = createServer({ store, now: clock.now, jobIntervalMs: 0, log: () => {}, ...options });
  const url = await server.listen({ host: "127.0.0.1", port: 0 });
  const hash = await hashPassword(PASSWORD);
  let users = 0;
  return {
    server,
    store,
    url,
    clock,
    async loginAs(role, name = `${role}-${++users}`) {
      await store.createUser({ name, role, passwordHash: hash }, "test");
      const client = new Client(url);
      const answer = await client.login(name);
      if (answer.status !== 200) throw new Error(`login failed: ${answer.text}`);
      return client;
    },
    async close() {
      await server.close();
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** A small valid OpenIOC 1.0 file matching a file by name. */
export function iocXml(id: string, fileName = "evil.exe"): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<ioc xmlns="http://schemas.mandiant.com/2010/ioc" id="${id}" last-modified="2026-01-01T00:00:00">
  <short_description>Test ${id}</short_description>
  <definition>
    <Indicator operator="OR" id="${id}-i">
      <IndicatorItem id="${id}-a" condition="is">
        <Context document="FileItem" search="FileItem/FileName" type="mir"/>
        <Content type="string">${fileName}</Content>
      </IndicatorItem>
    </Indicator>
  </definition>
</ioc>
`;
}
