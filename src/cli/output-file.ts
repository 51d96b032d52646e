/**
 * A command told to write its result to a file (`scan --output`) checks first that it will be
 * able to: a scan of a whole computer should not end in "no such folder" after its work, with
 * its report lost.
 *
 * @module
 */
import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Why `file` could not be written, or undefined when it can be (as far as one can tell now). */
export function outputFileProblem(file: string): string | undefined {
  const path = resolve(file);
  const folder = dirname(path);
  try {
    if (!statSync(folder).isDirectory()) return `cannot write "${file}": "${folder}" is not a folder`;
  } catch (error) {
    return `cannot write "${file}": folder "${folder}" ${codeOf(error) === "ENOENT" ? "does not exist" : `cannot be read (${messageOf(error)})`}`;
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    return `cannot write "${file}": this user may not write in "${folder}" (${messageOf(error)})`;
  }
  try {
    if (statSync(path).isDirectory()) return `cannot write "${file}": it is a folder`;
  } catch {
    // Not there yet: it will be made.
  }
  return undefined;
}

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
