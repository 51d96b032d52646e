/**
 * The SQLite driver of the results database (the embedded default), on better-sqlite3.
 *
 * @module
 */
import { createKyselyStore, type StoreDriver } from "../_kysely-store.js";
import type { StoreDatabase } from "../schema.js";
import type { ResultsStore, StoreOptions } from "../store.js";
import { openSqlite } from "./_open.js";
import { migrateSqlite } from "./migrate.js";

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
  const { db, writeTransaction } = await openSqlite<StoreDatabase>(path, migrateSqlite, ["foreign_keys = ON"]);
  const driver: StoreDriver = { db, writeTransaction };
  return createKyselyStore(driver, options);
}
