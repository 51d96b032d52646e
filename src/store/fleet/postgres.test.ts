import pg from "pg";
import { afterAll, describe } from "vitest";
import { connectTestPostgres, DROP_TIMEOUT_MS } from "../postgres/test-postgres.js";
import { runFleetConformance } from "./conformance.js";
import { openPostgresFleetStore } from "./postgres.js";

const server = await connectTestPostgres();
afterAll(async () => {
  await server?.dropAll();
}, DROP_TIMEOUT_MS);

describe.skipIf(server === undefined)("openPostgresFleetStore on a real PostgreSQL", () => {
  runFleetConformance(
    (url, options) => openPostgresFleetStore(new pg.Pool({ connectionString: url, max: 6 }), options),
    () => {
      if (server === undefined) throw new Error("unreachable: the suite is skipped without PostgreSQL");
      return server.newDatabase();
    },
  );
});
