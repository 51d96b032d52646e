/**
 * `mkdir -p` that always ends.
 *
 * Node's own (`mkdir(path, { recursive: true })`) goes back and forth forever when creating a
 * folder fails with ENOENT although its parent exists, as in /proc, where the kernel answers
 * ENOENT for a folder it cannot hold (Node 20 and 22). The synchronous form spins at full CPU,
 * the promise never settles: `iocscan scan --db /proc/x/results.db` (its caches live beside it)
 * hung for good and ignored SIGTERM. Here each missing folder is made once, from the top down,
 * and any failure but "it exists already" is final.
 *
 * @module
 */
import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * Makes the folder `path` and the missing folders above it, each with `mode` (less the umask).
 * Returns the first folder it made (the highest one), or undefined when `path` was a folder
 * already, as Node's recursive mkdir does. Throws as mkdir(2) does: EEXIST when `path` is a
 * file or a dangling link stands on its way (naming it), ENOTDIR when a file does, EACCES...
 */
export function makeFolderSync(path: string, mode?: number): string | undefined {
  const options = mode === undefined ? {} : { mode };
  const missing: string[] = [];
  for (let at = resolve(path); ; ) {
    const found = kindOf(at);
    if (found === "folder") break;
    if (found === "other") {
      // A file where the folder should be: mkdir says so (EEXIST; ENOTDIR further down).
      if (missing.length === 0) mkdirSync(at, options);
      break;
    }
    missing.push(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  let first: string | undefined;
  for (let i = missing.length - 1; i >= 0; i--) {
    const folder = missing[i] as string;
    try {
      mkdirSync(folder, options);
      first ??= folder;
    } catch (error) {
      // Made meanwhile by someone else is fine; a dangling link (EEXIST too) is not.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || kindOf(folder) !== "folder") throw error;
    }
  }
  return first;
}

/** What `path` is, links followed ("missing" for a dangling one too). */
function kindOf(path: string): "folder" | "other" | "missing" {
  try {
    return statSync(path).isDirectory() ? "folder" : "other";
  } catch {
    return "missing";
  }
}
