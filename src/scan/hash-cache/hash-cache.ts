/**
 * The persistent hash cache behind the FileItem collector: digests keyed by the file version
 * (device, inode, size, mtime and ctime in nanoseconds), so a rescan of an unchanged tree reads
 * no file content at all.
 *
 * A folder with one binary file per device (device-table.ts), read whole the first time a scan
 * asks about the device and searched in place: a look-up costs a binary search, not a database
 * query and a row made of four BigInts and three strings (which cost 5.5 us a file, a sixth of a
 * rescan of small files, when this cache was a SQLite table). Puts stay in memory and are merged
 * into the device's file when the cache closes, or every `flushEvery` puts in a long scan: the file
 * is read again then, so two scans writing at once each keep the other's entries (should two
 * replace the file at the same instant, one's new entries are lost: a cache entry only saves a
 * read). A file of another format, a torn, damaged or oversized one, a link or a file another
 * user could have written is ignored and rebuilt.
 *
 * @module
 */
import type { Digests, HashCache, HashCacheKey } from "../../collectors/file/index.js";
import { prepareFolder, readDeviceTable, writeDeviceFile } from "./device-file.js";
import { cleanDigests, deviceFileBytesAtMost, DeviceTable, digestsOfPut, inoKey, mergeTable, sameVersion, versionOf, withDigests, type InoKey, type Put } from "./device-table.js";

export { HASH_CACHE_FORMAT_VERSION } from "./device-table.js";

export interface HashCacheOptions {
  /** Puts kept in memory before they are written (a crash loses at most these). Default 200,000. */
  readonly flushEvery?: number;
  /** Entries one device's file keeps at most; past it, those written longest ago go. Default 2,000,000 (~150 MB). */
  readonly maxEntriesPerDevice?: number;
  /** A write that failed (disk full, folder gone): the scan goes on, those entries are not kept. */
  readonly onWriteError?: (error: unknown) => void;
  /** The clock (ms since 1970) that dates the entries written. */
  readonly now?: () => number;
}

const DAY_MS = 86_400_000;

/**
 * Opens the hash cache in `folder` (created, mode 0700, if needed). Throws if the folder cannot
 * be made or is not safe to trust (another user's, or writable by others).
 *
 * @example
 * ```ts
 * const cache = openHashCache("/var/lib/iocscan/hash-cache");
 * try { for await (const r of fileCollector.collect(ctx, { scopes: ["/srv"], hashCache: cache })) … }
 * finally { cache.close(); }
 * ```
 */
/** One device's entries: its table as last read or written (undefined: none), and the puts not written yet (at most one per file, the latest version seen). */
interface Device {
  table: DeviceTable | undefined;
  readonly puts: Map<InoKey, Put>;
}

export function openHashCache(folder: string, options: HashCacheOptions = {}): HashCache & Required<Pick<HashCache, "holdsDevice" | "cachedDigestsNamed">> {
  const flushEvery = Math.max(1, options.flushEvery ?? 200_000);
  const maxEntries = Math.max(1, options.maxEntriesPerDevice ?? 2_000_000);
  const now = options.now ?? Date.now;
  // A file written with a larger bound (another setting) is refused and rebuilt.
  const maxBytes = deviceFileBytesAtMost(maxEntries);
  prepareFolder(folder);

  /** What is known of each device met, by device as stored. */
  const devices = new Map<bigint, Device>();
  let pending = 0;
  let open = true;
  // The device of the last call: a scan asks about one device thousands of times in a row.
  let lastDev: bigint | undefined;
  let last: Device | undefined;

  const deviceOf = (dev: bigint): Device => {
    if (dev === lastDev && last !== undefined) return last;
    let device = devices.get(dev);
    if (device === undefined) devices.set(dev, (device = { table: readDeviceTable(folder, dev, maxBytes), puts: new Map() }));
    lastDev = dev;
    last = device;
    return device;
  };
  const checkOpen = (): void => {
    if (!open) throw new Error("hash cache is closed");
  };

  const get = (key: HashCacheKey): Digests | undefined => {
    checkOpen();
    const { table, puts } = deviceOf(BigInt.asUintN(64, key.dev));
    // A device the cache knows nothing of (a first scan): no key to make.
    if (table === undefined && puts.size === 0) return undefined;
    const version = versionOf(key);
    const put = puts.size === 0 ? undefined : puts.get(inoKey(version.ino));
    // Another version put: the file changed during this scan; this one is about to be replaced.
    if (put !== undefined && !sameVersion(put, version)) return undefined;
    const i = table === undefined ? -1 : table.find(version.ino);
    const found = i >= 0 && table?.holds(i, version) ? table.digests(i) : undefined;
    return put === undefined ? found : { ...found, ...digestsOfPut(put.digests) };
  };

  const cachedDigestsNamed: NonNullable<HashCache["cachedDigestsNamed"]> = (key, algorithms, named) => {
    checkOpen();
    const { table, puts } = deviceOf(BigInt.asUintN(64, key.dev));
    if (table === undefined) return undefined;
    const version = versionOf(key);
    if (puts.size > 0 && puts.has(inoKey(version.ino))) return undefined;
    const i = table.find(version.ino);
    if (i < 0 || !table.holds(i, version)) return undefined;
    let missing = false;
    for (const algorithm of algorithms) {
      const at = table.digestOffset(i, algorithm);
      if (at < 0) missing = true;
      else if (named(algorithm, table.buffer, at)) return true;
    }
    return missing ? undefined : false;
  };

  const flush = (): void => {
    const today = Math.floor(now() / DAY_MS);
    for (const [dev, device] of devices) {
      if (device.puts.size === 0) continue;
      // Read again: another scan may have written this device since this one read it.
      const bytes = mergeTable(dev, readDeviceTable(folder, dev, maxBytes), device.puts, today, maxEntries);
      device.table = DeviceTable.merged(bytes);
      device.puts.clear();
      try {
        writeDeviceFile(folder, dev, bytes);
      } catch (error) {
        options.onWriteError?.(error);
      }
    }
    pending = 0;
  };

  return {
    get,
    cachedDigestsNamed,
    put(key, digests) {
      checkOpen();
      const clean = cleanDigests(digests);
      const { puts } = deviceOf(BigInt.asUintN(64, key.dev));
      const version = versionOf(key);
      const ino = inoKey(version.ino);
      const before = puts.get(ino);
      // Digests put for the same version are kept; another version starts over.
      const merged = before !== undefined && sameVersion(before, version) ? withDigests(before.digests, clean) : clean;
      puts.set(ino, { ino: version.ino, size: version.size, mtimeNs: version.mtimeNs, ctimeNs: version.ctimeNs, digests: merged });
      if (before === undefined && ++pending >= flushEvery) flush();
    },
    holdsDevice(dev) {
      checkOpen();
      const device = deviceOf(BigInt.asUintN(64, dev));
      return device.puts.size > 0 || (device.table?.count ?? 0) > 0;
    },
    close() {
      if (!open) return;
      flush();
      open = false;
    },
  };
}
