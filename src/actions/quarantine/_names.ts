/**
 * File names inside the store and the temporary names in flight in this process.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { ENTRY_SUFFIX } from "./_entry-file.js";

/** `<id>.restored.json`: the restores of an entry (absent until the first restore). */
export const RESTORED_SUFFIX = ".restored.json";

/** Temporary names this process is writing now: repair must not remove them. */
const inFlight = new Set<string>();

/** A new entry id: 16 hex digits. */
export function newEntryId(): string {
  return randomBytes(8).toString("hex");
}

export function entryFileName(id: string): string {
  return id + ENTRY_SUFFIX;
}

/** A temporary name carrying the writer's pid, so repair can tell a dead writer's leftovers. */
export function temporaryName(purpose: string): string {
  const name = `.tmp-${process.pid}-${purpose}-${randomBytes(4).toString("hex")}`;
  inFlight.add(name);
  return name;
}

export function releaseTemporaryName(name: string): void {
  inFlight.delete(name);
}

/**
 * True when the temporary file `name` may still be written to: by this process (in flight), or by
 * another live process (its pid answers signal 0).
 */
export function isTemporaryInFlight(name: string): boolean {
  if (inFlight.has(name)) return true;
  const pid = Number(/^\.tmp-(\d+)-/.exec(name)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
}
