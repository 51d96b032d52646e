/**
 * A persistent cache of loaded IOC files: one file per key in a folder of its own, so a scan that
 * loads the same IOC files again skips their XML parse and check.
 *
 * An entry is a small JSON header and a binary body with the columns of its hash lists
 * (entry-codec.ts): a million-item list reads back as a few large buffers, with no object per
 * item and no hex to check. Not compressed: random digests do not compress, and ids and
 * positions stay small beside them. Its lengths and checksum make a damaged or truncated entry a
 * miss.
 *
 * Entries are written to a temporary file then renamed, so scans running at once each see a
 * whole entry or none. A failure to read is a miss; a failure to write is told once and the scan
 * goes on without writing. The folder is bounded ({@link IocCacheOptions}). A folder, entry or
 * record another user could have written is not used (trusted-folder.ts).
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { closeSync, lstatSync, read } from "node:fs";
import { readdir, rename, rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { CachedLoad } from "./cached-load.js";
import { decodeEntry, encodeEntry } from "./entry-codec.js";
import { evictEntries, DEFAULT_MAX_AGE_MS, DEFAULT_MAX_CACHE_BYTES } from "./eviction.js";
import type { FileIdentity } from "./file-identity.js";
import { makeFolderSync } from "../../shared/make-folder.js";
import { openTrustedFile, untrustedFolder } from "../hash-cache/trusted-folder.js";

/** Options of {@link openIocCache}. */
export interface IocCacheOptions {
  /** Told once when the folder cannot be created or an entry cannot be written. */
  readonly onUnavailable?: (dir: string, error: unknown) => void;
  /** Entries not used for this long are removed (default 30 days). */
  readonly maxAgeMs?: number;
  /** Above this total size, the least recently used entries are removed (default 256 MiB). */
  readonly maxBytes?: number;
}

/** The cache as the loader uses it. */
export interface IocCache {
  /** The load cached under `key`, or undefined (absent, damaged, or written by other code). */
  get(key: string): Promise<CachedLoad | undefined>;
  /** Starts recording `load` under `key`; the caller may drop `load` once this returns. */
  put(key: string, load: CachedLoad): void;
  /** The content digest recorded for the file version `identity` (file-identity.ts), or undefined. */
  contentOf(identity: FileIdentity): Promise<string | undefined>;
  /** Starts recording that the file version `identity` holds bytes of digest `content`. */
  rememberContent(identity: FileIdentity, content: string): void;
  /** Waits for the writes started, then keeps the folder within its bounds. Never rejects. */
  settle(): Promise<void>;
}

/** An entry's modification time is brought forward when used only once it is this old. */
const TOUCH_AFTER_MS = 60 * 60 * 1000;

const readAt = promisify(read);

/**
 * The file's bytes in one read into a buffer of its size, with its modification time; undefined
 * if it is not to be trusted (a link, another user's, writable by others: trusted-folder.ts),
 * larger than `maxBytes`, or shrank meanwhile (being replaced). The read runs on libuv's threads,
 * where the page faults of a fresh buffer (half its cost) are taken beside the main thread's
 * work; the open, stat and close around it are synchronous: on a local file they cost
 * microseconds, a fifth of what their round trips through fs.promises cost the main thread.
 */
