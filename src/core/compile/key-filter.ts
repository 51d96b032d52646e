/**
 * A blocked Bloom filter over 31-bit key hashes: two bits per key in one 32-bit word, 16 bits per
 * key. It answers "certainly absent" for about 98 % of absent keys with one read from an array a
 * few times smaller than the hash table behind it (2 MiB for a million keys, 32 KiB for 10,000),
 * small enough to stay in cache where the table does not. Never says absent for a present key.
 *
 * @module
 */

const BITS_PER_KEY = 16;

/** The two bits of a hash in its word: from the top bits (the word index comes from the low ones). */
function bitsOf(h: number): number {
  return (1 << ((h >>> 21) & 31)) | (1 << ((h >>> 26) & 31));
}

/**
 * Filter over the hashes of a table's keys.
 *
 * @example
 * ```ts
 * const f = KeyFilter.of([h1, h2]);
 * f.mayHave(h1); // true
 * f.mayHave(h3); // false, almost always
 * ```
 */
export class KeyFilter {
  private constructor(
    private readonly words: Uint32Array,
    private readonly mask: number,
  ) {}

  /** A filter over the words of {@link words} (stored elsewhere); undefined when they cannot be a filter's. */
  static fromWords(words: Uint32Array): KeyFilter | undefined {
    const count = words.length;
    return count > 0 && (count & (count - 1)) === 0 ? new KeyFilter(words, count - 1) : undefined;
  }

  /** The filter's bits, to store ({@link fromWords} reads them back). */
  get bits(): Uint32Array {
    return this.words;
  }

  /** A filter holding `hashes` (non-negative 31-bit integers). */
  static of(hashes: readonly number[] | Int32Array): KeyFilter {
    let count = 1;
    while (count * 32 < hashes.length * BITS_PER_KEY) count *= 2;
    const words = new Uint32Array(count);
    const mask = count - 1;
    for (const h of hashes) words[h & mask] = (words[h & mask] as number) | bitsOf(h);
    return new KeyFilter(words, mask);
  }

  /** False when no key has hash `h`. */
  mayHave(h: number): boolean {
    const bits = bitsOf(h);
    return ((this.words[h & this.mask] as number) & bits) === bits;
  }
}
