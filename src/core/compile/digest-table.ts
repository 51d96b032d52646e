/**
 * An open-addressing hash table for hex digests (MD5/SHA-1/SHA-256), built for the fleet case of
 * a million hash items. A JavaScript `Map` with a million string keys costs about 1.5 µs per
 * look-up here (a chain of cache misses through its entries); this table hashes the hex digits in
 * place, case-insensitively and ignoring surrounding blanks, and probes one typed array, so a
 * look-up costs about as much with a million keys as with a thousand.
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
 * A 32-bit hash of the hex digits of `text` between blanks, folding case; -1 when a character
 * is not a hex digit (then no digest can equal it). Keys are hashed by the same function.
 * Digits are gathered eight to a word and each word mixed in once: freezing a million keys
 * spends most of its time here, and one multiply per digit made it twice as slow.
 */
function hashHex(text: string): number {
  let start = 0;
  let end = text.length;
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  if (start === end) return -1;
  let h = 0x811c9dc5 ^ (end - start);
  let word = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? (NIBBLE[c] as number) : -1;
    if (v < 0) return -1;
    word = (word << 4) | v;
    if (((i - start) & 7) === 7) {
      h = Math.imul(h ^ word, 0x01000193);
      word = 0;
    }
  }
  h = Math.imul(h ^ word, 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 1; // non-negative, never -1
}

/** Tables of at least this many keys get a filter ({@link DigestTable.get}). */
const FILTER_FROM = 1 << 16;

/**
 * Digest → item refs. Add canonical keys (lower-case hex, as `parseValue` yields), freeze,
 * then look up raw record values.
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
  private keys: string[] = [];
  /** Distinct hex keys (entries in use). */
  private distinct = 0;
  private refs: (number | number[])[] = [];
  /** Pairs (hash, entry index + 1); a zero index is an empty slot. */
  private slots = new Int32Array(2);
  private mask = 0;
  /**
   * For a large table only: most record digests are in no IOC, and the filter turns them away
   * with one read that stays in cache instead of a cache miss into the slots.
   */
  private filter: KeyFilter | undefined;
  /** Keys added before {@link freeze}, with their refs (duplicates merged at freeze). */
  private pendingKeys: string[] = [];
  private pendingRefs: number[] = [];

  get size(): number {
    return this.frozen ? this.distinct : this.pendingKeys.length;
  }

  add(key: string, ref: number): void {
    if (this.frozen) throw new Error("DigestTable is frozen");
    this.pendingKeys.push(key);
    this.pendingRefs.push(ref);
  }

  freeze(): void {
    if (this.frozen) return;
    this.frozen = true;
    const pendingKeys = this.pendingKeys;
    const pendingRefs = this.pendingRefs;
    let capacity = 16;
    while (capacity < pendingKeys.length * 2) capacity *= 2;
    const mask = capacity - 1;
    const slots = new Int32Array(capacity * 2);
    // The entry of the key added i-th is i + 1: the pending arrays become the entries, with no
    // copy (a million pushes into growing arrays showed in freezing). A repeated key's refs join
    // its first entry; its own entry stays unused.
    const keys = pendingKeys;
    const refs: (number | number[])[] = pendingRefs;
    let distinct = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const h = hashHex(key);
      if (h < 0) continue; // not hex: no record value can equal it
      let slot = h & mask;
      let merged = false;
      for (let entry = slots[slot * 2 + 1] as number; entry !== EMPTY; entry = slots[slot * 2 + 1] as number) {
        if (slots[slot * 2] === h && keys[entry - 1] === key) {
          const seen = refs[entry - 1] as number | number[];
          const ref = refs[i] as number;
          if (typeof seen === "number") refs[entry - 1] = [seen, ref];
          else seen.push(ref);
          merged = true;
          break;
        }
        slot = (slot + 1) & mask;
      }
      if (merged) continue;
      distinct++;
      slots[slot * 2] = h;
      slots[slot * 2 + 1] = i + 1;
    }
    this.keys = keys;
    this.refs = refs;
    this.distinct = distinct;
    this.pendingKeys = [];
    this.pendingRefs = [];
    this.slots = slots;
    this.mask = mask;
    if (distinct >= FILTER_FROM) {
      const hashes: number[] = [];
      for (let slot = 0; slot < capacity; slot++) if (slots[slot * 2 + 1] !== EMPTY) hashes.push(slots[slot * 2] as number);
      this.filter = KeyFilter.of(hashes);
    }
  }

  /** The refs of the digest `raw` spells (any case, surrounding blanks ignored), or undefined. */
  get(raw: string): DigestRefs | undefined {
    if (this.distinct === 0) return undefined;
    const h = hashHex(raw);
    if (h < 0) return undefined;
    if (this.filter !== undefined && !this.filter.mayHave(h)) return undefined;
    let canonical: string | undefined;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.slots[slot * 2 + 1] as number;
      if (entry === EMPTY) return undefined;
      if (this.slots[slot * 2] !== h) continue;
      canonical ??= raw.trim().toLowerCase();
      if (this.keys[entry - 1] === canonical) return this.refs[entry - 1];
    }
  }
}
