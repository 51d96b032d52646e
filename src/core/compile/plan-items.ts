/**
 * The store behind {@link PlanItems}: plain items as objects, and the items of a hash-list run
 * as one segment that builds an item only when it is read. A million-hash plan then holds a
 * few hundred segments instead of a million objects for the collector to trace.
 *
 * @module
 */
import type { ItemSpan, PlanItem, PlanItems } from "./plan-types.js";

/** Items `first`.. of one run: built on demand, all sharing the fields of {@link shape}. */
export interface RunSegment {
  readonly count: number;
  /** Item `first + k`. */
  item(k: number): PlanItem;
  /** Item 0, kept: read for the shared fields. */
  readonly shape: PlanItem;
}

type Segment = PlanItem[] | RunSegment;

/** A growing {@link PlanItems}: push plain items and runs in ref order. */
export class ItemStore implements PlanItems {
  /** First ref of each segment, increasing. */
  private readonly starts: number[] = [];
  private readonly segments: Segment[] = [];
  /** The segment last looked up: reads come mostly in ref order. */
  private last = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(item: PlanItem): void {
    const tail = this.segments[this.segments.length - 1];
    if (Array.isArray(tail)) tail.push(item);
    else {
      this.starts.push(this.count);
      this.segments.push([item]);
    }
    this.count++;
  }

  pushRun(run: RunSegment): void {
    this.starts.push(this.count);
    this.segments.push(run);
    this.count += run.count;
  }

  at(ref: number): PlanItem | undefined {
    const s = this.segmentOf(ref);
    if (s < 0) return undefined;
    const segment = this.segments[s] as Segment;
    const k = ref - (this.starts[s] as number);
    return Array.isArray(segment) ? segment[k] : segment.item(k);
  }

  shape(ref: number): PlanItem | undefined {
    const s = this.segmentOf(ref);
    if (s < 0) return undefined;
    const segment = this.segments[s] as Segment;
    return Array.isArray(segment) ? segment[ref - (this.starts[s] as number)] : segment.shape;
  }

  spanAt(ref: number): ItemSpan | undefined {
    const s = this.segmentOf(ref);
    if (s < 0) return undefined;
    const segment = this.segments[s] as Segment;
    const start = this.starts[s] as number;
    if (Array.isArray(segment)) return { lo: ref, hi: ref, first: segment[ref - start] as PlanItem };
    return { lo: start, hi: start + segment.count - 1, first: segment.shape };
  }

  *spans(): Generator<ItemSpan> {
    for (let s = 0; s < this.segments.length; s++) {
      const segment = this.segments[s] as Segment;
      const start = this.starts[s] as number;
      if (!Array.isArray(segment)) yield { lo: start, hi: start + segment.count - 1, first: segment.shape };
      else for (let k = 0; k < segment.length; k++) yield { lo: start + k, hi: start + k, first: segment[k] as PlanItem };
    }
  }

  *[Symbol.iterator](): Generator<PlanItem> {
    for (let s = 0; s < this.segments.length; s++) {
      const segment = this.segments[s] as Segment;
      if (Array.isArray(segment)) yield* segment;
      else for (let k = 0; k < segment.count; k++) yield segment.item(k);
    }
  }

  /** Every item, as an array (plans are compared as JSON in tests and logs). */
  toJSON(): PlanItem[] {
    return [...this];
  }

  /** The index of the segment holding `ref`, or -1. */
  private segmentOf(ref: number): number {
    if (!(ref >= 0 && ref < this.count)) return -1;
    const starts = this.starts;
    const last = this.last;
    if ((starts[last] as number) <= ref && (last + 1 === starts.length || ref < (starts[last + 1] as number))) return last;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if ((starts[middle] as number) <= ref) low = middle;
      else high = middle - 1;
    }
    this.last = low;
    return low;
  }
}
