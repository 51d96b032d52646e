/**
 * Promise forms of the callback `node:fs` calls on the hot path. They skip the FileHandle
 * objects of `fs/promises`, whose per-file bookkeeping shows on trees of small files.
 *
 * @module
 */
import { close, lstat, open, read, type BigIntStats } from "node:fs";
import { fsPath } from "../../shared/fs-path.js";

type Done<T> = (error: NodeJS.ErrnoException | null, value: T) => void;

function call<T>(start: (done: Done<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    start((error, value) => (error ? reject(error) : resolve(value)));
  });
}

export function lstatBig(path: string): Promise<BigIntStats> {
  return call((done) => lstat(fsPath(path), { bigint: true }, done));
}

export function openFile(path: string, flags: number): Promise<number> {
  return call((done) => open(fsPath(path), flags, done));
}

/** Reads up to `length` bytes at `position` into the start of `buffer`; resolves the count. */
export function readAt(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  return call((done) => read(fd, buffer, 0, length, position, done));
}

/** Closes without waiting: nothing useful can be done about a failed close of a read-only fd. */
export function closeQuietly(fd: number): void {
  close(fd, () => undefined);
}

/** The errno code of an fs error, if it is one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") return error.code;
  return undefined;
}
