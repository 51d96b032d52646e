/**
 * A real PostgreSQL for tests: each call of `newDatabase` creates a fresh database
 * (`iocscan_t_<random>`), and `dropAll` (call it from `afterAll`, with `DROP_TIMEOUT_MS`) drops
 * every one made. A database, not a schema, per call: Kysely's Migrator looks for its tables in
 * every schema and would take another schema's for its own. The server is
 * `IOCSCAN_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`, which
 * `.ci/run` provides). When it cannot be reached the tests are skipped with a loud message,
 * unless `IOCSCAN_REQUIRE_POSTGRES=1`, when they fail.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const TEST_POSTGRES_URL = process.env["IOCSCAN_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** How long `dropAll` may take (a forced drop waits for connections to end). */
export const DROP_TIMEOUT_MS = 120_000;

/** Fresh databases on the test server. */
export interface TestPostgres {
  /** Creates an empty database and returns its URL. */
  newDatabase(): Promise<string>;
  dropAll(): Promise<void>;
}

async function query(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Resolves to the test server, or undefined (after a warning) when it is unreachable and not required. */
export async function connectTestPostgres(): Promise<TestPostgres | undefined> {
  try {
    await query(TEST_POSTGRES_URL, "select 1");
  } catch (error) {
    const why = `PostgreSQL at "${TEST_POSTGRES_URL}" is unreachable: ${error instanceof Error ? error.message : String(error)}`;
    if (process.env["IOCSCAN_REQUIRE_POSTGRES"] === "1") throw new Error(`${why} (IOCSCAN_REQUIRE_POSTGRES=1)`, { cause: error });
    process.stderr.write(`\n!!! SKIPPING PostgreSQL tests: ${why}\n!!! Start it (see .ci/run) or set IOCSCAN_TEST_POSTGRES_URL.\n\n`);
    return undefined;
  }
  const made: string[] = [];
  return {
    async newDatabase() {
      const name = `iocscan_t_${randomBytes(6).toString("hex")}`;
      await query(TEST_POSTGRES_URL, `create database ${name}`);
      made.push(name);
      const url = new URL(TEST_POSTGRES_URL);
      url.pathname = `/${name}`;
      return url.href;
    },
    async dropAll() {
      await Promise.all(made.splice(0).map((name) => query(TEST_POSTGRES_URL, `drop database if exists ${name} with (force)`)));
    },
  };
}
