/**
 * StringList/string: runs of printable ASCII, as `strings -n 6` finds them, collected while a
 * file streams past (a run may cross a chunk boundary), bounded in count and length.
 *
 * @module
 */

/** Shortest run kept. */
export const MIN_STRING_LENGTH = 6;
/** Longer runs are cut here: an IOC string is short, a megabyte of text is not one string. */
export const MAX_STRING_LENGTH = 1024;

function printable(byte: number): boolean {
  return (byte >= 0x20 && byte <= 0x7e) || byte === 0x09;
}

/** Collects distinct strings from consecutive chunks of one file. */
export class StringCollector {
  private readonly found = new Set<string>();
  /** The run still open at the end of the last chunk. */
  private carry = "";

  constructor(private readonly maxCount: number) {}

  /** True when no more strings will be kept. */
  get full(): boolean {
    return this.found.size >= this.maxCount;
  }

  /** Feeds the next chunk. */
  add(chunk: Uint8Array): void {
    let start = -1;
    for (let i = 0; i < chunk.length; i++) {
      if (printable(chunk[i] as number)) {
        if (start < 0) start = i;
      } else if (start >= 0 || this.carry !== "") {
        this.emit(start < 0 ? "" : latin1(chunk, start, i));
        start = -1;
        if (this.full) return;
      }
    }
    if (start >= 0) this.carry = (this.carry + latin1(chunk, start, chunk.length)).slice(0, MAX_STRING_LENGTH);
  }

  /** Closes the last run and returns the strings, in order of first appearance. */
  finish(): string[] {
    if (this.carry !== "") this.emit("");
    return [...this.found];
  }

  private emit(tail: string): void {
    const run = (this.carry + tail).slice(0, MAX_STRING_LENGTH);
    this.carry = "";
    if (run.length >= MIN_STRING_LENGTH && !this.full) this.found.add(run);
  }
}

function latin1(chunk: Uint8Array, start: number, end: number): string {
  // Capping before decoding keeps a huge printable region from building a huge string.
  const stop = Math.min(end, start + MAX_STRING_LENGTH);
  return Buffer.from(chunk.buffer, chunk.byteOffset + start, stop - start).toString("latin1");
}
