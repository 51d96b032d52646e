/**
 * One queue per database file for the writers of this process.
 *
 * better-sqlite3 is synchronous: when a second connection in the same process waits for a write
 * lock that a first connection holds across an `await`, it blocks the event loop, so the first
 * can never finish and the wait ends in SQLITE_BUSY. Writers of one file in one process therefore
 * take turns here; writers in other processes are handled by SQLite's own lock and busy timeout.
 *
 * @module
 */

const tails = new Map<string, Promise<void>>();

/** Runs `work` once every earlier `withFileLock(key, ...)` of this process has settled. */
export async function withFileLock<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => mine);
  tails.set(key, tail);
  await previous;
  try {
    return await work();
  } finally {
    release();
    // Forget idle files, so that a long-running process does not keep one entry per file forever.
    if (tails.get(key) === tail) tails.delete(key);
  }
}
