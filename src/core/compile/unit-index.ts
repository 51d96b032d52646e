/**
 * Item ref → the binding units its leaf appears in, in typed arrays: a plan of a million items
 * would otherwise hold a million-slot array of numbers for the collector to trace and grow.
 *
 * @module
 */
import type { UnitsOfItems } from "./plan-types.js";

/** Zero, so that grown storage needs no fill: fresh zeroed memory is only paid for when written. */
const NONE = 0;
const SEVERAL = -1;

/** A growing {@link UnitsOfItems}: {@link extend} by each item compiled, {@link add} as binding finds units. */
export class UnitIndex implements UnitsOfItems {
  /** Per ref: its one unit plus one, {@link NONE}, or {@link SEVERAL} (then in {@link several}). */
  private units = new Int32Array(1024);
  private readonly several = new Map<number, number[]>();
  private count = 0;
  /** Every ref from here on is in no unit yet (units are mostly found in ref order). */
  private untouchedFrom = 0;

  get length(): number {
    return this.count;
  }

  /** Adds `n` refs in no unit yet. */
  extend(n: number): void {
    const needed = this.count + n;
    if (needed > this.units.length) {
      let capacity = this.units.length;
      while (capacity < needed) capacity *= 2;
      const grown = new Int32Array(capacity);
      grown.set(this.units.subarray(0, this.count));
      this.units = grown;
    }
    this.count = needed;
  }

  /** Records that the leaf of `ref` is in unit `unit` (after the units recorded before). */
  add(ref: number, unit: number): void {
    const seen = this.units[ref] as number;
    if (seen === NONE) this.units[ref] = unit + 1;
    else if (seen === SEVERAL) this.several.get(ref)?.push(unit);
    else {
      this.units[ref] = SEVERAL;
      this.several.set(ref, [seen - 1, unit]);
    }
    if (ref >= this.untouchedFrom) this.untouchedFrom = ref + 1;
  }

  /** {@link add} for every ref `lo`..`hi`: a run's refs, as a rule in no unit yet (then one fill). */
  addRange(lo: number, hi: number, unit: number): void {
    if (lo < this.untouchedFrom) {
      for (let ref = lo; ref <= hi; ref++) this.add(ref, unit);
      return;
    }
    this.units.fill(unit + 1, lo, hi + 1);
    this.untouchedFrom = hi + 1;
  }

  at(ref: number): number | readonly number[] | undefined {
    if (!(ref >= 0 && ref < this.count)) return undefined;
    const unit = this.units[ref] as number;
    return unit === NONE ? undefined : unit === SEVERAL ? this.several.get(ref) : unit - 1;
  }

  /** Every ref's units, as an array (plans are compared as JSON in tests). */
  toJSON(): (number | readonly number[] | undefined)[] {
    return Array.from({ length: this.count }, (_, ref) => this.at(ref));
  }
}
