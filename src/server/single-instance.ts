/**
 * One server instance per SQLite database (issue 11): SQLite has no cross-instance wake-ups and
 * the job lock is in-process, so a second `iocscan server` on the same file is refused. The claim
 * is a lock file beside the database (`<db>.lock`, created exclusively) holding the owner's pid,
 * host and process start time. A crashed owner leaves the file behind; it is stale, and taken
 * over, when that pid no longer runs here or now belongs to a process that started at another
 * time (a reused pid). Node has no `flock`, and an exclusive SQLite locking mode would also shut
 * out readers such as `sqlite3` or a backup, so a file it is.
 *
 * @module
 */
import { readFileSync, realpathSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";

interface LockOwner {
  pid: number;
  host: string;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot); absent where there is no /proc. */
  startTime?: string;
  since: string;
}

/** Another server runs on this SQLite database. */
export class DatabaseInUseError extends Error {
  override readonly name = "DatabaseInUseError";
}

function processStartTime(pid: number): string | undefined {
  try {
    // The command name (field 2) is in parentheses and may contain spaces: count after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function isRunning(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it runs under another user.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const startTime = processStartTime(owner.pid);
  return owner.startTime === undefined || startTime === undefined || startTime === owner.startTime;
}

function readOwner(lockFile: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(lockFile, "utf8")) as Partial<LockOwner>;
    return typeof owner.pid === "number" && typeof owner.host === "string" ? (owner as LockOwner) : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    // Half-written (a crash between create and write) or damaged: nobody can be said to own it.
    return undefined;
  }
}

/**
 * Claims the SQLite database `dbFile` for this process; returns the release function. Throws
 * DatabaseInUseError naming the file, the pid and the host of the running instance.
 */
export function claimSqliteDatabase(dbFile: string): () => void {
  const lockFile = `${realpathSync(dbFile)}.lock`;
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const startTime = processStartTime(process.pid);
  if (startTime !== undefined) me.startTime = startTime;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lockFile, `${JSON.stringify(me)}\n`, { flag: "wx", mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new DatabaseInUseError(`Cannot claim the SQLite database "${dbFile}": another server took "${lockFile}" at the same moment`);
        throw new Error(`Cannot create the instance lock "${lockFile}": ${(error as Error).message}`, { cause: error });
      }
    }
    const owner = readOwner(lockFile);
    if (owner !== undefined && owner.host !== me.host) {
      throw new DatabaseInUseError(
        `The SQLite database "${dbFile}" is in use by iocscan server pid ${owner.pid} on host "${owner.host}" (since ${owner.since}). SQLite serves one server instance; use PostgreSQL (--db postgres://...) for several. If that server is gone, delete "${lockFile}".`,
      );
    }
    if (owner !== undefined && isRunning(owner)) {
      throw new DatabaseInUseError(
        `The SQLite database "${dbFile}" is in use by iocscan server pid ${owner.pid} (since ${owner.since}). SQLite serves one server instance; use PostgreSQL (--db postgres://...) for several.`,
      );
    }
    // Stale: the owner crashed. Whoever unlinks and re-creates first wins; the other sees EEXIST.
    try {
      unlinkSync(lockFile);
    } catch {
      // Someone else removed it first.
    }
  }
  return () => {
    // Remove only our own claim (never one another instance took over after a stale check).
    if (readOwner(lockFile)?.pid === me.pid) unlinkSync(lockFile);
  };
}
