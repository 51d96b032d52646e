/**
 * An open-addressing hash table for digests (MD5/SHA-1/SHA-256), built for the fleet case of a
 * million hash items. Keys are kept as bytes in one typed array per digest width, never as a
 * million strings: a JavaScript `Map` with a million string keys costs about 1.5 µs per look-up
 * (a chain of cache misses through its entries) and a million strings to collect. A look-up
 * decodes the record's hex digits in place, case-insensitively and ignoring surrounding blanks,
 * and probes one typed array, so it costs about as much with a million keys as with a thousand.
 * Digests can also come in whole runs of bytes ({@link DigestTable.addRun}: an IOC cache entry),
 * with no string per digest at all.
 *
 * @module
 */

import { KeyFilter } from "./key-filter.js";

/** Item refs under one key: a single number or several. */
export type DigestRefs = number | readonly number[];

const EMPTY = 0;

function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** The value of each ASCII hex digit, either case; -1 for any other ASCII character. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let d = 0; d < 10; d++) NIBBLE[48 + d] = d;
for (let d = 0; d < 6; d++) NIBBLE[65 + d] = NIBBLE[97 + d] = 10 + d;

/**
 * Writes the digest spelt by `text[start, end)` (hex, either case) into `out`; false when a
 * character is not a hex digit.
 */
function decodeHex(text: string, start: number, out: Uint8Array): boolean {
  for (let j = 0; j < out.length; j++) {
    const a = text.charCodeAt(start + 2 * j);
    const b = text.charCodeAt(start + 2 * j + 1);
    const hi = a < 128 ? (NIBBLE[a] as number) : -1;
    const lo = b < 128 ? (NIBBLE[b] as number) : -1;
    if (hi < 0 || lo < 0) return false;
    out[j] = (hi << 4) | lo;
  }
  return true;
}

/** A 31-bit hash of the `per` words of `words` from `at`. */
function hashWords(words: Int32Array, at: number, per: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < per; i++) h = Math.imul(h ^ (words[at + i] as number), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 1; // non-negative
}

/** Tables of at least this many keys get a filter ({@link DigestTable.get}). */
const FILTER_FROM = 1 << 16;

/** Digests added between freezes, in the order added: strings one by one, or a run of bytes. */
interface Chunk {
  readonly width: number;
  /** The digests' bytes, `width` per digest (a string chunk grows). */
  bytes: Uint8Array;
  count: number;
  /** The refs of a string chunk; a run's refs are `firstRef` onwards. */
  readonly refs: number[] | undefined;
  readonly firstRef: number;
}

/** The digests of one width (bytes, a multiple of 4), frozen. */
class WidthTable {
  /** Words per digest. */
  private readonly per: number;
  private readonly words: Int32Array;
  /** Entry → its first ref; entries whose digest repeats an earlier one are left unused. */
  private readonly refs: Int32Array;
  /** Entry → every ref, for digests added more than once. */
  private readonly more = new Map<number, number[]>();
  /** Pairs (hash, entry index + 1); a zero index is an empty slot. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  /**
   * For a large table only: most record digests are in no IOC, and the filter turns them away
   * with one read that stays in cache instead of a cache miss into the slots.
   */
  private readonly filter: KeyFilter | undefined;
  /** The record digest being looked up, as bytes and as words over the same memory. */
  private readonly probeBytes: Uint8Array;
  private readonly probeWords: Int32Array;
  readonly distinct: number;

