/**
 * Listing, showing and deleting entries. Entries are kept after a restore (marked restored) until
 * `deleteEntry`, `purge` or retention removes them, so a restore can be repeated.
 *
 * @module
 */
import { constants } from "node:fs";
import { open, readFile, readdir, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { ENTRY_SUFFIX, isEntryId, readEntryMeta } from "./_entry-file.js";
import { keysOf } from "./_keys.js";
import { RESTORED_SUFFIX, entryFileName, releaseTemporaryName, temporaryName } from "./_names.js";
import { errorCode, fsyncDir } from "./_sync.js";
import type { QuarantineEntry, QuarantineStore, RestoreMark } from "./types.js";

/**
 * Every readable entry, oldest first (entries that fail authentication are left out; `openQuarantine`
 * reports them in `repair.damaged`).
 */
export async function listEntries(store: QuarantineStore): Promise<QuarantineEntry[]> {
  const names = (await readdir(store.dir)).filter((name) => name.endsWith(ENTRY_SUFFIX) && isEntryId(name.slice(0, -ENTRY_SUFFIX.length)));
  const entries: QuarantineEntry[] = [];
  for (const name of names) {
    const entry = await showEntry(store, name.slice(0, -ENTRY_SUFFIX.length)).catch(() => undefined);
    if (entry !== undefined) entries.push(entry);
  }
  return entries.sort((a, b) => a.meta.quarantinedAt.localeCompare(b.meta.quarantinedAt) || a.meta.id.localeCompare(b.meta.id));
}

/** One entry, or undefined when there is no entry with this id. Throws for a damaged entry. */
export async function showEntry(store: QuarantineStore, id: string): Promise<QuarantineEntry | undefined> {
  if (!isEntryId(id)) return undefined;
  const path = join(store.dir, entryFileName(id));
  const read = await readEntryMeta(path, keysOf(store).mac).catch((error: unknown) => {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  });
  if (read === undefined) return undefined;
  if (!read.ok) throw new Error(`Cannot read quarantine entry "${id}": ${read.reason}`);
  if (read.meta.id !== id) throw new Error(`Cannot read quarantine entry "${id}": its metadata names entry "${read.meta.id}"`);
  return { meta: read.meta, storedBytes: read.storedBytes, restored: await readRestoreMarks(store, id) };
}

/** Deletes an entry for good; false when there was none. */
export async function deleteEntry(store: QuarantineStore, id: string): Promise<boolean> {
  if (!isEntryId(id)) return false;
  try {
    // The entry file goes first: a leftover restore-mark file is removed by the next repair.
    await unlink(join(store.dir, entryFileName(id)));
  } catch (error) {
    if (errorCode(error) === "ENOENT") return false;
    throw error;
  }
  await unlink(join(store.dir, id + RESTORED_SUFFIX)).catch(() => undefined);
  await fsyncDir(store.dir);
  return true;
}

async function readRestoreMarks(store: QuarantineStore, id: string): Promise<RestoreMark[]> {
  const text = await readFile(join(store.dir, id + RESTORED_SUFFIX), "utf8").catch(() => undefined);
  if (text === undefined) return [];
  try {
    const marks = JSON.parse(text) as unknown;
    return Array.isArray(marks) ? (marks as RestoreMark[]) : [];
  } catch {
    return [];
  }
}

/** Records a restore of entry `id` (atomically: temporary file, fsync, rename). */
export async function addRestoreMark(store: QuarantineStore, id: string, mark: RestoreMark): Promise<void> {
  const marks = [...(await readRestoreMarks(store, id)), mark];
  const tempName = temporaryName("restored");
  const temp = join(store.dir, tempName);
  try {
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(marks)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(store.dir, id + RESTORED_SUFFIX));
    await fsyncDir(store.dir);
  } finally {
    await unlink(temp).catch(() => undefined);
    releaseTemporaryName(tempName);
  }
}
