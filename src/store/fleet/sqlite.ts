/**
 * The fleet store on SQLite (the server's embedded default): one file, WAL, writers of this
 * process queued per file (see ../sqlite/_file-lock.ts), migrations under `BEGIN IMMEDIATE`.
 *
 * @module
 */
import { closeSync, mkdirSync, openSync, realpathSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect, sql } from "kysely";
import { withFileLock } from "../sqlite/_file-lock.js";
import type { FleetDriver } from "./_context.js";
import { createFleetStore, type FleetStoreOptions } from "./_fleet-store.js";
import type { FleetStore } from "./fleet-store.js";
import { FLEET_MIGRATION_TABLES, fleetMigrationProvider } from "./migrations.js";
import type { FleetDatabase } from "./schema.js";

const BUSY_TIMEOUT_MS = 5_000;
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
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, "a", 0o600));
  const key = realpathSync(file);
  const connection = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  const db = new Kysely<FleetDatabase>({ dialect: new SqliteDialect({ database: connection }) });
  try {
    await withFileLock(key, async () => {
      connection.pragma("journal_mode = WAL");
      connection.pragma("synchronous = NORMAL");
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
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const driver: FleetDriver = {
    dialect: "sqlite",
    db,
    writeTransaction: (work) =>
      withFileLock(key, () =>
        db.connection().execute(async (conn) => {
          await sql`begin immediate`.execute(conn);
          try {
            const result = await work(conn);
            await sql`commit`.execute(conn);
            return result;
          } catch (error) {
            if (connection.inTransaction) await sql`rollback`.execute(conn);
            throw error;
          }
        }),
      ),
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
