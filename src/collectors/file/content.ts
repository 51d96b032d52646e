/**
 * Everything FileItem takes from a file's content, in one pass over it: the requested digests
 * (streaming node:crypto hashes fed from the same chunks), the PE headers (from the first chunk,
 * or a bounded header read when no digest is needed), and StringList/string (from the first
 * `stringsMaxBytes`). A file is opened once and never read twice for its digests.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import { constants } from "node:fs";
import { closeQuietly, openFile, readAt } from "./fs-async.js";
import type { DigestAlgorithm, Digests } from "./options.js";
import { parsePe, PE_HEADER_LIMIT, type PeInfo } from "./pe.js";
import { StringCollector } from "./strings.js";

/** What to take from one file. */
export interface ContentNeeds {
  readonly digests: readonly DigestAlgorithm[];
  readonly pe: boolean;
  readonly strings: boolean;
}

/** The caller checks `maxHashBytes` against the listed size before asking for digests. */
export interface ContentLimits {
  readonly stringsMaxBytes: number;
  readonly stringsMaxCount: number;
}

export interface ContentResult {
  readonly digests: Digests;
  /** Bytes fed to the hashes. */
  readonly bytesHashed: number;
  readonly pe: PeInfo | undefined;
  readonly strings: string[] | undefined;
}

/** The path no longer names the file that was listed (replaced, or turned into a FIFO). */
export class ChangedFileError extends Error {
  readonly code = "ECHANGED";
}

// O_NOFOLLOW: a file swapped for a link is not followed; O_NONBLOCK: one swapped for a FIFO
// cannot hang the open; O_NOCTTY: a terminal never becomes ours.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;
/** The first read when only headers are wanted: DOS and NT headers of ordinary PE files. */
const HEAD_READ = 4096;

/**
 * Reads `disk` once for `needs`: the `listed.size` bytes the caller's lstat saw (a file that
 * grows meanwhile is hashed as it was listed, as `readFile` does).
 */
export async function readContent(disk: string, listed: { readonly size: bigint }, needs: ContentNeeds, limits: ContentLimits, buffer: Buffer): Promise<ContentResult> {
  // No fstat round trip: the lstat just taken says "regular file", O_NOFOLLOW and O_NONBLOCK
  // make a swap to a link or FIFO harmless, and a short read below catches any other change.
  const fd = await openFile(disk, OPEN_FLAGS);
  try {
    const size = Number(listed.size);
    const hashes: Hash[] = needs.digests.map((algorithm) => createHash(algorithm));
    const strings = needs.strings ? new StringCollector(limits.stringsMaxCount) : undefined;
    // With digests, the whole file as listed; without, only a prefix.
    const prefix = Math.max(strings ? limits.stringsMaxBytes : 0, needs.pe ? HEAD_READ : 0);
    const end = hashes.length > 0 ? size : Math.min(size, prefix);
    let head: Buffer | undefined;
    let position = 0;
    while (position < end) {
      const n = await readAt(fd, buffer, Math.min(buffer.length, end - position), position);
      if (n === 0) break;
      const chunk = buffer.subarray(0, n);
      for (const hash of hashes) hash.update(chunk);
      if (strings && position < limits.stringsMaxBytes && !strings.full) strings.add(chunk.subarray(0, Math.min(n, limits.stringsMaxBytes - position)));
      // The chunk buffer is reused: keep a copy of the header bytes.
      if (needs.pe && position === 0) head = Buffer.from(chunk.subarray(0, Math.min(n, PE_HEADER_LIMIT)));
      position += n;
    }
    // Shorter than listed: truncated or replaced meanwhile; a digest of part of it would lie.
    if (position < end) throw new ChangedFileError(`${disk} shrank from ${size} bytes while it was read`);
    const digests: Digests = {};
    needs.digests.forEach((algorithm, i) => (digests[algorithm] = (hashes[i] as Hash).digest("hex")));
    return {
      digests,
      bytesHashed: hashes.length > 0 ? position : 0,
      pe: needs.pe ? await peHeaders(fd, head ?? Buffer.alloc(0), size) : undefined,
      strings: strings?.finish(),
    };
  } finally {
    closeQuietly(fd);
  }
}

/** Parses PE headers, reading more leading bytes (at most PE_HEADER_LIMIT) when they lie further in. */
async function peHeaders(fd: number, head: Buffer, size: number): Promise<PeInfo | undefined> {
  let bytes = head;
  // Each round asks for strictly more bytes, up to the limit: a few rounds at most.
  for (let round = 0; round < 4; round++) {
    const parsed = parsePe(bytes, size);
    if (parsed.kind === "pe") return parsed.info;
    if (parsed.kind === "not-pe" || parsed.bytes <= bytes.length) return undefined;
    bytes = await readPrefix(fd, parsed.bytes);
  }
  return undefined;
}

async function readPrefix(fd: number, length: number): Promise<Buffer> {
  const out = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const n = await readAt(fd, out.subarray(filled), length - filled, filled);
    if (n === 0) break;
    filled += n;
  }
  return out.subarray(0, filled);
}
