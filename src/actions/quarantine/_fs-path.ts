/**
 * Paths given to the store are in memory form (src/core/report/path-text.ts): a file whose name is
 * not UTF-8 is quarantined, and restored, through the exact bytes of its name. What the store
 * writes down and shows (an entry's `originalPath`, messages) is the path's text form.
 *
 * @module
 */
import { needsBytes, pathBytes } from "../../core/report/path-text.js";

/** What a system call takes for `path`: itself, or the bytes of a path that is not UTF-8. */
export function fsPath(path: string): string | Buffer {
  return needsBytes(path) ? Buffer.from(pathBytes(path)) : path;
}
