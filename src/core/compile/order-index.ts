/**
 * Sorted prefilters for `greater-than`, `less-than` and `A TO B` items on one field: a record
 * value finds every satisfied threshold by binary search instead of testing each item.
 *
 * @module
 */
import type { OrderKey } from "./typed-keys.js";

/** One ordered condition: strictly above, strictly below, or inside an inclusive range. */
export type Bound =
  | { readonly op: "gt"; readonly key: OrderKey }
  | { readonly op: "lt"; readonly key: OrderKey }
  | { readonly op: "range"; readonly low: OrderKey; readonly high: OrderKey };

interface Threshold {
  readonly key: OrderKey;
  readonly ref: number;
}
interface Interval {
  readonly low: OrderKey;
  readonly high: OrderKey;
  readonly ref: number;
}

const byKey = (a: Threshold, b: Threshold): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** First index in `sorted` whose key is greater than `v` (when `orEqual`, greater or equal). */
function firstAbove(sorted: readonly { readonly key: OrderKey }[], v: OrderKey, orEqual: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = (sorted[mid] as { key: OrderKey }).key;
    if (orEqual ? !(k < v) : k > v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The ordered items of one (field, domain). Add everything, then {@link freeze}, then {@link match}. */
export class OrderIndex {
  private readonly above: Threshold[] = [];
  private readonly below: Threshold[] = [];
  private readonly ranges: Interval[] = [];
  /** The range lows, sorted, parallel to {@link ranges}. */
  private rangeLows: Threshold[] = [];

  add(ref: number, bound: Bound): void {
    if (bound.op === "gt") this.above.push({ key: bound.key, ref });
    else if (bound.op === "lt") this.below.push({ key: bound.key, ref });
    else this.ranges.push({ low: bound.low, high: bound.high, ref });
  }

  freeze(): void {
    this.above.sort(byKey);
    this.below.sort(byKey);
    this.ranges.sort((a, b) => (a.low < b.low ? -1 : a.low > b.low ? 1 : 0));
    this.rangeLows = this.ranges.map((r) => ({ key: r.low, ref: r.ref }));
  }

  /** Calls `hit` with the ref of every item `value` satisfies. */
  match(value: OrderKey, hit: (ref: number) => void): void {
    // greater-than t holds for every t < value: a prefix of the ascending thresholds.
    const gtEnd = firstAbove(this.above, value, true);
    for (let i = 0; i < gtEnd; i++) hit((this.above[i] as Threshold).ref);
    // less-than t holds for every t > value: a suffix.
    for (let i = firstAbove(this.below, value, false); i < this.below.length; i++) hit((this.below[i] as Threshold).ref);
    // ranges whose low <= value; each one still checks its high.
    const rangeEnd = firstAbove(this.rangeLows, value, false);
    for (let i = 0; i < rangeEnd; i++) {
      const r = this.ranges[i] as Interval;
      if (!(value > r.high)) hit(r.ref);
    }
  }
}
