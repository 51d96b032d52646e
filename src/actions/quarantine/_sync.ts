/**
 * Flushing helpers: a rename or unlink is durable only once its folder is flushed.
 *
 * @module
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { fsPath } from "../../shared/fs-path.js";

/** fsync(2) on a folder (a path in memory form). */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(fsPath(dir), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The errno code of an error, if any. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

/** A short cause for a message: "permission denied", "disk full", or the error's message. */
export function describeError(error: unknown): string {
  switch (errorCode(error)) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOSPC":
    case "EDQUOT":
    case "EFBIG":
      return "disk full";
    case "ENOENT":
      return "no such file";
    case "EROFS":
      return "read-only file system";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
