/**
 * The bridge between paths in memory form (path-text.ts) and the system calls: Linux names are
 * bytes, and a name that is not UTF-8 must reach the kernel as its exact bytes, not as the U+FFFD
 * that node would encode for it. Paths the kernel gives back (a link's target, the text of a /proc
 * file) come in memory form too.
 *
 * @module
 */
import { isUtf8 } from "node:buffer";
import { readlink, realpath } from "node:fs/promises";
import { needsBytes, pathBytes, pathFromBytes } from "./path-text.js";

/** What a system call takes for `path`: itself, or the bytes of a path that is not UTF-8. */
export function fsPath(path: string): string | Buffer {
  return needsBytes(path) ? Buffer.from(pathBytes(path)) : path;
}

/** Bytes the kernel gave (a /proc file, a link target) as a string in memory form; UTF-8 decodes as usual. */
export function memoryText(bytes: Buffer): string {
  return isUtf8(bytes) ? bytes.toString("utf8") : pathFromBytes(bytes);
}

/** The target of the link at `path`, in memory form (node's readlink would turn a byte that is not UTF-8 into U+FFFD). */
export async function readlinkMemory(path: string): Promise<string> {
  return memoryText(await readlink(fsPath(path), { encoding: "buffer" }));
}

/** The real path of `path` (every link resolved by the kernel), in memory form. */
export async function realpathMemory(path: string): Promise<string> {
  return memoryText(await realpath(fsPath(path), { encoding: "buffer" }));
}
