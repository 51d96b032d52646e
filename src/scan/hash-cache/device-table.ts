/**
 * One device's hash cache entries in the binary form they are stored and searched in: fixed-size
 * entries sorted by inode, so a scan reads a device's file whole and looks files up by binary
 * search, with nothing parsed or allocated per entry at load.
 *
 * Layout, in this machine's byte order (another byte order reads as another format version, and
 * the file is rebuilt: it is a cache):
 * - header, 32 bytes: magic "iocshc\n\0", format version u32, entry count u32, device u64,
 *   digest bytes u32, CRC-32 of everything after the header u32;
 * - entries, 40 bytes each, by inode ascending: inode u64, size u64, mtime ns u64, ctime ns u64
 *   (two's complement), digest offset u32, digests present u8 (1 md5, 2 sha1, 4 sha256), unused
 *   u8, day written u16 (days since 1970, to drop the oldest when a device holds too many);
 * - digests: each entry's present ones, md5 (16 bytes), sha1 (20), sha256 (32), in that order.
 *
 * @module
 */
import { crc32 } from "node:zlib";
import { DIGEST_BYTES } from "../../core/compile/index.js";
import type { Digests, HashCacheKey } from "../../collectors/file/index.js";

/** The format this code reads and writes; any other is ignored and rebuilt. */
export const HASH_CACHE_FORMAT_VERSION = 1;

const MAGIC = Buffer.from("iocshc\n\0", "latin1");
export const HEADER_BYTES = 32;
const ENTRY_BYTES = 40;
const ENTRY_WORDS = ENTRY_BYTES / 8;

/** The largest device file of at most `maxEntries` entries (each with all three digests). */
export const deviceFileBytesAtMost = (maxEntries: number): number => HEADER_BYTES + maxEntries * (ENTRY_BYTES + DIGEST_BYTES.md5 + DIGEST_BYTES.sha1 + DIGEST_BYTES.sha256);

type Algorithm = keyof typeof DIGEST_BYTES;
const ALGORITHMS: readonly Algorithm[] = ["md5", "sha1", "sha256"];
const FLAG: Record<Algorithm, number> = { md5: 1, sha1: 2, sha256: 4 };

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Index, within an entry's 32-bit words, of the inode's low and high halves. */
const INO_LO = LITTLE_ENDIAN ? 0 : 1;
const INO_HI = LITTLE_ENDIAN ? 1 : 0;

/** A file version with every field as the unsigned 64-bit pattern it is stored as. */
export interface Version {
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

const u64 = (value: bigint): bigint => BigInt.asUintN(64, value);

/** The key as stored: negative values (an inode above 2^63 read as signed) as their bit pattern. */
export const versionOf = (key: HashCacheKey): Version => ({ ino: u64(key.ino), size: u64(key.size), mtimeNs: u64(key.mtimeNs), ctimeNs: u64(key.ctimeNs) });

export const sameVersion = (a: Version, b: Version): boolean => a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;

/**
 * A put's digests, each lower-case hex of its algorithm's length or undefined: one shape for every
 * put, so that a flush of 20,000 of them reads fields, not keys of objects of many shapes.
 */
export interface PutDigests {
  readonly md5: string | undefined;
  readonly sha1: string | undefined;
  readonly sha256: string | undefined;
}

/**
 * An inode as a Map key: a number where it is exact (every inode of ext4, and most others), the
 * bigint beyond. A Map hashes a number far faster than a bigint, and a scan puts one per file.
 */
export type InoKey = number | bigint;

export const inoKey = (ino: bigint): InoKey => (ino <= MAX_EXACT ? Number(ino) : ino);

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Digests put by this scan, not yet written, with the version they belong to. */
export interface Put extends Version {
  readonly digests: PutDigests;
}

/** `b`'s digests, and `a`'s where `b` has none. */
export function withDigests(a: PutDigests, b: PutDigests): PutDigests {
  return { md5: b.md5 ?? a.md5, sha1: b.sha1 ?? a.sha1, sha256: b.sha256 ?? a.sha256 };
}

/** A put's digests as {@link Digests}: only those present. */
export function digestsOfPut(put: PutDigests): Digests {
  const digests: Digests = {};
  if (put.md5 !== undefined) digests.md5 = put.md5;
  if (put.sha1 !== undefined) digests.sha1 = put.sha1;
  if (put.sha256 !== undefined) digests.sha256 = put.sha256;
  return digests;
}

/** A device's entries as read from its file: searched in place. */
export class DeviceTable {
  private readonly words: BigUint64Array;
  private readonly halves: Uint32Array;

