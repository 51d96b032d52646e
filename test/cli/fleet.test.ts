/**
 * The fleet end to end: a real `iocscan server` process (SQLite in a temp folder) and two real
 * `iocscan agent` processes on loopback, each in its own temp folder with its own tree. A group
 * task with the quarantine action finds the file planted on one device and not on the other; the
 * run states, the detections and the quarantine inventory are right, and the file was
 * quarantined on the right device only. Everything lives in temp folders made here.
 */
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any -- the test reads the API's JSON answers freely */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listEntries, openQuarantine } from "../../src/actions/quarantine/index.js";
import { startIocscan } from "./run-cli.js";

const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
const PASSWORD = "fleet test password 2026";
const EVIL = "fleet planted implant\n";

let work: string;
let server: ChildProcess;
let url: string;
const agents: ChildProcess[] = [];
let cookie = "";
let csrf = "";

/** The console's API as a person's browser uses it: session cookie plus CSRF header. */
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { Origin: url };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (cookie) headers["Cookie"] = cookie;
  if (csrf) headers["X-CSRF-Token"] = csrf;
  const res = await fetch(`${url}/api/v1${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const set = res.headers.getSetCookie().find((c) => c.startsWith("iocscan_session="));
  if (set) cookie = set.split(";")[0] ?? "";
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function device(name: string, planted: boolean): { dir: string; tree: string; store: string; planted: string } {
  const dir = join(work, name);
  const tree = join(dir, "tree");
  mkdirSync(join(tree, "sub"), { recursive: true });
  for (let i = 0; i < 50; i++) writeFileSync(join(tree, `ordinary-${i}.txt`), `${name} file ${i}\n`);
  const evil = join(tree, "sub", "implant.bin");
  if (planted) writeFileSync(evil, EVIL);
  return { dir, tree, store: join(dir, "quarantine"), planted: evil };
}

let a: ReturnType<typeof device>;
let b: ReturnType<typeof device>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "iocscan-fleet-"));
  a = device("device-a", true);
  b = device("device-b", false);
  server = spawn(process.execPath, ["--import", tsxLoader, main, "server", "--listen", "127.0.0.1:0", "--data", join(work, "server"), "--init-admin", "admin"], { stdio: ["pipe", "pipe", "pipe"] });
  server.stdin?.end(`${PASSWORD}\n`);
  let out = "";
  server.stdout?.setEncoding("utf8").on("data", (c: string) => (out += c));
  url = await until(() => Promise.resolve(/listening on (http:\/\/[^\s]+)/.exec(out)?.[1]), "the server to listen", 60_000);
}, 90_000);

afterAll(async () => {
  for (const child of [...agents, server]) {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  }
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe("server and agents end to end", () => {
  it("a group task quarantines the planted file on one device and finds nothing on the other", async () => {
    const login = await api("POST", "/auth/login", { name: "admin", password: PASSWORD });
    expect(login.status).toBe(200);
    csrf = login.json.csrfToken;
    const group = await api("POST", "/groups", { name: "Servers", parentId: "root" });
    expect(group.status).toBe(201);
    const token = await api("POST", "/enrollment-tokens", { groupId: group.json.id });
    expect(token.status).toBe(201);

    for (const d of [a, b]) {
      const agent = startIocscan(["agent", "--server", url, "--enroll", token.json.token, "--state-dir", join(d.dir, "state"), "--quarantine", d.store, "--heartbeat", "2", "--poll-wait", "5"], { cwd: d.dir });
      agents.push(agent);
    }
    const devices = await until(async () => {
      const list = await api("GET", `/devices?groupId=${group.json.id}`);
      return list.json?.items?.length === 2 ? (list.json.items as { id: string }[]) : undefined;
    }, "two enrolled devices");
    expect(devices).toHaveLength(2);

    const md5 = createHash("md5").update(EVIL).digest("hex");
    const ioc = `<?xml version="1.0" encoding="utf-8"?><OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="fleet-e2e"><metadata><short_description>FLEET E2E</short_description></metadata><criteria><Indicator id="i" operator="OR"><IndicatorItem id="m" condition="is"><Context document="FileItem" search="FileItem/Md5sum" type="mir"/><Content type="md5">${md5}</Content></IndicatorItem></Indicator></criteria></OpenIOC>`;
    const upload = await api("POST", "/ioc-files", { files: [{ name: "fleet.ioc", content: ioc }] });
    expect(upload.status).toBe(201);
    const task = await api("POST", "/tasks", {
      name: "Fleet e2e",
      target: { kind: "group", groupId: group.json.id },
      iocFileIds: [upload.json.items[0].id],
      settings: { action: "quarantine", criticalAreas: false, idleOnly: false, scopes: ["tree"], excludes: [], switches: { FileItem: "on", ProcessItem: "off", PortItem: "off" } },
      runMode: "immediately",
    });
    expect(task.status, JSON.stringify(task.json)).toBe(201);

    const runs = await until(async () => {
      const list = await api("GET", `/tasks/${task.json.id}/runs`);
      const items = list.json?.items as { state: string; hostname: string; deviceId: string; percent: number }[] | undefined;
      return items?.length === 2 && items.every((r) => r.state.startsWith("finished") || r.state === "failed") ? items : undefined;
    }, "both runs to finish");
    expect(runs.map((r) => r.state)).toEqual(["finished", "finished"]);

    const detections = (await api("GET", `/detections?taskId=${task.json.id}`)).json.items as { deviceId: string; objectId: string; iocId: string; actions: { type: string; status: string }[] }[];
    expect(detections).toHaveLength(1);
    expect(detections[0]?.objectId).toBe(a.planted);
    expect(detections[0]?.iocId).toBe("fleet-e2e");
    expect(detections[0]?.actions.map((x) => [x.type, x.status])).toEqual([["quarantine", "done"]]);

    // Quarantined on device A only, and reported by its agent.
    expect(existsSync(a.planted)).toBe(false);
    expect((await listEntries(await openQuarantine({ dir: a.store }))).map((e) => e.meta.originalPath)).toEqual([a.planted]);
    expect(existsSync(b.store) ? await listEntries(await openQuarantine({ dir: b.store })) : []).toEqual([]);
    const deviceA = detections[0]?.deviceId as string;
    const inventory = await until(async () => {
      const list = await api("GET", `/devices/${deviceA}/quarantine`);
      return list.json?.items?.length === 1 ? (list.json.items as { originalPath: string; state: string }[]) : undefined;
    }, "device A's quarantine inventory");
    expect(inventory[0]).toMatchObject({ originalPath: a.planted, state: "quarantined" });
    const deviceB = devices.find((d) => d.id !== deviceA)?.id as string;
    expect((await api("GET", `/devices/${deviceB}/quarantine`)).json.items).toEqual([]);
  }, 300_000);
});
