import pg from "pg";
import { afterAll, describe } from "vitest";
import { runStoreConformance } from "../conformance.js";
import { openPostgresStore } from "./driver.js";
import { connectTestPostgres, DROP_TIMEOUT_MS } from "./test-postgres.js";

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
