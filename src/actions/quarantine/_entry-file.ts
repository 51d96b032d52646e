/**
 * The entry file, one per quarantined object, `<id>.iocq` (a single file, so one rename commits it):
 *
 *     "IOCSCANQ" | version 0x01 | AES-256-GCM ciphertext (meta.size bytes)
 *     | metadata JSON (m bytes) | HMAC-SHA256(metadata JSON) (32) | m as u32 BE (4) | "IOCQEND1"
 *
 * The ciphertext comes first so the content is streamed once, hashing the plaintext on the way; the
 * metadata (which holds that hash, the GCM nonce and tag) is appended after it. The entry id is the
 * GCM additional data, so an entry's content cannot be passed off as another's.
 *
 * @module
 */
import { createDecipheriv, createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import type { EntryMeta } from "./types.js";

export const HEADER = Buffer.from("IOCSCANQ\x01", "latin1");
const END = Buffer.from("IOCQEND1", "latin1");
const TAIL = 32 + 4 + END.length;
/** Metadata is small; a larger length field means a damaged file, not a reason to allocate. */
const MAX_META = 64 * 1024;
export const CHUNK = 1024 * 1024;
/** An upper bound of what an entry file holds besides the ciphertext. */
export const ENTRY_OVERHEAD = HEADER.length + MAX_META + TAIL;

export const ENTRY_SUFFIX = ".iocq";
const ID_PATTERN = /^[0-9a-f]{16}$/;

/** True for a well-formed entry id (ids become file names, so nothing else is accepted). */
export function isEntryId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** The trailer that follows the ciphertext. */
export function encodeTrailer(meta: EntryMeta, macKey: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(meta), "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([json, createHmac("sha256", macKey).update(json).digest(), length, END]);
}

export type ReadMetaResult = { ok: true; meta: EntryMeta; storedBytes: number } | { ok: false; reason: string };

/** Reads and authenticates the metadata of the entry file at `path`. */
export async function readEntryMeta(path: string, macKey: Buffer): Promise<ReadMetaResult> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    if (size < HEADER.length + TAIL) return { ok: false, reason: "too short" };
    const tail = await readAt(handle, size - TAIL, TAIL);
    if (!tail.subarray(36).equals(END)) return { ok: false, reason: "no end marker" };
    const metaLength = tail.readUInt32BE(32);
    if (metaLength > MAX_META || metaLength > size - HEADER.length - TAIL) return { ok: false, reason: "bad metadata length" };
    const json = await readAt(handle, size - TAIL - metaLength, metaLength);
    const mac = createHmac("sha256", macKey).update(json).digest();
    if (!timingSafeEqual(mac, tail.subarray(0, 32))) return { ok: false, reason: "metadata fails authentication" };
    const meta = JSON.parse(json.toString("utf8")) as EntryMeta;
    if (HEADER.length + meta.size + metaLength + TAIL !== size) return { ok: false, reason: "size does not match its metadata" };
    const header = await readAt(handle, 0, HEADER.length);
    if (!header.equals(HEADER)) return { ok: false, reason: "bad header" };
    return { ok: true, meta, storedBytes: size };
  } finally {
    await handle.close();
  }
}

/**
 * Decrypts the entry's content, passing each plaintext chunk to `sink`, and returns its SHA-256.
 * Throws if GCM authentication fails: chunks already passed on must then be discarded by the caller.
 */
export async function decryptEntry(path: string, meta: EntryMeta, dataKey: Buffer, sink?: (chunk: Buffer) => Promise<void>): Promise<string> {
  const decipher = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(meta.iv, "hex"));
  decipher.setAAD(Buffer.from(meta.id, "utf8"));
  decipher.setAuthTag(Buffer.from(meta.tag, "hex"));
  const hash = createHash("sha256");
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let position = HEADER.length;
    let left = meta.size;
    while (left > 0) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, left), position);
      if (bytesRead === 0) throw new Error("Cannot decrypt the entry: it is shorter than its metadata says");
      const plain = decipher.update(buffer.subarray(0, bytesRead));
      hash.update(plain);
      await sink?.(plain);
      position += bytesRead;
      left -= bytesRead;
    }
  } finally {
    await handle.close();
  }
  try {
    const last = decipher.final();
    hash.update(last);
    await sink?.(last);
  } catch {
    throw new Error("Cannot decrypt the entry: its content fails authentication (damaged or tampered with)");
  }
  return hash.digest("hex");
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** Writes all of `data` at the current position (a write(2) may write less than asked when the disk fills). */
export async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset, null);
    offset += bytesWritten;
  }
}
