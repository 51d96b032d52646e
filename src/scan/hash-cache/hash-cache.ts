/**
 * The persistent hash cache behind the FileItem collector: digests keyed by the file version
 * (device, inode, size, mtime and ctime in nanoseconds), so a rescan of an unchanged tree reads
 * no file content at all.
 *
 * SQLite through better-sqlite3 (store.ts): a batch of files looked up in one query
 * (`getMany`), and puts queued and written sorted by inode, in one transaction per
 * `batchSize` puts or `maxDelayMs`, whichever comes first; a look-up sees the puts not yet
 * written. A put needs no look-up: merging with the digests known for the same version is done
 * by the write. The schema is versioned with `user_version`; a cache of another version is
 * rebuilt from empty, since every entry can be computed again.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Digests, HashCache, HashCacheKey } from "../../collectors/file/index.js";
import { ALGORITHMS, int64, LOOKUP_SLOTS, openStore, type Entry, type Row } from "./store.js";

export { HASH_CACHE_SCHEMA_VERSION } from "./store.js";

export interface HashCacheOptions {
  /** Puts written per transaction at most. Default 5,000. */
  readonly batchSize?: number;
  /** Queued puts are written once the oldest has waited this long (checked at each put). Default 1,000 ms. */
  readonly maxDelayMs?: number;
}

/** Puts per fresh device remembered before its look-ups go back to querying (see freshDevices). */
const FRESH_LIMIT = 100_000;

const sameVersion = (key: HashCacheKey, other: HashCacheKey): boolean =>
  key.size === other.size && key.mtimeNs === other.mtimeNs && key.ctimeNs === other.ctimeNs;

/** The digests of a row if it holds this version of the file. */
function fromRow(key: HashCacheKey, row: Row | undefined): Digests | undefined {
  if (row === undefined || int64(key.size) !== row[1] || int64(key.mtimeNs) !== row[2] || int64(key.ctimeNs) !== row[3]) return undefined;
  const digests: Digests = {};
  if (row[4] !== "") digests.md5 = row[4];
  if (row[5] !== "") digests.sha1 = row[5];
  if (row[6] !== "") digests.sha256 = row[6];
  return digests;
}

const byInode = (a: Entry, b: Entry): number => (a.key.dev !== b.key.dev ? (a.key.dev < b.key.dev ? -1 : 1) : a.key.ino < b.key.ino ? -1 : a.key.ino > b.key.ino ? 1 : 0);

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
  const batchSize = Math.max(1, options.batchSize ?? 5000);
  const maxDelayMs = Math.max(0, options.maxDelayMs ?? 1000);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const store = openStore(path);
  /**
   * Devices that held no entry when this scan first asked about them (a first scan, a new disk),
   * with the inodes this scan has put for them since: a look-up of any other file there can only
   * miss, so it is answered without a query. Past {@link FRESH_LIMIT} puts the device is looked
   * up as usual (null), which keeps the memory bounded.
   */
  const freshDevices = new Map<bigint, Set<bigint> | null>();
  const putSince = (dev: bigint): Set<bigint> | undefined => {
    let written = freshDevices.get(dev);
    if (written === undefined) freshDevices.set(dev, (written = store.emptyDevice(dev) ? new Set() : null));
    return written ?? undefined;
  };
  /**
   * Puts not yet written, by inode (no "dev:ino" string made per put): a put for the same inode
   * on another device writes the queued ones first, so one inode is queued once at most.
   */
  const pending = new Map<bigint, Entry>();
  let queuedSince = 0;
  const flush = (): void => {
    if (pending.size === 0) return;
    // In key order: neighbouring rows share B-tree pages, so a batch rewrites fewer of them.
    store.write([...pending.values()].sort(byInode));
    pending.clear();
  };
  const queued = (key: HashCacheKey): Entry | undefined => {
    const entry = pending.get(key.ino);
    return entry !== undefined && entry.key.dev === key.dev ? entry : undefined;
  };
  let open = true;
  const checkOpen = (): void => {
    if (!open) throw new Error("hash cache is closed");
  };

  /** Answers the keys at `indexes` (all of device `dev`) into `answers`. */
  const lookUp = (dev: bigint, keys: readonly HashCacheKey[], indexes: readonly number[], answers: (Digests | undefined)[]): void => {
    const written = putSince(int64(dev));
    const asking: number[] = [];
    for (const i of indexes) {
      const key = keys[i] as HashCacheKey;
      // A fresh device: only what this scan put (written or queued) can be there.
      if (written !== undefined && !written.has(int64(key.ino))) continue;
      // Another version queued: this one is about to be replaced.
      const entry = pending.size > 0 ? queued(key) : undefined;
      if (entry === undefined || sameVersion(key, entry.key)) asking.push(i);
    }
    for (let start = 0; start < asking.length; start += LOOKUP_SLOTS) {
      const part = asking.slice(start, start + LOOKUP_SLOTS);
      const inos = part.map((i) => int64((keys[i] as HashCacheKey).ino));
      const rows = store.lookup(dev, inos);
      if (rows.length === 0 && pending.size === 0) continue;
      const byIno = new Map<bigint, Row>();
      for (const row of rows) byIno.set(row[0], row);
      for (const [j, i] of part.entries()) {
        const key = keys[i] as HashCacheKey;
        const found = fromRow(key, byIno.get(inos[j] as bigint));
        // What the write will merge: the queued digests over the ones written for this version.
        const entry = pending.size > 0 ? queued(key) : undefined;
        answers[i] = entry === undefined ? found : { ...found, ...entry.digests };
      }
    }
  };
  const getMany = (keys: readonly HashCacheKey[]): (Digests | undefined)[] => {
    checkOpen();
    const answers = Array<Digests | undefined>(keys.length).fill(undefined);
    if (keys.length === 0) return answers;
    // A batch is normally one folder's files: one device, one group.
    const first = (keys[0] as HashCacheKey).dev;
    if (keys.every((key) => key.dev === first)) {
      lookUp(first, keys, keys.map((_, i) => i), answers);
      return answers;
    }
    const byDev = new Map<bigint, number[]>();
    for (const [i, key] of keys.entries()) {
      const list = byDev.get(key.dev);
      if (list === undefined) byDev.set(key.dev, [i]);
      else list.push(i);
    }
    for (const [dev, indexes] of byDev) lookUp(dev, keys, indexes, answers);
    return answers;
  };

  return {
    get: (key) => getMany([key])[0],
    getMany,
    holdsDevice(dev) {
      checkOpen();
      const written = putSince(int64(dev));
      return written === undefined || written.size > 0;
    },
    put(key, digests) {
      checkOpen();
      const before = pending.get(key.ino);
      if (before !== undefined && before.key.dev !== key.dev) flush();
      // Queued digests of the same version are kept (the write merges those already written).
      const merged: Digests = before !== undefined && before.key.dev === key.dev && sameVersion(key, before.key) ? { ...before.digests } : {};
      for (const algorithm of ALGORITHMS) {
        const hex = digests[algorithm];
        if (hex !== undefined) merged[algorithm] = hex.toLowerCase();
      }
      const now = Date.now();
      if (pending.size === 0) queuedSince = now;
      pending.set(key.ino, { key, digests: merged });
      const written = putSince(int64(key.dev));
      if (written !== undefined) {
        if (written.size >= FRESH_LIMIT) freshDevices.set(int64(key.dev), null);
        else written.add(int64(key.ino));
      }
      if (pending.size >= batchSize || now - queuedSince >= maxDelayMs) flush();
    },
    close() {
      if (!open) return;
      flush();
      open = false;
      store.close();
    },
  };
}
