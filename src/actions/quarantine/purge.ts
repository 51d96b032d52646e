/**
 * Retention: entries older than a number of days go, then the oldest until the store fits a size.
 *
 * @module
 */
import { deleteEntry, listEntries } from "./entries.js";
import type { QuarantineStore, RetentionOptions } from "./types.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** What `purge` removed. */
export interface PurgeResult {
  readonly removed: readonly string[];
  readonly freedBytes: number;
}

/** Options of {@link purge}: retention limits plus entries to keep whatever the limits say. */
export interface PurgeOptions extends RetentionOptions {
  /** Ids never removed by this call (the entry just written by quarantine). */
  readonly keep?: readonly string[];
  /** The current time (tests). */
  readonly now?: Date;
}

/**
 * Removes entries quarantined more than `olderThanDays` days ago (default 30), then the oldest ones
 * until at most `maxBytes` bytes (default 1 GiB) are stored. `Infinity` switches a limit off; 0
 * removes everything.
 *
 * @example
 * await purge(store, { olderThanDays: 7, maxBytes: Infinity });
 */
export async function purge(store: QuarantineStore, options: PurgeOptions = {}): Promise<PurgeResult> {
  const olderThanDays = options.olderThanDays ?? 30;
  const maxBytes = options.maxBytes ?? 1024 ** 3;
  const keep = new Set(options.keep ?? []);
  const cutoff = (options.now ?? new Date()).getTime() - olderThanDays * DAY_MS;
  const entries = await listEntries(store);
  let total = entries.reduce((sum, entry) => sum + entry.storedBytes, 0);
  const removed: string[] = [];
  let freedBytes = 0;
  for (const entry of entries) {
    if (keep.has(entry.meta.id)) continue;
    const tooOld = olderThanDays !== Infinity && Date.parse(entry.meta.quarantinedAt) <= cutoff;
    if (!tooOld && total <= maxBytes) continue;
    if (await deleteEntry(store, entry.meta.id)) {
      removed.push(entry.meta.id);
      freedBytes += entry.storedBytes;
      total -= entry.storedBytes;
    }
  }
  return { removed, freedBytes };
}
