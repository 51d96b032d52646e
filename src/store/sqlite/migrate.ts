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
import { resultsMigrationProvider } from "../migrations.js";
import type { StoreDatabase } from "../schema.js";

/** Brings the database up to the latest migration; throws with the failing migration's error. */
export async function migrateSqlite(db: Kysely<StoreDatabase>, connection: BetterSqlite3.Database, file: string): Promise<void> {
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
