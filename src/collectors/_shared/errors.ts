/**
 * Turning a failed read into a collector warning: a stable code and a sentence that says what
 * failed and why (style guide: `Cannot open file "/x": permission denied`).
 *
 * @module
 */
import type { CollectorWarning } from "../types.js";

/** The errno code of a Node system error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = error.code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

/** True for "it is not there (any more)": the file does not exist or the process has exited. */
export function isGone(error: unknown): boolean {
  const code = errorCode(error);
  return code === "ENOENT" || code === "ESRCH" || code === "ENOTDIR";
}

/** True for "not allowed": another user's /proc entry when not root, a protected file. */
export function isDenied(error: unknown): boolean {
  const code = errorCode(error);
  return code === "EACCES" || code === "EPERM";
}

/** A short reason for a message: "permission denied", "no such file", or the error's own text. */
export function reasonOf(error: unknown): string {
  const code = errorCode(error);
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOENT" || code === "ENOTDIR") return "no such file";
  if (code === "ESRCH") return "no such process";
  return error instanceof Error ? error.message : String(error);
}

/** The warning for a failed read of `path` (`action` e.g. "read file", "read process 12"). */
export function readWarning(error: unknown, action: string, path: string): CollectorWarning {
  const code = isDenied(error) ? "permission-denied" : isGone(error) ? "vanished" : "read-failed";
  return { code, message: `Cannot ${action} "${path}": ${reasonOf(error)}`, path };
}
