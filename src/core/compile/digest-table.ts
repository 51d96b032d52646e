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

/** Copies `probe.length` bytes of `bytes` from `offset` into `probe`: no view made per look-up. */
function copyDigest(bytes: Uint8Array, offset: number, probe: Uint8Array): void {
  for (let k = 0; k < probe.length; k++) probe[k] = bytes[offset + k] as number;
}

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
  /** A run's own index ({@link runSlots}), when it came with one. */
  readonly slots?: Int32Array;
  /** And the filter over its hashes ({@link runFilter}). */
  readonly filter?: KeyFilter;
}

/** A chunk's digests as words, read in place (copied only when its bytes are not word-aligned). */
function wordsOf(chunk: Chunk, per: number): Int32Array {
  const { bytes, count } = chunk;
  if (bytes.byteOffset % 4 === 0) return new Int32Array(bytes.buffer, bytes.byteOffset, count * per);
  const copy = new Uint8Array(count * per * 4);
  copy.set(bytes.subarray(0, copy.length));
  return new Int32Array(copy.buffer);
}

/**
 * The digests of one width (bytes, a multiple of 4), frozen. Entries are numbered across the
 * chunks in the order added; their digests stay in the chunks' own memory (a run's bytes come
 * from an IOC cache entry, and a million of them are not copied again).
 */
