/**
 * A restore writes its bytes to a temporary file beside the destination, outside the store. If the
 * process dies before the rename, that file (plaintext, with the original's mode) would stay behind,
 * so the store records it first in a `.tmp-PID-restore-…` file; repair on the next open removes
 * both once the writer is dead.
 *
 * @module
 */
import { constants } from "node:fs";
import { open, readFile, unlink } from "node:fs/promises";
import { basename, isAbsolute, join } from "node:path";
import { fsPath } from "../../shared/fs-path.js";
import { releaseTemporaryName, temporaryName } from "./_names.js";

/** Only a file named like a restore's temporary file is ever removed on a record's word. */
const RESTORE_TEMP = /^\..+\.iocscan-restore-\d+-[0-9a-f]{8}$/;
const RECORD = /^\.tmp-\d+-restore-/;

/** The temporary name a restore writes to, beside `destination`. */
export function restoreTempName(destination: string, random: string): string {
  return `.${basename(destination)}.iocscan-restore-${process.pid}-${random}`;
}

/**
 * Records `temp` as pending in the store (flushed); returns a function that forgets it. `temp` is in
 * memory form: JSON keeps a lone surrogate (a byte of a name that is not UTF-8) as `\udcXX`.
 */
export async function recordPendingRestore(storeDir: string, temp: string): Promise<() => Promise<void>> {
  const name = temporaryName("restore");
  const path = join(storeDir, name);
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(JSON.stringify({ temp }));
    await handle.sync();
  } finally {
    await handle.close();
  }
  return async () => {
    await unlink(path).catch(() => undefined);
    releaseTemporaryName(name);
  };
}

/** For repair: removes the temporary file a dead restore recorded in `recordPath` (not the record). */
export async function removeAbandonedRestore(recordName: string, recordPath: string): Promise<void> {
  if (!RECORD.test(recordName)) return;
  const text = await readFile(recordPath, "utf8").catch(() => "");
  let temp: unknown;
  try {
    temp = (JSON.parse(text) as { temp?: unknown }).temp;
  } catch {
    return;
  }
  if (typeof temp === "string" && isAbsolute(temp) && RESTORE_TEMP.test(basename(temp))) await unlink(fsPath(temp)).catch(() => undefined);
}
