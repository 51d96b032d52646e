/**
 * Turning an fs error on one object into a warning code, so a walk reports what it could not read
 * and goes on (DESIGN.md: warnings never stop a scan).
 *
 * @module
 */
import { pathText } from "../../shared/path-text.js";
import type { CollectorContext, CollectorWarning } from "../types.js";
import { errorCode } from "./fs-async.js";

/** The warning code for an fs error met while reading `what` (a file, a folder, a scope root). */
export function warningCode(error: unknown, scopeRoot = false): string {
  switch (errorCode(error)) {
    case "EACCES":
    case "EPERM":
      return "permission-denied";
    case "ENOENT":
    case "ENOTDIR":
    case "ECHANGED":
      // Listed a moment ago and gone now; a scope root that never existed is another matter.
      return scopeRoot ? "not-found" : "vanished";
    case "ELOOP":
      return "symlink-loop";
    default:
      return "read-error";
  }
}

/**
 * Reports a per-object problem and counts it in the `warnings` stat. Its `path` is a host path in
 * memory form (src/shared/path-text.ts): the warning carries its text form.
 */
export type Warn = (warning: CollectorWarning) => void;

export function createWarn(context: Pick<CollectorContext, "warn" | "count">): Warn {
  return (warning) => {
    context.warn(warning.path === undefined ? warning : { ...warning, path: pathText(warning.path) });
    context.count("warnings");
  };
}

/** Warns about an fs error on `path`. */
export function warnError(warn: Warn, error: unknown, what: string, path: string, scopeRoot = false): void {
  const code = warningCode(error, scopeRoot);
  const reason = error instanceof Error ? error.message : String(error);
  warn({ code, message: `${what}: ${reason}`, path });
}
