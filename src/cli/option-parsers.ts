/**
 * Parsers for option values shared by several commands; each rejects bad input with a message
 * commander prints next to the option's name.
 *
 * @module
 */
import { statSync } from "node:fs";
import { InvalidArgumentError } from "commander";
import { pathFromText } from "../shared/path-text.js";

/** Collects a repeatable option into an array. */
export function collectValues(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Collects a repeatable folder option (`--scope`): a path as reports write it, so a folder whose
 * name is not UTF-8 can be given in its text form (`/srv/d\xE9j\xE0`, shared/path-text.ts).
 */
export function collectPaths(value: string, previous: string[]): string[] {
  return [...previous, pathFromText(value)];
}

/** A regular expression (`--hint`). */
export function parseRegex(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch {
    throw new InvalidArgumentError("not a valid regular expression");
  }
}

/** A positive whole number of bytes (`--max-size`, `--max-hash-size`). */
export function parseByteCount(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError("expected a positive number of bytes");
  return value;
}

/**
 * `--root`: the folder must be there. A mistyped mount point otherwise scanned nothing and said
 * "No IOC matched" with status 0, as if the image were clean.
 */
export function parseRootFolder(path: string): string {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch (error) {
    throw new InvalidArgumentError(`cannot open "${path}": ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such folder" : (error as Error).message}`);
  }
  if (!isFolder) throw new InvalidArgumentError(`"${path}" is not a folder`);
  return path;
}
