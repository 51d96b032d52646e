/**
 * The fleet store on SQLite (the server's embedded default): one file, WAL, writers of this
 * process queued per file (see ../sqlite/_file-lock.ts), migrations under `BEGIN IMMEDIATE`.
 *
 * @module
 */
import { Migrator } from "kysely";
import { openSqlite } from "../sqlite/_open.js";
import type { FleetDriver } from "./_context.js";
import { createFleetStore, type FleetStoreOptions } from "./_fleet-store.js";
import type { FleetStore } from "./fleet-store.js";
import { FLEET_MIGRATION_TABLES, fleetMigrationProvider } from "./migrations.js";
import type { FleetDatabase } from "./schema.js";

// Jobs running in this process, per database file: SQLite serves one server instance (issue 11),
// so an in-process guard is the whole lock.
const runningJobs = new Set<string>();

/**
 * Opens (creating when needed, folder 0700, file 0600) the fleet database at `path` and migrates
 * it.
 *
 * @example
 * ```ts
 * const store = await openSqliteFleetStore("/var/lib/iocscan/server.db");
 * ```
 */
export async function openSqliteFleetStore(path: string, options: FleetStoreOptions = {}): Promise<FleetStore> {
  const { db, key, writeTransaction } = await openSqlite<FleetDatabase>(path, async (db, connection, file) => {
    connection.exec("BEGIN IMMEDIATE");
    try {
      const { error } = await new Migrator({ db, provider: fleetMigrationProvider, ...FLEET_MIGRATION_TABLES }).migrateToLatest();
      if (error !== undefined) throw new Error(`Cannot migrate the fleet database "${file}"`, { cause: error });
      connection.exec("COMMIT");
    } catch (error) {
      if (connection.inTransaction) connection.exec("ROLLBACK");
      throw error;
    }
  });
  const driver: FleetDriver = {
    dialect: "sqlite",
    db,
    writeTransaction,
    async withJobLock(name, work) {
      const job = `${key}\0${name}`;
      if (runningJobs.has(job)) return { ran: false };
      runningJobs.add(job);
      try {
        return { ran: true, value: await work() };
      } finally {
        runningJobs.delete(job);
      }
    },
    close: () => db.destroy(),
  };
  return createFleetStore(driver, options);
}
