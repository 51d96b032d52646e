/**
 * The persistent hash cache behind the FileItem collector: digests keyed by the file version
 * (device, inode, size, mtime and ctime in nanoseconds), so a rescan of an unchanged tree reads
 * no file content at all.
 *
 * SQLite through better-sqlite3: WAL (a reader never waits for the writer), prepared statements,
 * a batch of files looked up in one query (`getMany`), and writes batched into one transaction
 * per `batchSize` puts; a look-up sees the puts not yet written. The schema is versioned with `user_version`; a cache of another version is rebuilt
 * from empty, since every entry can be computed again.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Digests, HashCache, HashCacheKey } from "../../collectors/file/index.js";

/** The schema this code reads and writes. */
export const HASH_CACHE_SCHEMA_VERSION = 1;

export interface HashCacheOptions {
  /** Puts written per transaction. Default 1,000. */
  readonly batchSize?: number;
}

type Algorithm = keyof Digests;
const ALGORITHMS: readonly Algorithm[] = ["md5", "sha1", "sha256"];

/** A row as the queries read it: digests as lower-case hex, "" when absent (hex(NULL) is ""). */
interface Row {
  ino?: bigint;
  size: bigint;
  mtime_ns: bigint;
  ctime_ns: bigint;
  md5: string;
  sha1: string;
  sha256: string;
}

// Hex made by SQLite: a Buffer per digest, then its hex, cost more than the query itself.
const DIGEST_COLUMNS = "lower(hex(md5)) AS md5, lower(hex(sha1)) AS sha1, lower(hex(sha256)) AS sha256";

/** Puts per fresh device remembered before its look-ups go back to querying (see freshDevices). */
const FRESH_LIMIT = 100_000;

/** Files per query of `getMany`. */
const MANY = 64;

/** SQLite integers are signed 64-bit; inode numbers may use all 64 bits (overlayfs, btrfs). */
const int64 = (value: bigint): bigint => BigInt.asIntN(64, value);

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

/**
 * Opens (creating it and its folder if needed) the hash cache at `path`.
 *
 * @example
 * ```ts
 * const cache = openHashCache("/var/lib/iocscan/hash-cache.sqlite");
 * try { for await (const r of fileCollector.collect(ctx, { scopes: ["/srv"], hashCache: cache })) … }
 * finally { cache.close(); }
 * ```
 */
