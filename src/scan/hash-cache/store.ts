/**
 * The hash cache's SQLite side: the versioned table, one query that looks up a batch of inodes of
 * one device, and multi-row upserts that merge digests into an entry of the same file version.
 *
 * @module
 */
import Database from "better-sqlite3";
import type { Digests, HashCacheKey } from "../../collectors/file/index.js";

/** The schema this code reads and writes. */
export const HASH_CACHE_SCHEMA_VERSION = 1;

export type Algorithm = keyof Digests;
export const ALGORITHMS: readonly Algorithm[] = ["md5", "sha1", "sha256"];

/** SQLite integers are signed 64-bit; inode numbers may use all 64 bits (overlayfs, btrfs). */
export const int64 = (value: bigint): bigint => BigInt.asIntN(64, value);

/**
 * A row as {@link Store.lookup} returns it: an array (a row object per file cost a fifth of the
 * look-up), digests as lower-case hex made by SQLite, "" when absent (hex(NULL) is "").
 */
export type Row = [ino: bigint, size: bigint, mtimeNs: bigint, ctimeNs: bigint, md5: string, sha1: string, sha256: string];

/** Inodes per look-up query: a fixed number of slots (one prepared statement), padded. */
export const LOOKUP_SLOTS = 64;

/** Rows per INSERT statement at most; a batch's rest goes in statements of 32, 16, … rows. */
const INSERT_ROWS = 64;

/** One entry to write. */
export interface Entry {
  readonly key: HashCacheKey;
  readonly digests: Digests;
}

export interface Store {
  /** The rows of these inodes (at most {@link LOOKUP_SLOTS}) of one device that exist, in no order. */
  lookup(dev: bigint, inos: readonly bigint[]): Row[];
  /** True when the device holds no entry at all. */
  emptyDevice(dev: bigint): boolean;
  /** Writes the entries in one transaction, each merged into an entry of the same version. */
  write(entries: readonly Entry[]): void;
  close(): void;
}

function createSchema(db: Database.Database): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version === HASH_CACHE_SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec("DROP TABLE IF EXISTS file_digests");
    db.exec(`CREATE TABLE file_digests (
      dev INTEGER NOT NULL,
      ino INTEGER NOT NULL,
      size INTEGER NOT NULL,
      mtime_ns INTEGER NOT NULL,
      ctime_ns INTEGER NOT NULL,
      md5 BLOB,
      sha1 BLOB,
      sha256 BLOB,
      PRIMARY KEY (dev, ino)
    ) WITHOUT ROWID`);
    db.pragma(`user_version = ${HASH_CACHE_SCHEMA_VERSION}`);
  })();
}

const SAME_VERSION = "size = excluded.size AND mtime_ns = excluded.mtime_ns AND ctime_ns = excluded.ctime_ns";
/**
 * An entry of the same version keeps the digests the new one lacks (md5 now + sha256 later =
 * both); another version is replaced. Done by SQLite, so a put needs no look-up first. The
 * CASE sees the row as it was before the update (SET expressions are evaluated first).
 */
const MERGE = `ON CONFLICT (dev, ino) DO UPDATE SET ${ALGORITHMS.map((a) => `${a} = CASE WHEN ${SAME_VERSION} THEN coalesce(excluded.${a}, ${a}) ELSE excluded.${a} END`).join(", ")}, size = excluded.size, mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns`;

/** Opens the database at `path` (created if missing; its folder must exist). */
export function openStore(path: string): Store {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // A crash may lose the last batch; that only costs hashing those files again.
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  createSchema(db);
  // Hex made by SQLite: a Buffer per digest and its hex made in JS measured 10-20% slower.
  const lookup = db
    .prepare<[bigint[]], Row>(
      `SELECT ino, size, mtime_ns, ctime_ns, lower(hex(md5)), lower(hex(sha1)), lower(hex(sha256)) FROM file_digests WHERE dev = ? AND ino IN (${Array<string>(LOOKUP_SLOTS).fill("?").join(", ")})`,
    )
    .safeIntegers(true)
    .raw(true);
  const anyOfDev = db.prepare<[bigint], number>("SELECT 1 FROM file_digests WHERE dev = ? LIMIT 1").pluck();
  // Multi-row statements, by row count (powers of two up to INSERT_ROWS), prepared when first used.
  type Insert = Database.Statement<[(bigint | Buffer | null)[]]>;
  const inserts = new Map<number, Insert>();
  const insert = (rows: number): Insert => {
    let statement = inserts.get(rows);
    if (statement === undefined) {
      const values = Array<string>(rows).fill("(?, ?, ?, ?, ?, ?, ?, ?)").join(", ");
      statement = db.prepare<[(bigint | Buffer | null)[]]>(`INSERT INTO file_digests (dev, ino, size, mtime_ns, ctime_ns, md5, sha1, sha256) VALUES ${values} ${MERGE}`);
      inserts.set(rows, statement);
    }
    return statement;
  };
  const blob = (hex: string | undefined): Buffer | null => (hex === undefined ? null : Buffer.from(hex, "hex"));
  const write = db.transaction((entries: readonly Entry[]) => {
    const params: (bigint | Buffer | null)[] = [];
    let start = 0;
    for (let rows = INSERT_ROWS; rows >= 1; rows >>= 1) {
      for (; start + rows <= entries.length; start += rows) {
        params.length = 0;
        for (let i = start; i < start + rows; i++) {
          const { key, digests } = entries[i] as Entry;
          params.push(int64(key.dev), int64(key.ino), int64(key.size), int64(key.mtimeNs), int64(key.ctimeNs), blob(digests.md5), blob(digests.sha1), blob(digests.sha256));
        }
        insert(rows).run(params);
      }
    }
  });
  return {
    lookup(dev, inos) {
      const params = [int64(dev), ...inos];
      while (params.length <= LOOKUP_SLOTS) params.push(inos[0] as bigint);
      return lookup.all(params);
    },
    emptyDevice: (dev) => anyOfDev.get(int64(dev)) === undefined,
    write: (entries) => write(entries),
    close: () => db.close(),
  };
}