class WidthTable {
  /** Words per digest. */
  private readonly per: number;
  /** Per chunk: its digests as words, its first entry, its refs. */
  private readonly words: readonly Int32Array[];
  private readonly firstEntry: Int32Array;
  private readonly chunks: readonly Chunk[];
  /** Entry → every ref, for digests added more than once (the later entries are left unused). */
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
    this.chunks = chunks;
    this.words = chunks.map((c) => wordsOf(c, per));
    this.firstEntry = new Int32Array(chunks.length + 1);
    let total = 0;
    chunks.forEach((c, i) => {
      this.firstEntry[i] = total;
      total += c.count;
    });
    this.firstEntry[chunks.length] = total;
    let capacity = 16;
    while (capacity < total * 2) capacity *= 2;
    const mask = capacity - 1;
    const slots = new Int32Array(capacity * 2);
    const hashes = new Int32Array(total);
    let e = 0;
    for (const words of this.words) for (let at = 0; at < words.length; at += per) hashes[e++] = hashWords(words, at, per);
    let distinct = 0;
    // Inserted in order of home slot, not of entry: a million random slots in a 16 MiB table
    // each cost a cache miss, a stream of neighbouring ones does not. The sort is stable, so a
    // repeated digest's entries still come in the order added and the first one keeps the slot.
    for (const e of byHomeSlot(hashes, mask)) {
      const h = hashes[e] as number;
      let slot = h & mask;
      let merged = false;
      for (let entry = slots[slot * 2 + 1] as number; entry !== EMPTY; entry = slots[slot * 2 + 1] as number) {
        if (slots[slot * 2] === h && this.sameEntries(entry - 1, e)) {
          const first = entry - 1;
          const list = this.more.get(first);
          if (list === undefined) this.more.set(first, [this.refOf(first), this.refOf(e)]);
          else list.push(this.refOf(e));
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
    this.slots = slots;
    this.mask = mask;
    this.distinct = distinct;
    // Repeated digests repeat their hash: harmless in a filter.
    this.filter = distinct >= FILTER_FROM ? KeyFilter.of(hashes) : undefined;
    this.probeBytes = new Uint8Array(width);
    this.probeWords = new Int32Array(this.probeBytes.buffer);
  }

  /** The refs of the digest spelt by `text[start, start + 2 * width)`, or undefined. */
  get(text: string, start: number): DigestRefs | undefined {
    if (!decodeHex(text, start, this.probeBytes)) return undefined;
    return this.lookUpProbe();
  }

  /** Whether the digest `bytes[offset, offset + width)` is a key. */
  hasBytes(bytes: Uint8Array, offset: number): boolean {
    copyDigest(bytes, offset, this.probeBytes);
    return this.lookUpProbe() !== undefined;
  }

  /** The refs of the digest in the probe bytes, or undefined. */
  private lookUpProbe(): DigestRefs | undefined {
    const probe = this.probeWords;
    const h = hashWords(probe, 0, this.per);
    if (this.filter !== undefined && !this.filter.mayHave(h)) return undefined;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.slots[slot * 2 + 1] as number;
      if (entry === EMPTY) return undefined;
      if (this.slots[slot * 2] !== h) continue;
      const c = this.chunkOf(entry - 1);
      if (sameWords(this.words[c] as Int32Array, (entry - 1 - (this.firstEntry[c] as number)) * this.per, probe, 0, this.per)) return this.more.get(entry - 1) ?? this.refOf(entry - 1);
    }
  }

  /** The table as data (plans are compared as JSON in tests): every entry's digest and ref, by ref. */
  toJSON(): unknown {
    const entries: [string, number][] = [];
    this.words.forEach((words, c) => {
      const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
      for (let k = 0; k < (this.chunks[c] as Chunk).count; k++) {
        const e = (this.firstEntry[c] as number) + k;
        entries.push([Array.from(bytes.subarray(k * this.width, (k + 1) * this.width), (b) => b.toString(16).padStart(2, "0")).join(""), this.refOf(e)]);
      }
    });
    entries.sort((a, b) => a[1] - b[1]);
    const more = [...this.more.values()];
    return { width: this.width, distinct: this.distinct, entries, more };
  }

  /** The chunk holding entry `e`. */
  private chunkOf(e: number): number {
    const starts = this.firstEntry;
    let low = 0;
    let high = this.chunks.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if ((starts[middle] as number) <= e) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  private refOf(e: number): number {
    const c = this.chunkOf(e);
    const chunk = this.chunks[c] as Chunk;
    const k = e - (this.firstEntry[c] as number);
    return chunk.refs === undefined ? chunk.firstRef + k : (chunk.refs[k] as number);
  }

  private sameEntries(a: number, b: number): boolean {
    const ca = this.chunkOf(a);
    const cb = this.chunkOf(b);
    const per = this.per;
    return sameWords(this.words[ca] as Int32Array, (a - (this.firstEntry[ca] as number)) * per, this.words[cb] as Int32Array, (b - (this.firstEntry[cb] as number)) * per, per);
  }
}

/**
 * An open-addressing index over one run of digests (`width` bytes each, `bytes.length / width`
 * of them): pairs (hash, k + 1), every digest inserted in order, repeats included. An IOC cache
 * entry stores it beside the run's digests, so a scan that looks up a few thousand file digests
 * probes each run's index instead of building one table of a million.
 */
export function runSlots(bytes: Uint8Array, width: number): Int32Array {
  const per = width / 4;
  const count = Math.floor(bytes.length / width);
  const words = wordsOf({ width, bytes, count, refs: undefined, firstRef: 0 }, per);
  // Fuller than the table's (a run's index is stored and read back, so its size counts): at
  // most 80 % full, still a probe or two.
  let capacity = 16;
  while (capacity * 4 < count * 5) capacity *= 2;
  const mask = capacity - 1;
  const slots = new Int32Array(capacity * 2);
  for (let k = 0; k < count; k++) {
    const h = hashWords(words, k * per, per);
    let slot = h & mask;
    while (slots[slot * 2 + 1] !== EMPTY) slot = (slot + 1) & mask;
    slots[slot * 2] = h;
    slots[slot * 2 + 1] = k + 1;
  }
  return slots;
}

/**
 * The bits of a filter over the hashes in a {@link runSlots} index: a look-up skips the run's
 * index for almost every digest it does not hold, with one read from a small array (a million
 * digests in 100 runs: 2 MiB of filters, 13 MiB of indexes).
 */
export function runFilter(slots: Int32Array): Uint32Array {
  const hashes: number[] = [];
  for (let slot = 0; slot < slots.length; slot += 2) if (slots[slot + 1] !== EMPTY) hashes.push(slots[slot] as number);
  return KeyFilter.of(hashes).bits;
}

/** True when `slots` can be a {@link runSlots} index over `count` digests. */
function fitsRun(slots: Int32Array, count: number): boolean {
  const capacity = slots.length / 2;
  // At least one empty slot, so every probe ends.
  return capacity > count && capacity >= 16 && (capacity & (capacity - 1)) === 0;
}

/** How many look-ups {@link LazyWidthTable} remembers: more than a walk's batch of files. */
const RECENT_LOOKUPS = 1024;

/** Tables of at least this many digests, nearly all in indexed runs, start lazy ({@link LazyWidthTable}). */
const LAZY_FROM = 1 << 16;

/**
 * The digests of one width while they are all in runs with their own index: a look-up probes
 * each run's index (about one cache miss per run). Building one table costs about as much as
 * a look-up per digest divided by the number of runs, so once look-ups have cost a quarter of
 * that, the table is built ({@link WidthTable}) and used from then on: a scan of a few thousand
 * files never builds it, a scan of millions pays for it once.
 */
class LazyWidthTable {
  private readonly per: number;
  private readonly words: readonly Int32Array[];
  private readonly total: number;
  private lookups = 0;
  private table: WidthTable | undefined;
  /** The answers of the last look-ups, by the text looked up (null: not found). */
  private readonly recent = new Map<string, DigestRefs | null>();
  private readonly probeBytes: Uint8Array;
  private readonly probeWords: Int32Array;

  constructor(
    readonly width: number,
    private readonly chunks: readonly Chunk[],
  ) {
    this.per = width / 4;
    this.words = chunks.map((c) => wordsOf(c, this.per));
    this.total = chunks.reduce((sum, c) => sum + c.count, 0);
    this.probeBytes = new Uint8Array(width);
    this.probeWords = new Int32Array(this.probeBytes.buffer);
  }

  /** The table, built now if it was not. */
  built(): WidthTable {
    return (this.table ??= new WidthTable(this.width, this.chunks));
  }

  get distinct(): number {
    return this.built().distinct;
  }

  get(text: string, start: number): DigestRefs | undefined {
    if (this.table !== undefined) return this.table.get(text, start);
    // A scan looks a file's digest up twice (its digest gate in the walk, then evaluation, a
    // batch of files apart): the second is answered from the first, and costs no probes.
    const recent = this.recent.get(text);
    if (recent !== undefined) return recent ?? undefined;
    const found = this.probe(text, start);
    if (this.recent.size >= RECENT_LOOKUPS) this.recent.clear();
    this.recent.set(text, found ?? null);
    return found;
  }

  /** Whether the digest `bytes[offset, offset + width)` is a key. */
  hasBytes(bytes: Uint8Array, offset: number): boolean {
    if (this.table !== undefined || ++this.lookups * this.chunks.length * 4 > this.total) return this.built().hasBytes(bytes, offset);
    copyDigest(bytes, offset, this.probeBytes);
    return this.probeChunks() !== undefined;
  }

  private probe(text: string, start: number): DigestRefs | undefined {
    if (++this.lookups * this.chunks.length * 4 > this.total) return this.built().get(text, start);
    if (!decodeHex(text, start, this.probeBytes)) return undefined;
    return this.probeChunks();
  }

  /** The refs of the digest in the probe bytes, chunk by chunk (no table built), or undefined. */
  private probeChunks(): DigestRefs | undefined {
    const probe = this.probeWords;
    const per = this.per;
    const h = hashWords(probe, 0, per);
    let found: number | number[] | undefined;
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c] as Chunk;
      if (chunk.filter !== undefined && !chunk.filter.mayHave(h)) continue;
      const slots = chunk.slots as Int32Array;
      const words = this.words[c] as Int32Array;
      const mask = slots.length / 2 - 1;
      for (let slot = h & mask; ; slot = (slot + 1) & mask) {
        const entry = slots[slot * 2 + 1] as number;
        if (entry === EMPTY) break;
        if (slots[slot * 2] !== h || entry > chunk.count || !sameWords(words, (entry - 1) * per, probe, 0, per)) continue;
        // Repeats of a digest in one run sit further along its chain, in the order added.
        const ref = chunk.firstRef + entry - 1;
        found = found === undefined ? ref : typeof found === "number" ? [found, ref] : (found.push(ref), found);
      }
    }
    return found;
  }

