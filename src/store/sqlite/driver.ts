/**
 * The SQLite driver of the results database (the embedded default), on better-sqlite3.
 *
 * @module
 */
import { closeSync, mkdirSync, openSync, realpathSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { createKyselyStore, type StoreDriver } from "../_kysely-store.js";
import type { StoreDatabase } from "../schema.js";
import type { ResultsStore, StoreOptions } from "../store.js";
import { withFileLock } from "./_file-lock.js";
import { migrateSqlite } from "./migrate.js";

/** How long a writer waits for another process's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens (creating when needed) the results database at `path` and migrates it to the latest
 * schema. A new folder is made with mode 0700 and a new file with 0600, since results name
 * what was found where; SQLite gives its -wal and -shm files the database file's mode.
 *
 * @example
 * ```ts
 * const store = await openSqliteStore(defaultResultsDbPath());
 * try {
 *   await store.saveScan(report);
 * } finally {
 *   await store.close();
 * }
 * ```
 */
export async function openSqliteStore(path: string, options: StoreOptions = {}): Promise<ResultsStore> {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, "a", 0o600));
  // Stores opened on the same file through different names (a symlink, a relative path) must
  // share one queue.
  const key = realpathSync(file);

  const connection = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  const db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: connection }) });
  try {
    await withFileLock(key, async () => {
      // WAL: readers never block the writer nor the other way round. NORMAL is durable enough in
      // WAL mode (a power cut may lose the last commits, never corrupt the file).
      connection.pragma("journal_mode = WAL");
      connection.pragma("synchronous = NORMAL");
      connection.pragma("foreign_keys = ON");
      await migrateSqlite(db, connection, file);
    });
  } catch (error) {
    await db.destroy();
    throw error;
  }

  const driver: StoreDriver = {
    db,
    writeTransaction: (work) =>
      withFileLock(key, () =>
        db.connection().execute(async (conn) => {
          // IMMEDIATE takes the write lock up front: a deferred transaction that read first could
          // fail with SQLITE_BUSY_SNAPSHOT, which the busy timeout does not retry.
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
  };
  return createKyselyStore(driver, options);
}
