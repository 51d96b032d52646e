/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- the tests read JSON answers as they come */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ROOT_GROUP_ID } from "../store/fleet/index.js";
import { Client, iocXml, PASSWORD, startTestServer, type TestServer } from "./test-support.js";

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.close();
});

interface Operation {
  method: string;
  path: string;
  access: string;
}

async function operations(): Promise<Operation[]> {
  const doc = (await new Client(t.url).get("/api/v1/openapi.json")).json as { paths: Record<string, Record<string, { "x-iocscan-access": string }>> };
  return Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path: path.replace(/\{\w+\}/g, "x"), access: op["x-iocscan-access"] })));
}

describe("server API", () => {
  it("login sets an HttpOnly SameSite=Strict session cookie; me and logout work", async () => {
    await t.store.createUser({ name: "ann", role: "operator", passwordHash: await (await import("./auth/secrets.js")).hashPassword(PASSWORD) }, "test");
    const client = new Client(t.url);
    expect((await client.get("/api/v1/auth/me")).status).toBe(401);
    const wrong = await client.post("/api/v1/auth/login", { name: "ann", password: "not the password" });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ error: { code: "bad-credentials", message: "Wrong user name or password", details: null } });
    const res = await fetch(`${t.url}/api/v1/auth/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "ann", password: PASSWORD }) });
    const cookie = res.headers.getSetCookie()[0] ?? "";
    expect(cookie).toMatch(/^iocscan_session=[\w-]{20,};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    await client.login("ann");
    const me = await client.get("/api/v1/auth/me");
    expect(me.json).toMatchObject({ user: { name: "ann", role: "operator" }, csrfToken: client.csrf });
    expect((await client.post("/api/v1/auth/logout")).status).toBe(204);
    expect((await client.get("/api/v1/auth/me")).status).toBe(401);
  });

  it("the public routes read at most 64 KiB: a bigger login or enrollment is refused with 413 before any check", async () => {
    const big = JSON.stringify({ name: "ann", password: "x".repeat(70 * 1024) });
    for (const path of ["/api/v1/auth/login", "/api/v1/agent/enroll"]) {
      const res = await fetch(`${t.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: big });
      expect(res.status, path).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("too-large");
    }
    // Under the limit the route answers as usual.
    const small = await fetch(`${t.url}/api/v1/auth/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "nobody", password: "x".repeat(1000) }) });
    expect(small.status).toBe(401);
  });

  it("a change without the CSRF token, or from another origin, is refused with 403", async () => {
    const admin = await t.loginAs("administrator");
    const noToken = await admin.request("POST", "/api/v1/groups", { name: "G", parentId: ROOT_GROUP_ID }, { csrf: false });
    expect(noToken.status).toBe(403);
    expect(noToken.json.error.code).toBe("csrf");
    const wrongToken = await admin.request("POST", "/api/v1/groups", { name: "G", parentId: ROOT_GROUP_ID }, { headers: { "X-CSRF-Token": "guess" }, csrf: false });
    expect(wrongToken.status).toBe(403);
    const otherOrigin = await admin.request("POST", "/api/v1/groups", { name: "G", parentId: ROOT_GROUP_ID }, { headers: { Origin: "https://evil.example" } });
    expect(otherOrigin.json.error.code).toBe("bad-origin");
    const otherPort = await admin.request("POST", "/api/v1/groups", { name: "G", parentId: ROOT_GROUP_ID }, { headers: { Origin: "http://127.0.0.1:1" } });
    expect(otherPort.status).toBe(403);
    const sameOrigin = await admin.request("POST", "/api/v1/groups", { name: "G", parentId: ROOT_GROUP_ID }, { headers: { Origin: t.url } });
    expect(sameOrigin.status).toBe(201);
    // Behind a TLS-terminating proxy the browser's origin is https on the same host.
    const behindProxy = await admin.request("POST", "/api/v1/groups", { name: "G2", parentId: ROOT_GROUP_ID }, { headers: { Origin: t.url.replace("http:", "https:") } });
    expect(behindProxy.status).toBe(201);
    const fromSite = await admin.request("POST", "/api/v1/groups", { name: "G3", parentId: ROOT_GROUP_ID }, { headers: { "Sec-Fetch-Site": "cross-site" } });
    expect(fromSite.status).toBe(403);
    expect((await admin.get("/api/v1/groups")).json.items).toHaveLength(3);
  });

  it("the sixth failed login within 15 minutes answers 429 with Retry-After, even with the right password", async () => {
    await t.loginAs("viewer", "vic");
    const client = new Client(t.url);
    for (let i = 0; i < 5; i++) expect((await client.login("vic", `wrong-${i}`)).status).toBe(401);
    const limited = await client.login("vic");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBe(900);
    t.clock.advance(10 * 60_000);
    expect(Number((await client.login("vic")).headers.get("Retry-After"))).toBe(300);
    t.clock.advance(5 * 60_000);
    expect((await client.login("vic")).status).toBe(200);
  });

  it("thirty wrong logins sent at once try at most five passwords: the others answer 429", async () => {
    await t.loginAs("viewer", "val");
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => new Client(t.url).login("val", `wrong-${i}`)));
    const tried = answers.filter((a) => a.status === 401).length;
    expect(tried).toBeGreaterThan(0);
    expect(tried).toBeLessThanOrEqual(5);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(30 - tried);
  });

  it("without a session every route but login answers 401; a viewer gets 403 on every change and on administrator routes", async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(40);
    const viewer = await t.loginAs("viewer");
    const anonymous = new Client(t.url);
    let checked = 0;
    for (const op of ops) {
      if (op.access === "public" || op.access === "device" || op.access === "sandbox") continue;
      expect({ op, status: (await anonymous.request(op.method, op.path, op.method === "GET" ? undefined : {})).status }).toEqual({ op, status: 401 });
      // Logging out ends only the viewer's own session: not a change a viewer is denied.
      if ((op.method !== "GET" || op.access === "administrator") && op.path !== "/api/v1/auth/logout") {
        expect({ op, status: (await viewer.request(op.method, op.path, op.method === "GET" ? undefined : {})).status }).toEqual({ op, status: 403 });
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
    // Device and sandbox routes take their own bearer credential, never a session.
    for (const op of ops.filter((o) => o.access === "device" || o.access === "sandbox")) {
      expect({ op, status: (await anonymous.request(op.method, op.path, op.method === "GET" ? undefined : {})).status }).toEqual({ op, status: 401 });
    }
    expect(ops.filter((o) => o.access === "public").map((o) => `${o.method} ${o.path}`).sort()).toEqual(["GET /api/v1/auth/session", "GET /api/v1/openapi.json", "POST /api/v1/agent/enroll", "POST /api/v1/auth/login"]);
    // Nothing changed.
    expect((await t.store.listAudit()).entries.map((e) => e.action)).toEqual(["auth.login", "user.create"]);
  });

  it("the OpenAPI document lists every route of the table with its schemas", async () => {
    const ops = await operations();
    expect(ops).toHaveLength(t.server.routes.length);
    const doc = (await new Client(t.url).get("/api/v1/openapi.json")).json;
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/api/v1/tasks"].post.requestBody.content["application/json"].schema.properties.settings).toBeDefined();
    expect(doc.paths["/api/v1/agent/work"].get.parameters).toEqual([expect.objectContaining({ name: "wait", in: "query" })]);
  });

  it("names with control characters or a lone surrogate are refused; other Unicode is kept as sent", async () => {
    const admin = await t.loginAs("administrator", "root-admin");
    for (const bad of ["g\u0000x", "tab\there", "\ud800", "x\udc00"]) {
      const answer = await admin.post("/api/v1/groups", { name: bad, parentId: ROOT_GROUP_ID });
      expect(answer.status, JSON.stringify(bad)).toBe(400);
      expect(answer.json.error.message).toContain('"name"');
    }
    const fine = "Ünïcödé 🙂 office";
    expect((await admin.post("/api/v1/groups", { name: fine, parentId: ROOT_GROUP_ID })).json.name).toBe(fine);
    expect((await admin.get("/api/v1/groups")).json.items.map((g: { name: string }) => g.name)).toContain(fine);
  });

  it("invalid input answers 400 naming the field", async () => {
    const op = await t.loginAs("operator");
    const bad = await op.post("/api/v1/tasks", { name: "t", target: { kind: "group", groupId: ROOT_GROUP_ID }, iocFileIds: ["x"], settings: { action: "nuke" } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("invalid-request");
    expect(bad.json.error.message).toContain('"settings.action"');
    expect(bad.json.error.details.issues).toContainEqual(expect.objectContaining({ path: "settings.action" }));
    const window = await op.post("/api/v1/tasks", { name: "t", target: { kind: "group", groupId: ROOT_GROUP_ID }, iocFileIds: ["x"], runMode: "window", window: "25:00-01:00" });
    expect(window.json.error.message).toContain('"window"');
    const query = await op.get("/api/v1/devices?limit=0");
    expect(query.status).toBe(400);
    expect(query.json.error.message).toContain('"limit"');
    const notJson = await op.request("POST", "/api/v1/groups", "{nope", { headers: { "Content-Type": "application/json" } });
    expect(notJson.json.error.code).toBe("invalid-json");
    const unknownFile = await op.post("/api/v1/tasks", { name: "t", target: { kind: "group", groupId: ROOT_GROUP_ID }, iocFileIds: ["missing"] });
    expect(unknownFile.json.error.message).toBe('Invalid body: "iocFileIds.0": no IOC file "missing"');
  });

  it("IOC uploads are validated: usable files are stored with diagnostics, a batch with an unusable file is refused listing it", async () => {
    const op = await t.loginAs("operator");
    const refused = await op.post("/api/v1/ioc-files", { files: [{ name: "good.ioc", content: iocXml("good") }, { name: "broken.ioc", content: "<ioc><definition>" }] });
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe("unusable-ioc-files");
    expect(refused.json.error.details.files).toEqual([{ name: "broken.ioc", diagnostics: [expect.objectContaining({ code: "IOC001", severity: "error", line: expect.any(Number), column: expect.any(Number) })] }]);
    expect((await op.get("/api/v1/ioc-files")).json.items).toEqual([]);
    const stored = await op.post("/api/v1/ioc-files", { files: [{ name: "good.ioc", content: iocXml("good") }] });
    expect(stored.status).toBe(201);
    const file = stored.json.items[0];
    expect(file).toMatchObject({ name: "good.ioc", usable: true, iocId: "good", title: "Test good", openiocVersion: "1.0", items: 1 });
    expect((await op.get(`/api/v1/ioc-files/${file.id}/content`)).text).toBe(iocXml("good"));
    expect((await op.delete(`/api/v1/ioc-files/${file.id}`)).status).toBe(204);
  });

  it("administrators manage users; the last administrator cannot be removed; operators cannot manage users", async () => {
    const admin = await t.loginAs("administrator", "root-admin");
    const created = await admin.post("/api/v1/users", { name: "olga", role: "operator", password: "a long enough password" });
    expect(created.status).toBe(201);
    expect(created.json).not.toHaveProperty("passwordHash");
    expect((await admin.post("/api/v1/users", { name: "olga", role: "viewer", password: "a long enough password" })).status).toBe(409);
    expect((await admin.post("/api/v1/users", { name: "short", role: "viewer", password: "short" })).json.error.message).toContain('"password"');
    const olga = new Client(t.url);
    expect((await olga.login("olga", "a long enough password")).status).toBe(200);
    expect((await olga.get("/api/v1/users")).status).toBe(403);
    const me = (await admin.get("/api/v1/auth/me")).json.user;
    expect((await admin.patch(`/api/v1/users/${me.id}`, { role: "viewer" })).status).toBe(409);
    expect((await admin.delete(`/api/v1/users/${me.id}`)).status).toBe(409);
    expect((await admin.patch(`/api/v1/users/${created.json.id}`, { role: "viewer" })).json.role).toBe("viewer");
    // A role change ends the user's sessions.
    expect((await olga.get("/api/v1/auth/me")).status).toBe(401);
    expect((await admin.delete(`/api/v1/users/${created.json.id}`)).status).toBe(204);
    const audit = (await admin.get("/api/v1/audit?limit=3")).json;
    expect(audit.items.map((e: { action: string }) => e.action)).toEqual(["user.delete", "user.update", "auth.login"]);
  });

  it("the same user created by ten requests at once: one 201, the others 409, never a 500", async () => {
    const admin = await t.loginAs("administrator", "root-admin");
    const answers = await Promise.all(Array.from({ length: 10 }, () => admin.post("/api/v1/users", { name: "twin", role: "viewer", password: "a long enough password" })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, ...Array<number>(9).fill(409)]);
  });

  it("groups form a tree, devices are listed and moved, enrollment tokens are shown once and can be revoked", async () => {
    const admin = await t.loginAs("administrator");
    const group = (await admin.post("/api/v1/groups", { name: "Servers", parentId: ROOT_GROUP_ID })).json;
    const sub = (await admin.post("/api/v1/groups", { name: "Web", parentId: group.id })).json;
    expect((await admin.patch(`/api/v1/groups/${group.id}`, { parentId: sub.id })).status).toBe(400);
    const token = await admin.post("/api/v1/enrollment-tokens", { groupId: sub.id, expiresInHours: 1 });
    expect(token.status).toBe(201);
    expect(token.json.token).toMatch(/^[\w-]{40,}$/);
    const listed = (await admin.get("/api/v1/enrollment-tokens")).json.items;
    expect(JSON.stringify(listed)).not.toContain(token.json.token);
    const agent = new Client(t.url);
    const enrolled = await agent.post("/api/v1/agent/enroll", { token: token.json.token, hostname: "web-1", os: "linux", agentVersion: "0.1.0" });
    expect(enrolled.status).toBe(201);
    expect((await admin.get(`/api/v1/devices?groupId=${group.id}&recursive=true`)).json).toMatchObject({ total: 1, items: [{ hostname: "web-1", groupId: sub.id }] });
    expect((await admin.get(`/api/v1/devices?groupId=${group.id}`)).json.total).toBe(0);
    expect((await admin.delete(`/api/v1/groups/${sub.id}`)).status).toBe(409);
    expect((await admin.patch(`/api/v1/devices/${enrolled.json.deviceId}`, { groupId: group.id })).json.groupId).toBe(group.id);
    expect((await admin.post(`/api/v1/enrollment-tokens/${token.json.id}/revoke`)).status).toBe(204);
    expect((await agent.post("/api/v1/agent/enroll", { token: token.json.token, hostname: "web-2", os: "linux", agentVersion: "0.1.0" })).status).toBe(401);
    expect((await admin.delete(`/api/v1/devices/${enrolled.json.deviceId}`)).status).toBe(204);
    agent.bearer = enrolled.json.credential;
    expect((await agent.get("/api/v1/agent/work?wait=0")).status).toBe(401);
  });
});

describe("server error log", () => {
  it("logs an internal failure with the request's decoded path escaped: a request cannot write control sequences to the log", async () => {
    const logged: string[] = [];
    const own = await startTestServer({ log: (m) => logged.push(m) });
    try {
      const viewer = await own.loginAs("viewer");
      own.store.getDevice = () => Promise.reject(new Error("disk on fire"));
      const res = await viewer.get("/api/v1/devices/x%1b%5b2J%0dfine");
      expect(res.status).toBe(500);
      const line = logged.find((m) => m.includes("disk on fire")) ?? "";
      expect(line).toContain('GET "/api/v1/devices/x\\u001b[2J\\rfine" failed');
      expect(line).not.toContain("\x1b");
      expect(line).not.toContain("\r");
    } finally {
      await own.close();
    }
  });
});