  private constructor(
    private readonly bytes: Buffer,
    readonly count: number,
  ) {
    this.words = new BigUint64Array(bytes.buffer, bytes.byteOffset + HEADER_BYTES, count * ENTRY_WORDS);
    this.halves = new Uint32Array(bytes.buffer, bytes.byteOffset + HEADER_BYTES, count * ENTRY_WORDS * 2);
  }

  /**
   * The table held by `bytes` (a device file's content), or a reason it cannot be used: another
   * format, another device, cut short or damaged (the CRC catches a torn or altered write).
   */
  static read(bytes: Buffer, dev: bigint): DeviceTable | string {
    if (bytes.length < HEADER_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return "not a hash cache file";
    // Typed views need 8-byte alignment; small files come in a shared, unaligned pool.
    const aligned = bytes.byteOffset % 8 === 0 ? bytes : Buffer.from(new Uint8Array(bytes));
    const header = new Uint32Array(aligned.buffer, aligned.byteOffset, HEADER_BYTES / 4);
    if (header[2] !== HASH_CACHE_FORMAT_VERSION) return `format ${header[2]}, not ${HASH_CACHE_FORMAT_VERSION}`;
    const count = header[3] as number;
    const digestBytes = header[6] as number;
    if (new BigUint64Array(aligned.buffer, aligned.byteOffset + 16, 1)[0] !== u64(dev)) return "written for another device";
    if (aligned.length !== HEADER_BYTES + count * ENTRY_BYTES + digestBytes) return "cut short or too long";
    if (crc32(aligned.subarray(HEADER_BYTES)) !== header[7]) return "damaged (checksum)";
    return new DeviceTable(aligned, count);
  }

  /** The table of a file's content {@link mergeTable} just made: nothing to check. */
  static merged(bytes: Buffer): DeviceTable {
    return new DeviceTable(bytes, new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER_BYTES / 4)[3] as number);
  }

  /** The entry of inode `ino` (stored form), or -1. */
  find(ino: bigint): number {
    const lo = Number(ino & 0xffff_ffffn);
    const hi = Number(ino >> 32n);
    let low = 0;
    let high = this.count - 1;
    // On 32-bit halves: no BigInt is made per step.
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const at = mid * ENTRY_WORDS * 2;
      const midHi = this.halves[at + INO_HI] as number;
      const midLo = this.halves[at + INO_LO] as number;
      if (midHi < hi || (midHi === hi && midLo < lo)) low = mid + 1;
      else if (midHi === hi && midLo === lo) return mid;
      else high = mid - 1;
    }
    return -1;
  }

  version(i: number): Version {
    const at = i * ENTRY_WORDS;
    const w = this.words;
    return { ino: w[at] as bigint, size: w[at + 1] as bigint, mtimeNs: w[at + 2] as bigint, ctimeNs: w[at + 3] as bigint };
  }

  /** Whether entry `i` holds version `v` (same inode assumed). */
  holds(i: number, v: Version): boolean {
    const at = i * ENTRY_WORDS;
    const w = this.words;
    return w[at + 1] === v.size && w[at + 2] === v.mtimeNs && w[at + 3] === v.ctimeNs;
  }

