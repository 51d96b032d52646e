/**
 * Keeps the IOC cache folder bounded: entries unused for a while go, then the least recently
 * used ones while the folder is over its size. An entry's modification time is its last use.
 * Entries of the old gzip JSON format go at once.
 *
 * @module
 */
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";

/** Entries not used for 30 days are removed. */
export const DEFAULT_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
/** The folder is kept under 256 MiB (a million SHA-256 items with UUID ids take about 65 MiB). */
export const DEFAULT_MAX_CACHE_BYTES = 256 * 1024 * 1024;
/** A temporary file this old was left by a scan that died while writing. */
const STALE_TEMPORARY_MS = 60 * 60 * 1000;

/** Entries, and the records of file versions' content digests (file-identity.ts, empty files). */
const ENTRY = /^[0-9a-f]{64}(\.entry|-[0-9a-f]{64}\.stat)$/;
const TEMPORARY = /^[0-9a-f]{64}\.entry\.\d+\.[0-9a-f]+\.tmp$/;
/** Entries of the gzip JSON format (before format 3): never read again, removed on sight. */
const LEGACY = /^[0-9a-f]{64}\.json\.gz(\.\d+\.[0-9a-f]+\.tmp)?$/;

/** The bounds of {@link evictEntries}. */
export interface EvictionBounds {
  readonly maxAgeMs: number;
  readonly maxBytes: number;
}

/**
 * Removes from `dir` the entries older than `maxAgeMs`, then the oldest until the rest fit in
 * `maxBytes`, and stale temporary files. Files it does not know are left alone; a file another
 * scan removed meanwhile is skipped.
 */
export async function evictEntries(dir: string, bounds: EvictionBounds, now = Date.now()): Promise<void> {
  const entries: { path: string; size: number; usedAt: number }[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if (LEGACY.test(name)) {
      await remove(path);
      continue;
    }
    const isEntry = ENTRY.test(name);
    if (!isEntry && !TEMPORARY.test(name)) continue;
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    if (isEntry) entries.push({ path, size: info.size, usedAt: info.mtimeMs });
    else if (now - info.mtimeMs > STALE_TEMPORARY_MS) await remove(path);
  }
  entries.sort((a, b) => b.usedAt - a.usedAt);
  let kept = 0;
  let full = false;
  for (const entry of entries) {
    full ||= now - entry.usedAt > bounds.maxAgeMs || kept + entry.size > bounds.maxBytes;
    if (full) await remove(entry.path);
    else kept += entry.size;
  }
}

async function remove(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => undefined);
}
