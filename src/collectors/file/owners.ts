/**
 * Owner names from the scanned host's /etc/passwd and /etc/group, read through the HostView, so
 * an image under `--root` shows its own users, not this machine's.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import type { HostView } from "../types.js";
import type { OwnerNames } from "./fields.js";

/** `name:x:id:...` lines → id → name; the first line of an id wins, as getpwuid does. */
export function parseIdFile(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(":");
    const name = fields[0];
    const id = Number(fields[2]);
    if (name === undefined || name === "" || fields[2] === "" || !Number.isSafeInteger(id)) continue;
    if (!names.has(id)) names.set(id, name);
  }
  return names;
}

async function readIdFile(host: HostView, path: string): Promise<Map<number, string>> {
  try {
    return parseIdFile(await readFile(host.toDisk(path), "utf8"));
  } catch {
    // No passwd in a minimal image: numeric ids are still true, just less readable.
    return new Map();
  }
}

/** Loads both tables; unknown ids fall back to the number as text (as `ls -l` shows them). */
export async function loadOwnerNames(host: HostView): Promise<OwnerNames> {
  const [users, groups] = await Promise.all([readIdFile(host, "/etc/passwd"), readIdFile(host, "/etc/group")]);
  return {
    user: (uid) => users.get(uid) ?? String(uid),
    group: (gid) => groups.get(gid) ?? String(gid),
  };
}
