/**
 * Opening a SQLite database for one of the stores (results, fleet): the file and its folder made
 * private, WAL, writers of this process queued per file, migrations run under that queue, and
 * write transactions that take the write lock up front.
 *
 * @module
 */
import { closeSync, openSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { withFileLock } from "./_file-lock.js";
import { makeFolderSync } from "../../shared/make-folder.js";

/** How long a writer waits for another process's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * better-sqlite3's compiled addon, by path: the CLI bundle holds the package's JavaScript (loaded
 * through the bundle's code cache, not resolved and compiled file by file at every start), and
 * there the package could not find its addon itself (it looks beside the calling file).
 */
let addonPath: string | null | undefined;
function sqliteAddon(): string | undefined {
  if (addonPath === undefined) {
    try {
      addonPath = createRequire(import.meta.url).resolve("better-sqlite3/build/Release/better_sqlite3.node");
    } catch {
      // Not there (a build/Debug build): the package looks for it itself, as outside the bundle.
      addonPath = null;
    }
  }
  return addonPath ?? undefined;
}

/** An open database, ready for a store. */
export interface OpenSqlite<DB> {
  readonly file: string;
  /** The real path: stores opened through different names (a symlink) share one write queue. */
  readonly key: string;
  readonly connection: Database.Database;
  readonly db: Kysely<DB>;
  /** Runs `work` in a write transaction, queued behind this process's other writers of the file. */
  readonly writeTransaction: <T>(work: (trx: Kysely<DB>) => Promise<T>) => Promise<T>;
}

/**
 * Opens (creating when needed: folder 0700, file 0600, since the stores name what was found where
 * and who may log in; SQLite gives its -wal and -shm files the database file's mode) and migrates.
 */
export async function openSqlite<DB>(
  path: string,
  migrate: (db: Kysely<DB>, connection: Database.Database, file: string) => Promise<void>,
  pragmas: readonly string[] = [],
): Promise<OpenSqlite<DB>> {
  const file = resolve(path);
  makeFolderSync(dirname(file), 0o700);
  closeSync(openSync(file, "a", 0o600));
  const key = realpathSync(file);
  const addon = sqliteAddon();
  const connection = new Database(file, { timeout: BUSY_TIMEOUT_MS, ...(addon === undefined ? {} : { nativeBinding: addon }) });
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: connection }) });
  try {
    // Before any pragma or migration writes to it: another program's database (a mistyped --db)
    // must be left exactly as it is, not given iocscan's tables and a new journal mode.
    const foreign = foreignTables(connection);
    if (foreign.length > 0) {
      throw new Error(`"${file}" is not an iocscan database: it holds other tables (${foreign.slice(0, 5).map((t) => `"${t}"`).join(", ")}${foreign.length > 5 ? ", …" : ""}); it was left untouched`);
    }
    await withFileLock(key, async () => {
      // WAL: readers never block the writer nor the other way round. NORMAL is durable enough in
      // WAL mode (a power cut may lose the last commits, never corrupt the file).
      connection.pragma("journal_mode = WAL");
      connection.pragma("synchronous = NORMAL");
      for (const pragma of pragmas) connection.pragma(pragma);
      await migrate(db, connection, file);
    });
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    file,
    key,
    connection,
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
}

/**
 * The tables of a database that iocscan did not make, when it holds no iocscan migration table at
 * all: then it is another program's. Empty for a new file and for any iocscan database.
 */
function foreignTables(connection: Database.Database): string[] {
  const tables = connection.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").pluck().all() as string[];
  if (tables.some((name) => name === "kysely_migration" || name === "fleet_migration")) return [];
  return tables;
}