  toJSON(): unknown {
    return this.built().toJSON();
  }
}

/** Bits of the home slot that pick a partition in {@link byHomeSlot}. */
const PARTITION_BITS = 10;

/**
 * Entry indexes ordered by the top bits of their home slot (`hash & mask`), stably: a counting
 * sort into 1,024 partitions, each a contiguous stretch of the table.
 */
function byHomeSlot(hashes: Int32Array, mask: number): Int32Array {
  const slotBits = 31 - Math.clz32(mask + 1);
  const shift = Math.max(slotBits - PARTITION_BITS, 0);
  const counts = new Int32Array((1 << PARTITION_BITS) + 1);
  for (const h of hashes) {
    const p = ((h & mask) >>> shift) + 1;
    counts[p] = (counts[p] as number) + 1;
  }
  for (let p = 1; p < counts.length; p++) counts[p] = (counts[p] as number) + (counts[p - 1] as number);
  const order = new Int32Array(hashes.length);
  for (let e = 0; e < hashes.length; e++) {
    const p = ((hashes[e] as number) & mask) >>> shift;
    order[counts[p] as number] = e;
    counts[p] = (counts[p] as number) + 1;
  }
  return order;
}

function sameWords(a: Int32Array, at: number, b: Int32Array, bt: number, per: number): boolean {
  for (let i = 0; i < per; i++) if (a[at + i] !== b[bt + i]) return false;
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
  private readonly tables = new Map<number, WidthTable | LazyWidthTable>();

  /** Digests added; once frozen, distinct digests (which builds lazy tables). */
  get size(): number {
    if (!this.frozen) return this.added;
    let distinct = 0;
    for (const table of this.tables.values()) distinct += table.distinct;
    return distinct;
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

  /**
   * Adds `bytes.length / width` digests, `width` bytes each, with refs `firstRef` onwards, and
   * their {@link runSlots} index and {@link runFilter} bits if there are (an index that does not
   * fit is ignored).
   */
  addRun(bytes: Uint8Array, width: number, firstRef: number, slots?: Int32Array, filterBits?: Uint32Array): void {
    if (this.frozen) throw new Error("DigestTable is frozen");
    const count = Math.floor(bytes.length / width);
    this.added += count;
    if (width % 4 !== 0 || width === 0 || count === 0) return;
    const chunk: Chunk = { width, bytes, count, refs: undefined, firstRef };
    if (slots === undefined || !fitsRun(slots, count)) {
      this.chunks.push(chunk);
      return;
    }
    const filter = filterBits === undefined ? undefined : KeyFilter.fromWords(filterBits);
    this.chunks.push(filter === undefined ? { ...chunk, slots } : { ...chunk, slots, filter });
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
      let total = 0;
      let indexed = 0;
      for (const c of chunks) {
        total += c.count;
        if (c.slots !== undefined) indexed += c.count;
      }
      if (total >= LAZY_FROM && indexed === total) this.tables.set(width, new LazyWidthTable(width, chunks));
      else if (total > 0) this.tables.set(width, new WidthTable(width, chunks));
    }
  }

  /** Whether the digest `bytes[offset, offset + width)` is a key (after {@link freeze}). */
  hasBytes(bytes: Uint8Array, offset: number, width: number): boolean {
    return this.tables.get(width)?.hasBytes(bytes, offset) ?? false;
  }

  /** The refs of the digest `raw` spells (any case, surrounding blanks ignored), or undefined. */
  get(raw: string): DigestRefs | undefined {
    if (this.tables.size === 0) return undefined;
    let start = 0;
    let end = raw.length;
    while (start < end && isBlank(raw.charCodeAt(start))) start++;
    while (end > start && isBlank(raw.charCodeAt(end - 1))) end--;
    const length = end - start;
    if (length % 2 !== 0) return undefined;
    return this.tables.get(length / 2)?.get(raw, start);
  }
}
