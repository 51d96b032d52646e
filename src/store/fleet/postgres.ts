/**
 * The fleet store on PostgreSQL, for large fleets and for several server instances on one
 * database (issue 11): migrations run once under Kysely's advisory lock, periodic jobs under an
 * advisory lock of their own.
 *
 * @module
 */
import { Kysely, Migrator, PostgresDialect, sql, type PostgresPool } from "kysely";
import type { FleetDriver } from "./_context.js";
import { createFleetStore, type FleetStoreOptions } from "./_fleet-store.js";
import type { FleetStore } from "./fleet-store.js";
import { FLEET_MIGRATION_TABLES, fleetMigrationProvider } from "./migrations.js";
import type { FleetDatabase } from "./schema.js";
import { survivePoolIdleErrors } from "../postgres/idle-errors.js";

// The first key of iocscan's two-key advisory locks; the second is the job name's hash.
const ADVISORY_NAMESPACE = 0x10c5;

/**
 * Opens the fleet store on `pool` (a `pg.Pool`, which the store owns and ends on `close`) and
 * migrates the database.
 *
 * @example
 * ```ts
 * const store = await openPostgresFleetStore(new pg.Pool({ connectionString: "postgres://iocscan@db/iocscan" }));
 * ```
 */
export async function openPostgresFleetStore(pool: PostgresPool, options: FleetStoreOptions = {}): Promise<FleetStore> {
  survivePoolIdleErrors(pool);
  const db = new Kysely<FleetDatabase>({ dialect: new PostgresDialect({ pool }) });
  const { error } = await new Migrator({ db, provider: fleetMigrationProvider, ...FLEET_MIGRATION_TABLES }).migrateToLatest();
  if (error !== undefined) {
    await db.destroy();
    throw new Error("Cannot migrate the fleet database on PostgreSQL", { cause: error });
  }
  const driver: FleetDriver = {
    dialect: "postgres",
    db,
    writeTransaction: (work) => db.transaction().execute(work),
    withJobLock: (name, work) =>
      // A session lock on one pooled connection, held while `work` runs on others.
      db.connection().execute(async (conn) => {
        const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${ADVISORY_NAMESPACE}, hashtext(${name})) as locked`.execute(conn);
        if (rows[0]?.locked !== true) return { ran: false as const };
        try {
          return { ran: true as const, value: await work() };
        } finally {
          await sql`select pg_advisory_unlock(${ADVISORY_NAMESPACE}, hashtext(${name}))`.execute(conn);
        }
      }),
    close: () => db.destroy(),
  };
  return createFleetStore(driver, options);
}
