/**
 * Restoring an entry: the original bytes, mode, owner (as root) and times, verified against the
 * SHA-256 taken at quarantine time, written beside the destination and renamed into place.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { link, lstat, open, rename, unlink } from "node:fs/promises";
import { basename, join } from "node:path";
import { pathFromText, pathText } from "../../shared/path-text.js";
import { decryptEntry, writeAll } from "./_entry-file.js";
import { fsPath } from "../../shared/fs-path.js";
import { keysOf } from "./_keys.js";
import { recordPendingRestore, restoreTempName } from "./_pending-restore.js";
import { entryFileName } from "./_names.js";
import { UnsafeDestinationError, checkDestinationSyntax, ensureSafeFolder, folderOf } from "./_safe-path.js";
import { reachStep } from "./_steps.js";
import { errorCode, fsyncDir } from "./_sync.js";
import { addRestoreMark, showEntry } from "./entries.js";
import type { EntryMeta, QuarantineStore, RestoreOptions } from "./types.js";

/** What `restoreEntry` did. */
export interface RestoreResult {
  readonly id: string;
  /** Where the file was written (its text form). */
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  /** False when not run as root: the file then belongs to the restoring user. */
  readonly ownerRestored: boolean;
  /** True when an existing file was replaced (`force`). */
  readonly replaced: boolean;
}

/**
 * Recreates entry `id` at its original path or at `options.to`. Throws with a clear message for an
 * unknown id, an unsafe destination (relative, `..`, a symbolic link among its folders), an
 * existing file without `force`, or content that fails authentication; nothing is left behind then.
 * The entry stays in the store, marked restored.
 *
 * @example
 * const result = await restoreEntry(store, "3f9a0c7d21b4e855", { to: "/tmp/inspect/" });
 */
export async function restoreEntry(store: QuarantineStore, id: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const entry = await showEntry(store, id);
  if (entry === undefined) throw new Error(`Cannot restore "${id}": no such quarantine entry`);
  const { meta } = entry;
  const destination = await destinationOf(meta, options.to);
  const folder = folderOf(destination);
  await ensureSafeFolder(folder);
  const existing = await lstat(fsPath(destination)).catch((error: unknown) => {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  });
  if (existing?.isDirectory()) throw new UnsafeDestinationError(`Cannot restore to "${pathText(destination)}": a folder is there`);
  if (existing !== undefined && options.force !== true) throw new Error(`Cannot restore to "${pathText(destination)}": a file is already there (use --force to replace it)`);

  const temp = join(folder, restoreTempName(destination, randomBytes(4).toString("hex")));
  const ownerRestored = process.geteuid?.() === 0;
  const forget = await recordPendingRestore(store.dir, temp);
  try {
    await writeRestored(store, meta, temp, ownerRestored);
    await reachStep("restore-written");
    if (existing !== undefined) {
      await rename(fsPath(temp), fsPath(destination));
    } else {
      // link() fails if a file appeared meanwhile, so a restore without force never replaces one.
      await link(fsPath(temp), fsPath(destination)).catch((error: unknown) => {
        if (errorCode(error) === "EEXIST") throw new Error(`Cannot restore to "${pathText(destination)}": a file is already there (use --force to replace it)`);
        throw error;
      });
      await unlink(fsPath(temp));
    }
    await fsyncDir(folder);
    await reachStep("restore-renamed");
  } catch (error) {
    await unlink(fsPath(temp)).catch(() => undefined);
    throw error;
  } finally {
    await forget();
  }
  // The file is restored at this point; a failure to note it (disk full) must not report otherwise.
  await addRestoreMark(store, id, { at: new Date().toISOString(), to: pathText(destination) }).catch(() => undefined);
  return { id, path: pathText(destination), sha256: meta.sha256, size: meta.size, ownerRestored, replaced: existing !== undefined };
}

/**
 * The destination file in memory form: `to` (a file, or an existing folder / one ending in "/" to
 * restore into) or the original path. Both are text forms (src/shared/path-text.ts), read
 * back to the exact bytes of a name that is not UTF-8.
 */
async function destinationOf(meta: EntryMeta, to: string | undefined): Promise<string> {
  const original = pathFromText(meta.originalPath);
  if (to === undefined) return checkDestinationSyntax(original);
  const dest = pathFromText(to);
  const clean = checkDestinationSyntax(dest);
  const info = await lstat(fsPath(clean)).catch(() => undefined);
  if (info?.isSymbolicLink()) throw new UnsafeDestinationError(`Cannot restore to "${pathText(dest)}": it is a symbolic link`);
  if (to.endsWith("/") || info?.isDirectory() === true) return join(clean, basename(original));
  return clean;
}

async function writeRestored(store: QuarantineStore, meta: EntryMeta, temp: string, asRoot: boolean): Promise<void> {
  const out = await open(fsPath(temp), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    const digest = await decryptEntry(join(store.dir, entryFileName(meta.id)), meta, keysOf(store).data, (chunk) => writeAll(out, chunk));
    if (digest !== meta.sha256) throw new Error(`Cannot restore "${meta.id}": its content does not match the recorded SHA-256`);
    // Owner before mode: chown clears the set-user-id and set-group-id bits.
    if (asRoot) await out.chown(meta.uid, meta.gid);
    await out.chmod(meta.mode & 0o7777);
    await out.utimes(meta.atimeMs / 1000, meta.mtimeMs / 1000);
    await out.sync();
  } finally {
    await out.close();
  }
}
