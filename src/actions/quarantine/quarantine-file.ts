/**
 * Quarantine one file: an encrypted, verified copy in the store, then the original deleted.
 *
 * The safe order (DESIGN.md section 6): write the copy to a temporary name, fsync it, rename it
 * into place, fsync the store folder, re-read and verify it, check the original did not change,
 * and only then unlink the original and fsync its folder. Whatever step the process or machine
 * dies at, the original or a durable verified copy exists (see `_steps.ts` for the crash tests).
 *
 * @module
 */
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import type { BigIntStats } from "node:fs";
import { constants } from "node:fs";
import { lstat, open, rename, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { pathText } from "../../shared/path-text.js";
import { CHUNK, ENTRY_OVERHEAD, HEADER, decryptEntry, encodeTrailer, readEntryMeta, writeAll } from "./_entry-file.js";
import { fsPath } from "../../shared/fs-path.js";
import { keysOf, type StoreKeys } from "./_keys.js";
import { entryFileName, newEntryId, releaseTemporaryName, temporaryName } from "./_names.js";
import { reachStep } from "./_steps.js";
import { describeError, fsyncDir } from "./_sync.js";
import { purge } from "./purge.js";
import type { EntryMeta, QuarantineCause, QuarantineReceipt, QuarantineStore } from "./types.js";

/** Thrown inside the copy phase; the message is the receipt's detail. */
class Refusal extends Error {}

/**
 * Moves the file at `path` (in memory form: src/shared/path-text.ts) into the store and
 * deletes it, through the exact bytes of a name that is not UTF-8. Never throws for a problem with the file
 * or the store: the receipt says what happened (`done`, `failed` with the original still there
 * unless the detail says otherwise, or `skipped`).
 *
 * @example
 * const receipt = await quarantineFile(store, "/srv/www/shell.php", { iocId: "6d2a…", iocTitle: "Web shell", scanId: "s-1" });
 * if (receipt.status === "done") console.log(`kept as ${receipt.quarantineId}`);
 */
export async function quarantineFile(store: QuarantineStore, path: string, cause: QuarantineCause): Promise<QuarantineReceipt> {
  const receipt = (status: QuarantineReceipt["status"], detail: string, quarantineId?: string): QuarantineReceipt =>
    quarantineId === undefined ? { type: "quarantine", status, detail, objectId: path } : { type: "quarantine", status, detail, quarantineId, objectId: path };
  if (!isAbsolute(path)) return receipt("skipped", `not an absolute path: "${pathText(path)}"`);
  const before = await lstat(fsPath(path), { bigint: true }).catch((error: unknown) => error);
  if (before instanceof Error) return receipt("failed", `${describeError(before)} reading "${pathText(path)}": nothing deleted`);
  if (!(before as BigIntStats).isFile()) return receipt("skipped", `not a regular file: "${pathText(path)}"`);
  // Retention (here or in another process) would evict an entry bigger than the limit right after
  // the original is gone; the margin covers the entry's header and metadata.
  const limit = store.retention === false ? Infinity : store.retention.maxBytes;
  if (Number((before as BigIntStats).size) + ENTRY_OVERHEAD > limit) return receipt("failed", `"${pathText(path)}" is larger than the quarantine size limit (${limit} bytes): nothing deleted`);

  let id: string;
  let original: BigIntStats;
  try {
    ({ id, original } = await writeVerifiedEntry(store, path, cause, before as BigIntStats));
  } catch (error) {
    const detail = error instanceof Refusal ? error.message : `${describeError(error)} while copying "${pathText(path)}" into the quarantine: nothing deleted`;
    return receipt("failed", detail);
  }

  // The original must be the very file that was copied, unchanged since.
  const now = await lstat(fsPath(path), { bigint: true }).catch(() => undefined);
  if (now === undefined || !sameFile(original, now)) {
    return receipt("failed", `"${pathText(path)}" changed or was replaced after it was copied: not deleted (the copy is kept as entry ${id})`, id);
  }
  // Another process's delete or purge could have removed the entry since it was verified.
  if ((await lstat(join(store.dir, entryFileName(id))).catch(() => undefined)) === undefined) {
    return receipt("failed", `the quarantine copy of "${pathText(path)}" was removed before the original was deleted: not deleted`);
  }
  try {
    await unlink(fsPath(path));
  } catch (error) {
    return receipt("failed", `${describeError(error)} deleting "${pathText(path)}": the original is still there (the copy is kept as entry ${id})`, id);
  }
  await reachStep("unlinked");
  // A folder that can be written but not read cannot be opened to flush: the deletion stands, unflushed.
  const flushed = await fsyncDir(dirname(path)).then(
    () => true,
    () => false,
  );
  await reachStep("done");
  if (store.retention !== false) await purge(store, { ...store.retention, keep: [id] }).catch(() => undefined);
  const links = Number(original.nlink) - 1;
  const extra =
    (links > 0 ? `; ${links} other hard link${links === 1 ? "" : "s"} to the same content remain` : "") + (flushed ? "" : `; its folder could not be flushed`);
  return receipt("done", `moved to the quarantine as entry ${id}, original deleted${extra}`, id);
}

/** Writes, flushes, renames and verifies the entry; returns its id and the original's final stat. */
async function writeVerifiedEntry(store: QuarantineStore, path: string, cause: QuarantineCause, before: BigIntStats): Promise<{ id: string; original: BigIntStats }> {
  const keys = keysOf(store);
  const id = newEntryId();
  const tempName = temporaryName(id);
  const temp = join(store.dir, tempName);
  const final = join(store.dir, entryFileName(id));
  try {
    const source = await open(fsPath(path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NOCTTY).catch((error: unknown) => {
      throw new Refusal(`${describeError(error)} reading "${pathText(path)}": nothing deleted`);
    });
    let meta: EntryMeta;
    let original: BigIntStats;
    try {
      const opened = await source.stat({ bigint: true });
      if (!sameFile(before, opened)) throw new Refusal(`"${pathText(path)}" was replaced while being opened: nothing deleted`);
      meta = await encryptTo(temp, source, { id, path, cause, stat: opened, dataKey: keys.data, macKey: keys.mac });
      original = await source.stat({ bigint: true });
      if (!sameFile(opened, original)) throw new Refusal(`"${pathText(path)}" changed while being copied: nothing deleted`);
    } finally {
      await source.close();
    }
    await reachStep("copy-synced");
    await rename(temp, final);
    await reachStep("renamed");
    await fsyncDir(store.dir);
    await reachStep("dir-synced");
    // Verify what is on disk, metadata included, the way list and restore will read it.
    const digest = await readBack(final, meta, keys).catch((error: unknown) => {
      throw new Refusal(`the quarantine copy of "${pathText(path)}" cannot be read back (${describeError(error)}): nothing deleted`);
    });
    if (digest !== meta.sha256) throw new Refusal(`the quarantine copy of "${pathText(path)}" does not match the original's SHA-256: nothing deleted`);
    await reachStep("verified");
    return { id, original };
  } catch (error) {
    // Nothing was deleted; a copy that could not be verified is no use to anyone.
    await unlink(temp).catch(() => undefined);
    await unlink(final).catch(() => undefined);
    throw error;
  } finally {
    releaseTemporaryName(tempName);
  }
}

interface EncryptJob {
  id: string;
  path: string;
  cause: QuarantineCause;
  stat: BigIntStats;
  dataKey: Buffer;
  macKey: Buffer;
}

/** Streams `source` encrypted into a new file `temp` (0600) with its trailer, fsynced. */
async function encryptTo(temp: string, source: Awaited<ReturnType<typeof open>>, job: EncryptJob): Promise<EntryMeta> {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", job.dataKey, iv);
  cipher.setAAD(Buffer.from(job.id, "utf8"));
  const hash = createHash("sha256");
  const out = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await writeAll(out, HEADER);
    const buffer = Buffer.allocUnsafe(CHUNK);
    let size = 0;
    for (;;) {
      const { bytesRead } = await source.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      const plain = buffer.subarray(0, bytesRead);
      hash.update(plain);
      await writeAll(out, cipher.update(plain));
      size += bytesRead;
    }
    await writeAll(out, cipher.final());
    const { stat } = job;
    const meta: EntryMeta = {
      format: "iocscan-quarantine-entry",
      version: 1,
      id: job.id,
      // The text form: well-formed, shown by list, sent to a server; restore reads it back to the bytes.
      originalPath: pathText(job.path),
      size,
      mode: Number(stat.mode),
      uid: Number(stat.uid),
      gid: Number(stat.gid),
      atimeMs: Number(stat.atimeNs) / 1e6,
      mtimeMs: Number(stat.mtimeNs) / 1e6,
      ctimeMs: Number(stat.ctimeNs) / 1e6,
      sha256: hash.digest("hex"),
      cause: { iocId: bounded(job.cause.iocId), iocTitle: bounded(job.cause.iocTitle), scanId: bounded(job.cause.scanId) },
      quarantinedAt: new Date().toISOString(),
      host: hostname(),
      iv: iv.toString("hex"),
      tag: cipher.getAuthTag().toString("hex"),
    };
    await writeAll(out, encodeTrailer(meta, job.macKey));
    await reachStep("copy-written");
    await out.sync();
    return meta;
  } finally {
    await out.close();
  }
}

/** Re-reads the entry file: its metadata must authenticate and equal `meta`; returns the content's SHA-256. */
export async function readBack(file: string, meta: EntryMeta, keys: StoreKeys): Promise<string> {
  const read = await readEntryMeta(file, keys.mac);
  if (!read.ok) throw new Error(read.reason);
  if (JSON.stringify(read.meta) !== JSON.stringify(meta)) throw new Error("its metadata differs from what was written");
  return decryptEntry(file, read.meta, keys.data);
}

/** IOC titles and ids are untrusted text: bounded, so the metadata always fits its size limit. */
function bounded(text: string): string {
  return text.length > 1024 ? `${text.slice(0, 1021)}...` : text;
}

/** Same inode, same size, same modification time. */
export function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}