  digests(i: number): Digests {
    const digests: Digests = {};
    for (const algorithm of ALGORITHMS) {
      const at = this.digestOffset(i, algorithm);
      if (at >= 0) digests[algorithm] = this.bytes.toString("hex", at, at + DIGEST_BYTES[algorithm]);
    }
    return digests;
  }

  day(i: number): number {
    return (this.halves[i * ENTRY_WORDS * 2 + 9] as number) >>> 16;
  }

  /** Which digests entry `i` holds (1 md5, 2 sha1, 4 sha256). */
  flags(i: number): number {
    return (this.halves[i * ENTRY_WORDS * 2 + 9] as number) & 0xff;
  }

  /** The bytes holding the digests: {@link digestOffset} says where. */
  get buffer(): Buffer {
    return this.bytes;
  }

  /** Where entry `i`'s digest of `algorithm` starts in {@link buffer}, or -1 when it has none. */
  digestOffset(i: number, algorithm: Algorithm): number {
    const flags = this.flags(i);
    if ((flags & FLAG[algorithm]) === 0) return -1;
    let at = this.digestStart(i);
    for (const a of ALGORITHMS) {
      if (a === algorithm) break;
      if ((flags & FLAG[a]) !== 0) at += DIGEST_BYTES[a];
    }
    return at;
  }

  /** Digest bytes of entry `i`, as stored. */
  digestBytes(i: number): Buffer {
    const from = this.digestStart(i);
    return this.bytes.subarray(from, from + digestLength(this.flags(i)));
  }

  private digestStart(i: number): number {
    return HEADER_BYTES + this.count * ENTRY_BYTES + (this.halves[i * ENTRY_WORDS * 2 + 8] as number);
  }
}

/** Digest bytes of an entry, by its flags (0-7). */
const DIGEST_LENGTH = Array.from({ length: 8 }, (_, flags) => ALGORITHMS.reduce((n, a) => n + ((flags & FLAG[a]) !== 0 ? DIGEST_BYTES[a] : 0), 0));
const digestLength = (flags: number): number => DIGEST_LENGTH[flags] as number;

/**
 * The content of a device file holding `table`'s entries (if any) updated by `puts`: a put of the
 * version an entry holds adds its digests to the entry's, a put of another version replaces it.
 * Past `maxEntries`, the entries written longest ago are left out (among those of the oldest day
 * kept, the lowest inodes stay).
 */
export function mergeTable(dev: bigint, table: DeviceTable | undefined, puts: ReadonlyMap<InoKey, Put>, today: number, maxEntries: number): Buffer {
  const inos = new BigUint64Array(puts.size);
  let k = 0;
  for (const put of puts.values()) inos[k++] = put.ino;
  inos.sort();
  const added = Array.from(inos, (ino) => puts.get(inoKey(ino)) as Put);
  const count = table?.count ?? 0;
  // Each entry to write, in inode order: a table entry (>= 0) or a put (-1 - its index in `added`).
  let from: Int32Array = new Int32Array(count + added.length);
  let n = 0;
  let p = 0;
  for (let i = 0; i < count; i++) {
    const t = table as DeviceTable;
    const ino = t.version(i).ino;
    while (p < added.length && (inos[p] as bigint) < ino) from[n++] = -1 - p++;
    if (p < added.length && inos[p] === ino) {
      const put = added[p] as Put;
      if (t.holds(i, put)) added[p] = { ino: put.ino, size: put.size, mtimeNs: put.mtimeNs, ctimeNs: put.ctimeNs, digests: withDigests(cleanDigests(t.digests(i)), put.digests) };
      from[n++] = -1 - p++;
    } else from[n++] = i;
  }
  while (p < added.length) from[n++] = -1 - p++;
  from = from.subarray(0, n);
  const dayOf = (f: number): number => (f >= 0 ? (table as DeviceTable).day(f) : today);
  if (n > maxEntries) from = newest(from, dayOf, maxEntries);
  return encode(dev, from, table, added, dayOf);
}

