/**
 * Where a restore may write: an absolute path with no `..` segment whose existing folders are
 * real folders, not symbolic links (a link planted in a parent folder would redirect the restored
 * bytes anywhere, e.g. into /etc when run as root).
 *
 * @module
 */
import { lstat, mkdir } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { pathText } from "../../shared/path-text.js";
import { fsPath } from "../../shared/fs-path.js";
import { errorCode, fsyncDir } from "./_sync.js";

/** Thrown for a destination that a restore must not write to; the message says why. */
export class UnsafeDestinationError extends Error {}

/** Checks `path` and returns it normalised; throws UnsafeDestinationError. */
export function checkDestinationSyntax(path: string): string {
  if (!isAbsolute(path)) throw new UnsafeDestinationError(`Cannot restore to "${pathText(path)}": not an absolute path`);
  if (path.split(sep).includes("..")) throw new UnsafeDestinationError(`Cannot restore to "${pathText(path)}": it contains a ".." segment`);
  const clean = normalize(path);
  if (clean.length > 1 && clean.endsWith(sep)) return clean.slice(0, -1);
  return clean;
}

/**
 * Checks every folder from / down to `folder` with lstat, creating missing ones (0700): each must
 * be a real folder, never a symbolic link.
 */
export async function ensureSafeFolder(folder: string): Promise<void> {
  let current: string = sep;
  for (const part of folder.split(sep).filter((p) => p !== "")) {
    current = join(current, part);
    const info = await lstat(fsPath(current)).catch((error: unknown) => {
      if (errorCode(error) === "ENOENT") return undefined;
      throw error;
    });
    if (info === undefined) {
      await mkdir(fsPath(current), { mode: 0o700 });
      await fsyncDir(dirname(current));
      continue;
    }
    if (info.isSymbolicLink()) throw new UnsafeDestinationError(`Cannot restore into "${pathText(folder)}": "${pathText(current)}" is a symbolic link`);
    if (!info.isDirectory()) throw new UnsafeDestinationError(`Cannot restore into "${pathText(folder)}": "${pathText(current)}" is not a folder`);
  }
}

/** The folder of a checked destination file. */
export function folderOf(path: string): string {
  return dirname(path);
}
