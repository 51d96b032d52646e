/**
 * Finishes a quarantine that a killed process left half done: its entry is in the store, but the
 * process died before deleting the original (between `renamed` and `unlinked`, see `_steps.ts`).
 * A resumed scan that meets such an entry must not call the file "quarantined" while it is still
 * there, nor copy it a second time.
 *
 * @module
 */
import type { BigIntStats } from "node:fs";
import { constants } from "node:fs";
import { lstat, open, unlink } from "node:fs/promises";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fsPath } from "../../shared/fs-path.js";
import { pathText } from "../../shared/path-text.js";
import { CHUNK } from "./_entry-file.js";
import { keysOf } from "./_keys.js";
import { entryFileName } from "./_names.js";
import { describeError, errorCode, fsyncDir } from "./_sync.js";
import { readBack, sameFile } from "./quarantine-file.js";
import type { EntryMeta, QuarantineReceipt, QuarantineStore } from "./types.js";

/**
 * Given the entry an earlier, interrupted quarantine of `path` wrote: when the original is gone,
 * the receipt of that quarantine; when it is still there, the same bytes as the entry and the
 * entry verifies, deletes the original now and returns the receipt. Undefined when the file must
 * be quarantined afresh: the entry cannot be verified, or the file is not the one that was copied
 * (changed since, or replaced). Never throws for a problem with the file.
 */
export async function completeEarlierQuarantine(store: QuarantineStore, meta: EntryMeta, path: string): Promise<QuarantineReceipt | undefined> {
  const receipt = (detail: string): QuarantineReceipt => ({ type: "quarantine", status: "done", detail, quarantineId: meta.id, objectId: path });
  const before = await lstat(fsPath(path), { bigint: true }).catch((error: unknown) => error);
  if (before instanceof Error) {
    if (errorCode(before) !== "ENOENT") return undefined;
    return receipt(`moved to the quarantine as entry ${meta.id}, original deleted (before the scan was interrupted)`);
  }
  if (!(before as BigIntStats).isFile() || Number((before as BigIntStats).size) !== meta.size) return undefined;
  // The entry as list and restore will read it: authenticated metadata, content that decrypts to the SHA-256 it names.
  const entryFile = join(store.dir, entryFileName(meta.id));
  const content = await readBack(entryFile, meta, keysOf(store)).catch(() => undefined);
  if (content !== meta.sha256) return undefined;
  const original = await sha256Unchanged(path, before as BigIntStats);
  if (original !== meta.sha256) return undefined;
  try {
    await unlink(fsPath(path));
  } catch (error) {
    return { type: "quarantine", status: "failed", detail: `${describeError(error)} deleting "${pathText(path)}": the original is still there (its copy is entry ${meta.id})`, quarantineId: meta.id, objectId: path };
  }
  await fsyncDir(dirname(path)).catch(() => undefined);
  return receipt(`moved to the quarantine as entry ${meta.id} before the scan was interrupted, original deleted on resume`);
}

/** The file's SHA-256, or undefined when it is not the file `before` describes or changed while being read. */
async function sha256Unchanged(path: string, before: BigIntStats): Promise<string | undefined> {
  const handle = await open(fsPath(path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NOCTTY).catch(() => undefined);
  if (handle === undefined) return undefined;
  try {
    const opened = await handle.stat({ bigint: true });
    if (!sameFile(before, opened)) return undefined;
    const hash = createHash("sha256");
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
    const after = await handle.stat({ bigint: true });
    const now = await lstat(fsPath(path), { bigint: true }).catch(() => undefined);
    if (!sameFile(opened, after) || now === undefined || !sameFile(after, now)) return undefined;
    return hash.digest("hex");
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}