/** The `max` entries of `from` written last, in their order. */
function newest(from: Int32Array, dayOf: (f: number) => number, max: number): Int32Array {
  const days = Uint16Array.from(from, dayOf).sort();
  const cutoff = days[days.length - max] as number;
  let room = max;
  for (const f of from) if (dayOf(f) > cutoff) room--;
  return from.filter((f) => dayOf(f) > cutoff || (dayOf(f) === cutoff && room-- > 0));
}

function encode(dev: bigint, from: Int32Array, table: DeviceTable | undefined, added: readonly Put[], dayOf: (f: number) => number): Buffer {
  const flags = new Uint8Array(from.length);
  for (let i = 0; i < from.length; i++) {
    const f = from[i] as number;
    flags[i] = f >= 0 ? (table as DeviceTable).flags(f) : flagsOf((added[-1 - f] as Put).digests);
  }
  let digestBytes = 0;
  for (const f of flags) digestBytes += digestLength(f);
  const entriesEnd = HEADER_BYTES + from.length * ENTRY_BYTES;
  // Zeroed: the unused byte reads the same on every write.
  const bytes = Buffer.alloc(entriesEnd + digestBytes);
  const words = new BigUint64Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 3);
  const halves = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  MAGIC.copy(bytes, 0);
  halves[2] = HASH_CACHE_FORMAT_VERSION;
  halves[3] = from.length;
  words[2] = u64(dev);
  halves[6] = digestBytes;
  let offset = 0;
  let at: number;
  for (let i = 0; i < from.length; i++) {
    const f = from[i] as number;
    const word = (HEADER_BYTES + i * ENTRY_BYTES) / 8;
    const v = f >= 0 ? (table as DeviceTable).version(f) : (added[-1 - f] as Put);
    words[word] = v.ino;
    words[word + 1] = v.size;
    words[word + 2] = v.mtimeNs;
    words[word + 3] = v.ctimeNs;
    halves[word * 2 + 8] = offset;
    halves[word * 2 + 9] = (flags[i] as number) | (dayOf(f) << 16);
    if (f >= 0) offset += (table as DeviceTable).digestBytes(f).copy(bytes, entriesEnd + offset);
    else {
      const { md5, sha1, sha256 } = (added[-1 - f] as Put).digests;
      at = entriesEnd + offset;
      if (md5 !== undefined) at += bytes.write(md5, at, DIGEST_BYTES.md5, "hex");
      if (sha1 !== undefined) at += bytes.write(sha1, at, DIGEST_BYTES.sha1, "hex");
      if (sha256 !== undefined) at += bytes.write(sha256, at, DIGEST_BYTES.sha256, "hex");
      offset = at - entriesEnd;
    }
  }
  halves[7] = crc32(bytes.subarray(HEADER_BYTES));
  return bytes;
}

function flagsOf(digests: PutDigests): number {
  return (digests.md5 === undefined ? 0 : FLAG.md5) | (digests.sha1 === undefined ? 0 : FLAG.sha1) | (digests.sha256 === undefined ? 0 : FLAG.sha256);
}

/**
 * A digest as a put may carry it: lower-case hex of the algorithm's length, or nothing (a
 * malformed one would be written as fewer bytes and shift the entries after it).
 */
export function cleanDigests(digests: Digests): PutDigests {
  return { md5: cleanHex(digests.md5, DIGEST_BYTES.md5), sha1: cleanHex(digests.sha1, DIGEST_BYTES.sha1), sha256: cleanHex(digests.sha256, DIGEST_BYTES.sha256) };
}

const HEX = /^[0-9a-f]+$/;

function cleanHex(hex: string | undefined, bytes: number): string | undefined {
  if (hex === undefined || hex.length !== bytes * 2) return undefined;
  if (HEX.test(hex)) return hex;
  const lower = hex.toLowerCase();
  return HEX.test(lower) ? lower : undefined;
}
