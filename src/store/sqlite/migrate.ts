/**
 * Runs the shared migrations on a SQLite database.
 *
 * Kysely runs SQLite migrations outside any transaction and without a lock (its SQLite adapter
 * assumes one connection). Here the whole run happens inside `BEGIN IMMEDIATE` on the very
 * connection Kysely uses: SQLite DDL is transactional, so a failed migration leaves nothing
 * behind, and another process opening the same file waits for the write lock and then finds the
 * migrations done. (PostgreSQL needs none of this: Kysely takes an advisory lock and a
 * transaction there.)
 *
 * @module
 */
import type BetterSqlite3 from "better-sqlite3";
import { Migrator, type Kysely } from "kysely";
import { RESULTS_MIGRATIONS, resultsMigrationProvider } from "../migrations.js";
import type { StoreDatabase } from "../schema.js";

/**
 * True when every migration is recorded as done: the common case of every scan's open, answered
 * by one read without the write lock (which would make concurrent scans wait for each other) and
 * without the Migrator's table checks. A database that is behind (or new) takes the locked path.
 */
function upToDate(connection: BetterSqlite3.Database): boolean {
  let done: Set<unknown>;
  try {
    done = new Set(connection.prepare("SELECT name FROM kysely_migration").pluck().all());
  } catch {
    return false; // no migration table yet
  }
  return Object.keys(RESULTS_MIGRATIONS).every((name) => done.has(name));
}

/** Brings the database up to the latest migration; throws with the failing migration's error. */
export async function migrateSqlite(db: Kysely<StoreDatabase>, connection: BetterSqlite3.Database, file: string): Promise<void> {
  if (upToDate(connection)) return;
  connection.exec("BEGIN IMMEDIATE");
  try {
    const { error, results } = await new Migrator({ db, provider: resultsMigrationProvider }).migrateToLatest();
    if (error !== undefined) {
      const failed = results?.find((r) => r.status === "Error")?.migrationName;
      throw new Error(`Cannot migrate the results database "${file}"${failed ? ` (migration "${failed}")` : ""}`, { cause: error });
    }
    connection.exec("COMMIT");
  } catch (error) {
    if (connection.inTransaction) connection.exec("ROLLBACK");
    throw error;
  }
}
