import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { runStoreConformance } from "../conformance.js";
import { openPostgresStore } from "./driver.js";
import { makeTestReport } from "../test-report.js";
import { connectTestPostgres, DROP_TIMEOUT_MS, TEST_POSTGRES_URL } from "./test-postgres.js";

const server = await connectTestPostgres();
afterAll(async () => {
  await server?.dropAll();
}, DROP_TIMEOUT_MS);

describe.skipIf(server === undefined)("openPostgresStore on a real PostgreSQL", () => {
  runStoreConformance(
    (url, options) => openPostgresStore(new pg.Pool({ connectionString: url, max: 4 }), options),
    () => {
      if (server === undefined) throw new Error("unreachable: the suite is skipped without PostgreSQL");
      return server.newDatabase();
    },
  );
});

describe.skipIf(server === undefined)("a store's pool on a real PostgreSQL", () => {
  it("an idle connection terminated by the server neither ends the process nor the store", async () => {
    const url = (await server?.newDatabase()) ?? "";
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const store = await openPostgresStore(pool);
    try {
      await store.saveScan(makeTestReport("before"));
      expect(pool.idleCount).toBeGreaterThan(0);
      // What a PostgreSQL restart or an administrator does to the pool's idle connections.
      const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await admin.connect();
      try {
        await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [new URL(url).pathname.slice(1)]);
      } finally {
        await admin.end();
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Without a listener, the pool's "error" event would have ended this worker by now.
      await store.saveScan(makeTestReport("after"));
      expect((await store.getScan("after"))?.scanId).toBe("after");
    } finally {
      await store.close();
    }
  });
});