  constructor(
    readonly width: number,
    chunks: readonly Chunk[],
  ) {
    const per = width / 4;
    this.per = per;
    let total = 0;
    for (const c of chunks) total += c.count;
    // One copy of every digest, in the order added: refs of a repeated digest stay in that order.
    const bytes = new Uint8Array(total * width);
    const refs = new Int32Array(total);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c.bytes.subarray(0, c.count * width), at * width);
      for (let k = 0; k < c.count; k++) refs[at + k] = c.refs === undefined ? c.firstRef + k : (c.refs[k] as number);
      at += c.count;
    }
    const words = new Int32Array(bytes.buffer, 0, total * per);
    let capacity = 16;
    while (capacity < total * 2) capacity *= 2;
    const mask = capacity - 1;
    const slots = new Int32Array(capacity * 2);
    let distinct = 0;
    for (let e = 0; e < total; e++) {
      const h = hashWords(words, e * per, per);
      let slot = h & mask;
      let merged = false;
      for (let entry = slots[slot * 2 + 1] as number; entry !== EMPTY; entry = slots[slot * 2 + 1] as number) {
        if (slots[slot * 2] === h && sameWords(words, (entry - 1) * per, e * per, per)) {
          const first = entry - 1;
          const list = this.more.get(first);
          if (list === undefined) this.more.set(first, [refs[first] as number, refs[e] as number]);
          else list.push(refs[e] as number);
          merged = true;
          break;
        }
        slot = (slot + 1) & mask;
      }
      if (merged) continue;
      distinct++;
      slots[slot * 2] = h;
      slots[slot * 2 + 1] = e + 1;
    }
    this.words = words;
    this.refs = refs;
    this.slots = slots;
    this.mask = mask;
    this.distinct = distinct;
    if (distinct >= FILTER_FROM) {
      const hashes = new Int32Array(distinct);
      let n = 0;
      for (let slot = 0; slot < capacity; slot++) if (slots[slot * 2 + 1] !== EMPTY) hashes[n++] = slots[slot * 2] as number;
      this.filter = KeyFilter.of(hashes);
    }
    this.probeBytes = new Uint8Array(width);
    this.probeWords = new Int32Array(this.probeBytes.buffer);
  }

  /** The refs of the digest spelt by `text[start, start + 2 * width)`, or undefined. */
  get(text: string, start: number): DigestRefs | undefined {
    if (!decodeHex(text, start, this.probeBytes)) return undefined;
    const probe = this.probeWords;
    const per = this.per;
    const h = hashWords(probe, 0, per);
    if (this.filter !== undefined && !this.filter.mayHave(h)) return undefined;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.slots[slot * 2 + 1] as number;
      if (entry === EMPTY) return undefined;
      if (this.slots[slot * 2] !== h) continue;
      const e = entry - 1;
      let same = true;
      for (let i = 0; i < per; i++) {
        if (this.words[e * per + i] !== probe[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.more.get(e) ?? this.refs[e];
    }
  }
}

function sameWords(words: Int32Array, a: number, b: number, per: number): boolean {
  for (let i = 0; i < per; i++) if (words[a + i] !== words[b + i]) return false;
  return true;
}

/**
 * Digest → item refs. Add canonical keys (lower-case hex, as `parseValue` yields) or runs of
 * digest bytes, freeze, then look up raw record values.
 *
 * @example
 * ```ts
 * const t = new DigestTable();
 * t.add("d41d8cd98f00b204e9800998ecf8427e", 7);
 * t.freeze();
 * t.get(" D41D8CD98F00B204E9800998ECF8427E"); // 7
 * ```
 */
export class DigestTable {
  private frozen = false;
  private chunks: Chunk[] = [];
  private added = 0;
  /** Frozen tables by digest width in bytes. */
  private readonly tables = new Map<number, WidthTable>();
  private distinct = 0;

  get size(): number {
    return this.frozen ? this.distinct : this.added;
  }

  /**
   * Adds a digest spelt in hex. A key that is not hex, or whose byte length is not a multiple of
   * four (no digest algorithm has such a length), is counted but can equal no record value.
   */
  add(key: string, ref: number): void {
    if (this.frozen) throw new Error("DigestTable is frozen");
    this.added++;
    if (key.length % 8 !== 0 || key.length === 0) return;
    const width = key.length / 2;
    let chunk = this.chunks[this.chunks.length - 1];
    if (chunk === undefined || chunk.refs === undefined || chunk.width !== width) {
      chunk = { width, bytes: new Uint8Array(width * 16), count: 0, refs: [], firstRef: 0 };
      this.chunks.push(chunk);
    }
    if ((chunk.count + 1) * width > chunk.bytes.length) {
      const grown = new Uint8Array(chunk.bytes.length * 2);
      grown.set(chunk.bytes);
      chunk.bytes = grown;
    }
    if (!decodeHex(key, 0, chunk.bytes.subarray(chunk.count * width, (chunk.count + 1) * width))) return;
    chunk.refs?.push(ref);
    chunk.count++;
  }

  /** Adds `bytes.length / width` digests, `width` bytes each, with refs `firstRef` onwards. */
  addRun(bytes: Uint8Array, width: number, firstRef: number): void {
    if (this.frozen) throw new Error("DigestTable is frozen");
    const count = Math.floor(bytes.length / width);
    this.added += count;
    if (width % 4 !== 0 || width === 0 || count === 0) return;
    this.chunks.push({ width, bytes, count, refs: undefined, firstRef });
  }

  freeze(): void {
    if (this.frozen) return;
    this.frozen = true;
    const byWidth = new Map<number, Chunk[]>();
    for (const c of this.chunks) {
      const list = byWidth.get(c.width);
      if (list === undefined) byWidth.set(c.width, [c]);
      else list.push(c);
    }
    this.chunks = [];
    for (const [width, chunks] of byWidth) {
      const table = new WidthTable(width, chunks);
      this.tables.set(width, table);
      this.distinct += table.distinct;
    }
  }

  /** The refs of the digest `raw` spells (any case, surrounding blanks ignored), or undefined. */
  get(raw: string): DigestRefs | undefined {
    if (this.distinct === 0) return undefined;
    let start = 0;
    let end = raw.length;
    while (start < end && isBlank(raw.charCodeAt(start))) start++;
    while (end > start && isBlank(raw.charCodeAt(end - 1))) end--;
    const length = end - start;
    if (length % 2 !== 0) return undefined;
    return this.tables.get(length / 2)?.get(raw, start);
  }
}
