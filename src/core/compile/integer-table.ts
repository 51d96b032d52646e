/**
 * An open-addressing hash table from safe integers to item refs, for integer `is` items
 * (`SizeInBytes is 104448`): every file record is looked up by its size, so the look-up must
 * cost little even with 10,000 sizes. A `Map` with number keys costs several times more here
 * (hashing through the runtime, entries spread over the heap); this table hashes in place and
 * probes two typed arrays.
 *
 * @module
 */

import { KeyFilter } from "./key-filter.js";

/** Item refs under one key: a single number or several. */
export type IntegerRefs = number | readonly number[];

const EMPTY = 0;
const TWO_32 = 4294967296;
/** Tables of at least this many keys get a filter: their slots outgrow the fastest caches. */
const FILTER_FROM = 1024;

/** A 31-bit mix of a safe integer's low and high words (non-negative). */
function hashInteger(n: number): number {
  let h = (n | 0) ^ Math.imul(Math.floor(n / TWO_32) | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 1;
}

/**
 * Safe integer → item refs. Add, freeze, then look up.
 *
 * @example
 * ```ts
 * const t = new IntegerTable();
 * t.add(104448, 7);
 * t.freeze();
 * t.get(104448); // 7
 * t.get(104449); // undefined
 * ```
 */
export class IntegerTable {
  private frozen = false;
  private readonly pending = new Map<number, number | number[]>();
  private keys = new Float64Array(1);
  /** Per slot: entry index + 1; zero for an empty slot. */
  private entries = new Int32Array(1);
  private refs: IntegerRefs[] = [];
  private mask = 0;
  /** Turns most absent keys away without touching the slots (large tables only). */
  private filter: KeyFilter | undefined;

  get size(): number {
    return this.frozen ? this.refs.length : this.pending.size;
  }

  /** Adds a key; not a safe integer: ignored (no look-up could find it). */
  add(key: number, ref: number): void {
    if (this.frozen) throw new Error("IntegerTable is frozen");
    if (!Number.isSafeInteger(key)) return;
    const seen = this.pending.get(key);
    if (seen === undefined) this.pending.set(key, ref);
    else if (typeof seen === "number") this.pending.set(key, [seen, ref]);
    else seen.push(ref);
  }

  freeze(): void {
    if (this.frozen) return;
    this.frozen = true;
    let capacity = 16;
    while (capacity < this.pending.size * 2) capacity *= 2;
    const mask = capacity - 1;
    const keys = new Float64Array(capacity);
    const entries = new Int32Array(capacity);
    const hashes: number[] = [];
    for (const [key, refs] of this.pending) {
      const h = hashInteger(key);
      hashes.push(h);
      let slot = h & mask;
      while (entries[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.refs.push(refs);
      keys[slot] = key;
      entries[slot] = this.refs.length;
    }
    this.pending.clear();
    if (hashes.length >= FILTER_FROM) this.filter = KeyFilter.of(hashes);
    this.keys = keys;
    this.entries = entries;
    this.mask = mask;
  }

  /** Every key, ascending (after {@link freeze}). */
  sortedKeys(): number[] {
    const out: number[] = [];
    for (let slot = 0; slot < this.entries.length; slot++) if (this.entries[slot] !== EMPTY) out.push(this.keys[slot] as number);
    return out.sort((a, b) => a - b);
  }

  /** The refs under `n` (a safe integer), or undefined. */
  get(n: number): IntegerRefs | undefined {
    if (this.refs.length === 0) return undefined;
    const h = hashInteger(n);
    if (this.filter !== undefined && !this.filter.mayHave(h)) return undefined;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.entries[slot] as number;
      if (entry === EMPTY) return undefined;
      if (this.keys[slot] === n) return this.refs[entry - 1];
    }
  }
}