export function openHashCache(path: string, options: HashCacheOptions = {}): HashCache {
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // A crash may lose the last batch; that only costs hashing those files again.
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  createSchema(db);
  const select = db.prepare<[bigint, bigint], Row>(`SELECT size, mtime_ns, ctime_ns, ${DIGEST_COLUMNS} FROM file_digests WHERE dev = ? AND ino = ?`).safeIntegers(true);
  // A batch of files in one query: a fixed number of slots (one prepared statement), padded.
  const selectMany = db
    .prepare<bigint[], Row>(`SELECT ino, size, mtime_ns, ctime_ns, ${DIGEST_COLUMNS} FROM file_digests WHERE dev = ? AND ino IN (${Array<string>(MANY).fill("?").join(", ")})`)
    .safeIntegers(true);
  const anyOfDev = db.prepare<[bigint], number>("SELECT 1 FROM file_digests WHERE dev = ? LIMIT 1").pluck();
  /**
   * Devices that held no entry when this scan first asked about them (a first scan, a new disk),
   * with the inodes this scan has put for them since: a look-up of any other file there can only
   * miss, so it is answered without a query. Past {@link FRESH_LIMIT} puts the device is looked
   * up as usual (null), which keeps the memory bounded.
   */
  const freshDevices = new Map<bigint, Set<bigint> | null>();
  const putSince = (dev: bigint): Set<bigint> | undefined => {
    let written = freshDevices.get(dev);
    if (written === undefined) freshDevices.set(dev, (written = anyOfDev.get(dev) === undefined ? new Set() : null));
    return written ?? undefined;
  };
  /** True when the file cannot have an entry: its device was fresh and this scan has not put it. */
  const cannotHave = (key: HashCacheKey): boolean => putSince(int64(key.dev))?.has(int64(key.ino)) === false;
  const notePut = (key: HashCacheKey): void => {
    const dev = int64(key.dev);
    const written = putSince(dev);
    if (written === undefined) return;
    if (written.size >= FRESH_LIMIT) freshDevices.set(dev, null);
    else written.add(int64(key.ino));
  };
  const upsert = db.prepare<[bigint, bigint, bigint, bigint, bigint, Buffer | null, Buffer | null, Buffer | null]>(
    "INSERT OR REPLACE INTO file_digests (dev, ino, size, mtime_ns, ctime_ns, md5, sha1, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const pending = new Map<string, { key: HashCacheKey; digests: Digests }>();
  const writeBatch = db.transaction((entries: Iterable<{ key: HashCacheKey; digests: Digests }>) => {
    for (const { key, digests } of entries) {
      const blob = (algorithm: Algorithm): Buffer | null => {
        const hex = digests[algorithm];
        return hex === undefined ? null : Buffer.from(hex, "hex");
      };
      upsert.run(int64(key.dev), int64(key.ino), int64(key.size), int64(key.mtimeNs), int64(key.ctimeNs), blob("md5"), blob("sha1"), blob("sha256"));
    }
  });
  const flush = (): void => {
    if (pending.size === 0) return;
    writeBatch(pending.values());
    pending.clear();
  };
  const idOf = (key: HashCacheKey): string => `${key.dev}:${key.ino}`;
  const sameVersion = (a: HashCacheKey, size: bigint, mtimeNs: bigint, ctimeNs: bigint): boolean =>
    int64(a.size) === size && int64(a.mtimeNs) === mtimeNs && int64(a.ctimeNs) === ctimeNs;
  let open = true;
  // The collector always looks a file up before it puts: remembering the answer spares put()
  // a second SELECT. Bounded: forgotten wholesale when it grows (a miss only costs a SELECT).
  // By inode alone (no "dev:ino" string made per look-up); the device is checked on use.
  const recent = new Map<bigint, { key: HashCacheKey; digests: Digests | undefined }>();

  const fromRow = (key: HashCacheKey, row: Row | undefined): Digests | undefined => {
    if (row === undefined || !sameVersion(key, row.size, row.mtime_ns, row.ctime_ns)) return undefined;
    const digests: Digests = {};
    for (const algorithm of ALGORITHMS) {
      const hex = row[algorithm];
      if (hex !== "") digests[algorithm] = hex;
    }
    return digests;
  };
  /** Answers from the puts not yet written: undefined when none is queued for the file. */
  const queuedFor = (key: HashCacheKey): { digests: Digests | undefined } | undefined => {
    if (!open) throw new Error("hash cache is closed");
    if (pending.size === 0) return undefined;
    const queued = pending.get(idOf(key));
    if (queued === undefined) return undefined;
    const { key: k } = queued;
    return { digests: sameVersion(key, int64(k.size), int64(k.mtimeNs), int64(k.ctimeNs)) ? { ...queued.digests } : undefined };
  };
  const lookup = (key: HashCacheKey): Digests | undefined => {
    const queued = queuedFor(key);
    if (queued !== undefined) return queued.digests;
    if (cannotHave(key)) return undefined;
    return fromRow(key, select.get(int64(key.dev), int64(key.ino)));
  };
  const remember = (key: HashCacheKey, digests: Digests | undefined): Digests | undefined => {
    if (recent.size >= 4096) recent.clear();
    recent.set(key.ino, { key, digests });
    return digests === undefined ? undefined : { ...digests };
  };
  const get = (key: HashCacheKey): Digests | undefined => remember(key, lookup(key));
  const getMany = (keys: readonly HashCacheKey[]): (Digests | undefined)[] => {
    const answers: (Digests | undefined)[] = keys.map(() => undefined);
    // The keys not answered by a queued put, by device, as [index, key].
    const byDev = new Map<bigint, [number, HashCacheKey][]>();
    for (const [i, key] of keys.entries()) {
      const queued = queuedFor(key);
      if (queued !== undefined) answers[i] = queued.digests;
      else if (!cannotHave(key)) {
        const dev = int64(key.dev);
        const list = byDev.get(dev) ?? [];
        if (list.length === 0) byDev.set(dev, list);
        list.push([i, key]);
      }
    }
    for (const [dev, list] of byDev) {
      for (let start = 0; start < list.length; start += MANY) {
        const part = list.slice(start, start + MANY);
        const inos = part.map(([, key]) => int64(key.ino));
        while (inos.length < MANY) inos.push(inos[0] as bigint);
        const rows = new Map<bigint, Row>();
        for (const row of selectMany.all(dev, ...inos)) rows.set(row.ino as bigint, row);
        for (const [i, key] of part) answers[i] = fromRow(key, rows.get(int64(key.ino)));
      }
    }
    return keys.map((key, i) => remember(key, answers[i]));
  };
  const known = (key: HashCacheKey): Digests | undefined => {
    const seen = recent.get(key.ino);
    recent.delete(key.ino);
    if (seen !== undefined && seen.key.dev === key.dev && sameVersion(key, int64(seen.key.size), int64(seen.key.mtimeNs), int64(seen.key.ctimeNs))) return seen.digests;
    return lookup(key);
  };

  return {
    get,
    getMany,
    put(key, digests) {
      // Digests already known for this same version are kept: md5 now + sha256 later = both.
      const merged: Digests = { ...known(key) };
      for (const algorithm of ALGORITHMS) {
        const hex = digests[algorithm];
        if (hex !== undefined) merged[algorithm] = hex.toLowerCase();
      }
      pending.set(idOf(key), { key, digests: merged });
      notePut(key);
      if (pending.size >= batchSize) flush();
    },
    close() {
      if (!open) return;
      flush();
      open = false;
      db.close();
    },
  };
}