async function readWhole(file: string, maxBytes: number): Promise<{ bytes: Buffer; usedMs: number } | undefined> {
  // Never blocks: a FIFO put in the folder fails its read (a miss) instead of holding the scan.
  const opened = openTrustedFile(file);
  if (opened === undefined) return undefined;
  const { fd } = opened;
  try {
    if (opened.size > maxBytes) return undefined;
    const bytes = Buffer.allocUnsafeSlow(opened.size);
    let at = 0;
    while (at < bytes.length) {
      const { bytesRead } = await readAt(fd, bytes, at, bytes.length - at, at);
      if (bytesRead === 0) return undefined;
      at += bytesRead;
    }
    return { bytes, usedMs: opened.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens (creating, 0700) the cache folder `dir`; undefined when it cannot be created or is not
 * safe to trust (trusted-folder.ts: another user could write entries that hide IOC files), after
 * telling `onUnavailable`: the scan then loads without a cache.
 *
 * @example
 * ```ts
 * const cache = await openIocCache(join(stateDir, "ioc-cache"));
 * ```
 */
export function openIocCache(dir: string, options: IocCacheOptions = {}): Promise<IocCache | undefined> {
  try {
    makeFolderSync(dir, 0o700);
    const untrusted = untrustedFolder(dir);
    if (untrusted !== undefined) throw new Error(`${dir} is not safe to trust: ${untrusted}`);
  } catch (error) {
    options.onUnavailable?.(dir, error);
    return Promise.resolve(undefined);
  }
  return Promise.resolve(new FolderCache(dir, options));
}

/** The name of the entry file of `key` (a hex digest, so never a path). */
export function entryFileName(key: string): string {
  return `${key}.entry`;
}

/**
 * The name of the (empty) file saying that file version `identity` holds bytes of digest
 * `content`: the name is the record, so one folder listing reads every record at once.
 */
export function identityFileName(identity: FileIdentity, content: string): string {
  return `${identity}-${content}.stat`;
}

const IDENTITY_FILE = /^([0-9a-f]{64})-([0-9a-f]{64})\.stat$/;

class FolderCache implements IocCache {
  private readonly pending = new Set<Promise<void>>();
  /** File version → content digest, from one listing of the folder (read on first use). */
  private identities: Promise<Map<FileIdentity, string>> | undefined;
  private written = 0;
  private writable = true;
  private readonly uid = process.getuid?.();

  constructor(
    private readonly dir: string,
    private readonly options: IocCacheOptions,
  ) {}

  async get(key: string): Promise<CachedLoad | undefined> {
    const file = join(this.dir, entryFileName(key));
    const read = await readWhole(file, this.options.maxBytes ?? DEFAULT_MAX_CACHE_BYTES).catch(() => undefined);
    const load = read === undefined ? undefined : decodeEntry(read.bytes, key);
    if (read === undefined || load === undefined) return undefined;
    // The modification time says when the entry was last used: eviction removes the oldest. To
    // the hour is enough for a bound of days, and a scan with 100 entries skips 100 utimes.
    const now = Date.now();
    if (now - read.usedMs > TOUCH_AFTER_MS) this.track(utimes(file, new Date(now), new Date(now)).catch(() => undefined));
    return load;
  }

  put(key: string, load: CachedLoad): void {
    if (!this.writable) return;
    // Encoded now, so the caller's document can be collected while the entry is written.
    const bytes = encodeEntry(key, load);
    this.track(this.write(entryFileName(key), bytes));
  }

  async contentOf(identity: FileIdentity): Promise<string | undefined> {
    // Not touched when used: a record is aged from when it was written, and one evicted costs
    // one read and hash of its file, which writes it again.
    this.identities ??= readdir(this.dir).then(
      (names) => {
        const found = new Map<FileIdentity, string>();
        for (const name of names) {
          const match = IDENTITY_FILE.exec(name);
          if (match) found.set(match[1] as string, match[2] as string);
        }
        return found;
      },
      () => new Map<FileIdentity, string>(),
    );
    const content = (await this.identities).get(identity);
    // Only a record this user wrote (one lstat per IOC file, which it saves reading and hashing).
    return content !== undefined && this.ownRecord(identityFileName(identity, content)) ? content : undefined;
  }

  rememberContent(identity: FileIdentity, content: string): void {
    if (!this.writable) return;
    const file = join(this.dir, identityFileName(identity, content));
    this.track(
      writeFile(file, "", { mode: 0o600, flag: "wx" }).then(
        () => void this.written++,
        (error: unknown) => {
          // Already recorded (by a scan running at once): the same record.
          if ((error as NodeJS.ErrnoException).code === "EEXIST" || !this.writable) return;
          this.writable = false;
          this.options.onUnavailable?.(this.dir, error);
        },
      ),
    );
  }

  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
    if (this.written === 0) return;
    await evictEntries(this.dir, { maxAgeMs: this.options.maxAgeMs ?? DEFAULT_MAX_AGE_MS, maxBytes: this.options.maxBytes ?? DEFAULT_MAX_CACHE_BYTES }).catch(() => undefined);
  }

  private async write(name: string, bytes: Uint8Array): Promise<void> {
    const file = join(this.dir, name);
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      await writeFile(temporary, bytes, { mode: 0o600, flag: "wx" });
      await rename(temporary, file);
      this.written++;
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      if (!this.writable) return;
      this.writable = false;
      this.options.onUnavailable?.(this.dir, error);
    }
  }

  private ownRecord(name: string): boolean {
    try {
      const stat = lstatSync(join(this.dir, name));
      return stat.isFile() && (this.uid === undefined || stat.uid === this.uid);
    } catch {
      return false;
    }
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }
}
