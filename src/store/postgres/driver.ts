/**
 * The PostgreSQL driver of the results database, for the server's large fleets (issue 7).
 *
 * The server passes a `pg.Pool` here; postgres.test.ts runs `runStoreConformance` on a real
 * PostgreSQL.
 *
 * @module
 */
import { Kysely, Migrator, PostgresDialect, type PostgresPool } from "kysely";
import { createKyselyStore } from "../_kysely-store.js";
import { resultsMigrationProvider } from "../migrations.js";
import type { StoreDatabase } from "../schema.js";
import type { ResultsStore, StoreOptions } from "../store.js";
import { survivePoolIdleErrors } from "./idle-errors.js";

/**
 * Opens the results store on `pool` (a `pg.Pool`, which the store then owns and ends on
 * `close`) and migrates the database to the latest schema. Kysely runs the migrations in one
 * transaction under an advisory lock, so servers starting together migrate once.
 *
 * @example
 * ```ts
 * const store = await openPostgresStore(new pg.Pool({ connectionString: "postgres://iocscan@db/iocscan" }));
 * ```
 */
export async function openPostgresStore(pool: PostgresPool, options: StoreOptions = {}): Promise<ResultsStore> {
  survivePoolIdleErrors(pool);
  const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) });
  const { error } = await new Migrator({ db, provider: resultsMigrationProvider }).migrateToLatest();
  if (error !== undefined) {
    await db.destroy();
    throw new Error("Cannot migrate the results database on PostgreSQL", { cause: error });
  }
  // READ COMMITTED (the default) is enough: the queries lock the scans row before its
  // detections (see _write-scan.ts), so concurrent writers of one scan wait for each other.
  return createKyselyStore({ db, writeTransaction: (work) => db.transaction().execute(work) }, options);
}
