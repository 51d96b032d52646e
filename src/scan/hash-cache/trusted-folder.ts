/**
 * Whether a cache folder and the files in it can be trusted: the hash cache and the IOC cache
 * decide what a scan sees (a cached digest is not checked against the file, a cached IOC file is
 * not parsed again), so whoever can write them can hide a planted file from a scan run as root.
 *
 * A folder is trusted when it is a folder (not a link), this user's, writable by nobody else,
 * and no folder above it lets another user rename it away and put their own in its place: each
 * is root's or this user's and writable only by them, or sticky (/tmp: others may not rename what
 * is not theirs). A file is read only when it is a regular file (not a link: opened with
 * O_NOFOLLOW), this user's and writable by nobody else, as src/cli/code-cache.ts does.
 * Checked once per folder opened and once per file opened, never per entry looked up.
 *
 * @module
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, realpathSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";

const WRITABLE_BY_OTHERS = 0o022;
const STICKY = 0o1000;

/** Why `folder` cannot be trusted, or undefined when it can. Never throws. */
export function untrustedFolder(folder: string, uid: number | undefined = process.getuid?.()): string | undefined {
  let stat: Stats;
  try {
    stat = lstatSync(folder);
  } catch (error) {
    return `cannot look at it (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  if (stat.isSymbolicLink()) return "it is a symbolic link";
  if (!stat.isDirectory()) return "it is not a folder";
  if (uid !== undefined && stat.uid !== uid) return `it belongs to user ${stat.uid}, not to this user (${uid})`;
  if ((stat.mode & WRITABLE_BY_OTHERS) !== 0) return `it is writable by other users (mode ${(stat.mode & 0o777).toString(8)})`;
  if (uid === undefined) return undefined;
  // The folders above as named (a link on the way is replaced by whoever may write its folder),
  // then as the links resolve.
  let real: string;
  try {
    real = realpathSync(folder);
  } catch (error) {
    return `cannot resolve it (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  return unsafeAbove(resolve(folder), uid) ?? (real === resolve(folder) ? undefined : unsafeAbove(real, uid));
}

function unsafeAbove(path: string, uid: number): string | undefined {
  for (let at = dirname(path), below = path; at !== below; below = at, at = dirname(at)) {
    let stat: Stats;
    try {
      stat = lstatSync(at);
    } catch (error) {
      return `cannot look at ${at} (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    }
    if (stat.isSymbolicLink()) continue;
    if (stat.uid !== 0 && stat.uid !== uid) return `the folder above it, ${at}, belongs to user ${stat.uid}, who could replace it`;
    if ((stat.mode & WRITABLE_BY_OTHERS) !== 0 && (stat.mode & STICKY) === 0) return `the folder above it, ${at}, is writable by other users (mode ${(stat.mode & 0o777).toString(8)}), who could replace it`;
  }
  return undefined;
}

/** An opened file the caller must close, with its stat. */
export interface TrustedFile {
  readonly fd: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Opens `file` for reading, without following a link and without blocking (a FIFO put in its
 * place fails its read instead of holding the scan); undefined when it is absent, cannot be
 * opened, is not a regular file, is another user's or is writable by others (then closed).
 */
export function openTrustedFile(file: string, uid: number | undefined = process.getuid?.()): TrustedFile | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isFile() && (uid === undefined || stat.uid === uid) && (stat.mode & WRITABLE_BY_OTHERS) === 0) return { fd, size: stat.size, mtimeMs: stat.mtimeMs };
  } catch {
    // Refused below.
  }
  closeQuietly(fd);
  return undefined;
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Only read from.
  }
}
