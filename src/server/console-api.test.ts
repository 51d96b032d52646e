/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- the tests read JSON answers as they come */
/**
 * What the console's IOC viewer and audit log page ask of the server: an IOC file's indicator
 * tree, and the audit log filtered by actor and action (on SQLite through the API, and on the
 * real PostgreSQL through the store, since the filter is SQL both must answer alike).
 */
import pg from "pg";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectTestPostgres, DROP_TIMEOUT_MS } from "../store/postgres/test-postgres.js";
import { openPostgresFleetStore, ROOT_GROUP_ID, type FleetStore } from "../store/fleet/index.js";
import { startTestServer, type TestServer } from "./test-support.js";

const NESTED = `<?xml version="1.0" encoding="utf-8"?>
<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="tree-1">
  <metadata><short_description>Nested tree</short_description></metadata>
  <criteria>
    <Indicator id="top" operator="OR">
      <IndicatorItem id="md5" condition="is"><Context document="FileItem" search="FileItem/Md5sum" type="mir"/><Content type="md5">0123456789abcdef0123456789abcdef</Content></IndicatorItem>
      <Indicator id="both" operator="AND">
        <IndicatorItem id="name" condition="contains" negate="true" preserve-case="true"><Context document="FileItem" search="FileItem/FileName" type="mir"/><Content type="string">Evil.exe</Content></IndicatorItem>
        <IndicatorItem id="size" condition="greater-than"><Context document="FileItem" search="FileItem/SizeInBytes" type="mir"/><Content type="int">100</Content></IndicatorItem>
      </Indicator>
    </Indicator>
  </criteria>
</OpenIOC>`;

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.close();
});

describe("GET /ioc-files/:id/tree", () => {
  it("answers the AND/OR tree with each item's document, search, condition, value and flags", async () => {
    const viewer = await t.loginAs("viewer");
    const op = await t.loginAs("operator");
    const stored = await op.post("/api/v1/ioc-files", { files: [{ name: "nested.ioc", content: NESTED }] });
    expect(stored.status).toBe(201);
    const id = stored.json.items[0].id as string;
    const tree = await viewer.get(`/api/v1/ioc-files/${id}/tree`);
    expect(tree.status).toBe(200);
    expect(tree.json).toMatchObject({ iocId: "tree-1", title: "Nested tree", version: "1.1" });
    const top = tree.json.criteria;
    expect(top).toMatchObject({ kind: "indicator", id: "top", operator: "OR" });
    expect(top.children.map((c: { id: string }) => c.id)).toEqual(["md5", "both"]);
    expect(top.children[0]).toEqual({ kind: "item", id: "md5", document: "FileItem", search: "FileItem/Md5sum", condition: "is", content: "0123456789abcdef0123456789abcdef", contentType: "md5", negate: false, preserveCase: false, line: 6 });
    expect(top.children[1]).toMatchObject({ kind: "indicator", operator: "AND" });
    expect(top.children[1].children[0]).toMatchObject({ id: "name", condition: "contains", negate: true, preserveCase: true, content: "Evil.exe" });
    expect(top.children[1].children[1]).toMatchObject({ id: "size", condition: "greater-than", content: "100" });
  });

  it("answers 404 for an unknown file and 401 without a session", async () => {
    const viewer = await t.loginAs("viewer");
    const missing = await viewer.get("/api/v1/ioc-files/nope/tree");
    expect(missing.status).toBe(404);
    expect(missing.json.error.message).toMatch(/nope/);
    const anonymous = await fetch(`${t.url}/api/v1/ioc-files/nope/tree`);
    expect(anonymous.status).toBe(401);
  });
});

async function auditFixture(store: FleetStore): Promise<void> {
  await store.createGroup({ name: "A", parentId: ROOT_GROUP_ID }, "user:Alice");
  await store.createGroup({ name: "B", parentId: ROOT_GROUP_ID }, "user:bob");
  await store.audit({ actor: "user:alice", action: "task.create", target: "task:1" });
  await store.audit({ actor: "user:a_b%", action: "task.start", target: "task:1" });
}

describe("GET /audit?actor=&action=", () => {
  it("filters by actor substring and action prefix, ignoring case, with the total of the filtered log", async () => {
    const admin = await t.loginAs("administrator", "root-admin");
    await auditFixture(t.store);
    const byAlice = await admin.get("/api/v1/audit?actor=ALICE&limit=1");
    expect(byAlice.status).toBe(200);
    expect(byAlice.json.total).toBe(2);
    expect(byAlice.json.items).toHaveLength(1);
    const tasks = await admin.get("/api/v1/audit?action=task.");
    expect(tasks.json.items.map((e: { action: string }) => e.action).sort()).toEqual(["task.create", "task.start"]);
    // % and _ are literal characters, not patterns.
    expect((await admin.get("/api/v1/audit?actor=_b%25")).json.items.map((e: { actor: string }) => e.actor)).toEqual(["user:a_b%"]);
    expect((await admin.get("/api/v1/audit?actor=alice&action=group.")).json.total).toBe(1);
    const operator = await t.loginAs("operator");
    expect((await operator.get("/api/v1/audit?actor=alice")).status).toBe(403);
  });
});

const postgres = await connectTestPostgres();
afterAll(async () => {
  await postgres?.dropAll();
}, DROP_TIMEOUT_MS);

describe.skipIf(postgres === undefined)("listAudit filters on a real PostgreSQL", () => {
  it("matches SQLite: actor substring and action prefix ignoring case, % and _ literal", async () => {
    if (postgres === undefined) throw new Error("unreachable: skipped without PostgreSQL");
    const store = await openPostgresFleetStore(new pg.Pool({ connectionString: await postgres.newDatabase(), max: 2 }));
    try {
      await auditFixture(store);
      expect((await store.listAudit({ actor: "ALICE" })).total).toBe(2);
      expect((await store.listAudit({ action: "TASK." })).entries.map((e) => e.action).sort()).toEqual(["task.create", "task.start"]);
      expect((await store.listAudit({ actor: "_b%" })).entries.map((e) => e.actor)).toEqual(["user:a_b%"]);
      expect((await store.listAudit({ actor: "x_b" })).total).toBe(0);
    } finally {
      await store.close();
    }
  }, 60_000);
});
