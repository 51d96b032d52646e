/**
 * The items whose condition holds on the current record, as a generation-stamped set: clearing it
 * between records is one increment, not a pass over a million items.
 *
 * @module
 */
import type { Channel, FieldValue } from "./channel.js";

/** A reusable set of item refs for one record at a time. */
export class HitSet {
  private readonly stamp: Uint32Array;
  private generation = 0;
  /** Refs added since {@link clear}, in order, without repeats. */
  readonly refs: number[] = [];

  constructor(itemCount: number) {
    this.stamp = new Uint32Array(Math.max(itemCount, 1));
  }

  /** Empties the set. */
  clear(): void {
    this.generation++;
    if (this.generation === 0xffffffff) {
      this.stamp.fill(0);
      this.generation = 1;
    }
    this.refs.length = 0;
  }

  readonly add = (ref: number): void => {
    if (this.stamp[ref] !== this.generation) {
      this.stamp[ref] = this.generation;
      this.refs.push(ref);
    }
  };

  has(ref: number): boolean {
    return this.stamp[ref] === this.generation;
  }

  /** True when some ref in `lo`..`hi` is in the set (a record has few hits: scan them). */
  readonly anyInRange = (lo: number, hi: number): boolean => {
    for (const r of this.refs) if (r >= lo && r <= hi) return true;
    return false;
  };
}

/**
 * Runs a record's fields through channels, adding every item whose condition holds. A list
 * field matches when any element does (semantics 7.3); an absent or null field matches nothing.
 */
export function matchFields(
  channels: readonly Channel[],
  fields: Readonly<Record<string, FieldValue | null | undefined>>,
  hits: HitSet,
): void {
  for (const channel of channels) {
    const value = Object.hasOwn(fields, channel.field) ? fields[channel.field] : undefined;
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const element of value as readonly unknown[]) {
        if (typeof element === "string" || typeof element === "number" || typeof element === "boolean") channel.matchElement(element, hits.add);
      }
    } else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      channel.matchElement(value, hits.add);
    }
  }
}
