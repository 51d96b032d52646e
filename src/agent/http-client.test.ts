/**
 * AgentClient with several server URLs (issue 11): real HTTP servers on 127.0.0.1, one that
 * refuses connections, one that drops a held long poll, one that answers.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AgentClient, ServerUnreachableError } from "./http-client.js";

interface Instance {
  url: string;
  server: Server;
  /** Paths of the requests it received. */
  seen: string[];
}

const open: Server[] = [];
afterEach(async () => {
  for (const server of open.splice(0)) {
    server.closeAllConnections();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
});

async function instance(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Instance> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? "");
    handle(req, res);
  });
  open.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

const answering = (): Promise<Instance> =>
  instance((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(req.url?.includes("/work") === true ? { runs: [], commands: [] } : { serverTime: new Date().toISOString() }));
  });

/** A port that was open and is closed again: connections are refused. */
async function refusedUrl(): Promise<string> {
  const gone = await instance(() => {});
  await new Promise((resolve) => gone.server.close(resolve));
  return gone.url;
}

const heartbeat = { agentVersion: "test", hostname: "h", os: "Linux", activeRuns: [], queuedResults: 0 };

describe("AgentClient with several servers", () => {
  it("sends to the next server when the first refuses connections, and stays there", async () => {
    const refused = await refusedUrl();
    const live = await answering();
    const client = new AgentClient([refused, live.url], "secret");
    await client.heartbeat(heartbeat);
    expect(client.server).toBe(live.url);
    await client.work(1);
    expect(live.seen).toEqual(["/api/v1/agent/heartbeat", "/api/v1/agent/work?wait=1"]);
  });

  it("a long poll held by an instance that dies goes to the next instance at once", async () => {
    const dying = await instance(() => {
      // Holds the poll; the test kills the instance below.
    });
    const live = await answering();
    const client = new AgentClient([dying.url, live.url], "secret");
    const poll = client.work(30);
    while (dying.seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    dying.server.closeAllConnections();
    dying.server.close();
    const started = Date.now();
    expect(await poll).toEqual({ runs: [], commands: [] });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(client.server).toBe(live.url);
    expect(live.seen).toEqual(["/api/v1/agent/work?wait=30"]);
  });

  it("goes back to the first server when the one it moved to fails", async () => {
    const first = await answering();
    const second = await answering();
    const client = new AgentClient([first.url, second.url], "secret");
    first.server.closeAllConnections();
    await new Promise((resolve) => first.server.close(resolve));
    await client.heartbeat(heartbeat);
    expect(client.server).toBe(second.url);
    // The first comes back on its port, the second goes away.
    const port = Number(new URL(first.url).port);
    first.server.listen(port, "127.0.0.1");
    await once(first.server, "listening");
    second.server.closeAllConnections();
    await new Promise((resolve) => second.server.close(resolve));
    await client.heartbeat(heartbeat);
    expect(client.server).toBe(first.url);
  });

  it("throws ServerUnreachableError naming every server when none answers", async () => {
    const a = await refusedUrl();
    const b = await refusedUrl();
    const client = new AgentClient([a, b], "secret");
    const error = await client.heartbeat(heartbeat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerUnreachableError);
    expect((error as Error).message).toContain(a);
    expect((error as Error).message).toContain(b);
  });

  it("an answer with an error status is not a reason to try another server", async () => {
    const refusing = await instance((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    const live = await answering();
    const client = new AgentClient([refusing.url, live.url], "secret");
    await expect(client.heartbeat(heartbeat)).rejects.toMatchObject({ status: 404 });
    expect(live.seen).toEqual([]);
  });
});
