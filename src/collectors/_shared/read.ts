/**
 * Reading host files through the {@link HostView}, so the same code reads this computer or an
 * image under `--root`. Results, not exceptions: a missing file is normal (no IPv6, no crontab),
 * a denied one becomes a warning.
 *
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import type { CollectorContext } from "../types.js";
import { isGone, readWarning } from "./errors.js";
import { diskPathOf } from "./image-path.js";

/** The text of a host file, or undefined when it does not exist or cannot be read (warned). */
export async function readHostText(context: CollectorContext, hostPath: string): Promise<string | undefined> {
  try {
    return await readFile(await diskPathOf(context.host, hostPath), "utf8");
  } catch (error) {
    if (!isGone(error)) context.warn(readWarning(error, "read file", hostPath));
    return undefined;
  }
}

/** The entry names of a host folder, sorted; empty when it does not exist or cannot be read (warned). */
export async function listHostDir(context: CollectorContext, hostPath: string): Promise<string[]> {
  try {
    return (await readdir(await diskPathOf(context.host, hostPath))).sort();
  } catch (error) {
    if (!isGone(error)) context.warn(readWarning(error, "list folder", hostPath));
    return [];
  }
}

/** Lines of a text, without line ends; the last empty line of a terminated file is dropped. */
export function linesOf(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  return lines;
}
