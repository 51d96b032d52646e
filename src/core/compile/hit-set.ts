/**
 * The items whose condition holds on the current record, as a generation-stamped set: clearing it
 * between records is one increment, not a pass over a million items.
 *
 * @module
 */
import type { Channel, FieldScalar, FieldValue } from "./channel.js";
import type { DocumentPlan } from "./plan-types.js";

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

  /** Appends the refs in `lo`..`hi` to `out`, in increasing order. */
  readonly inRange = (lo: number, hi: number, out: number[]): void => {
    const from = out.length;
    for (const r of this.refs) if (r >= lo && r <= hi) out.push(r);
    if (out.length - from > 1) out.splice(from, out.length - from, ...out.slice(from).sort((a, b) => a - b));
  };
}

type Fields = Readonly<Record<string, FieldValue | null | undefined>>;
/** Which of a channel's items a match reports: all, the ungated ones, the gated ones. */
const EVERY = 0;
const EAGER = 1;
const GATED = 2;
type Part = typeof EVERY | typeof EAGER | typeof GATED;

function matchScalar(channel: Channel, element: FieldScalar, hit: (ref: number) => void, part: Part): void {
  if (part === EAGER) channel.matchEager(element, hit);
  else if (part === GATED) channel.matchGated(element, hit);
  else channel.matchElement(element, hit);
}

/** One channel's field of a record: any element of a list, nothing for an absent or null field. */
function matchField(channel: Channel, fields: Fields, hits: HitSet, part: Part): void {
  const value = Object.hasOwn(fields, channel.field) ? fields[channel.field] : undefined;
  if (value === undefined || value === null) return;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    matchScalar(channel, value, hits.add, part);
  } else if (Array.isArray(value)) {
    for (const element of value as readonly unknown[]) {
      if (typeof element === "string" || typeof element === "number" || typeof element === "boolean") matchScalar(channel, element, hits.add, part);
    }
  }
}

/**
 * Runs a record's fields through channels, adding every item whose condition holds. A list
 * field matches when any element does (semantics 7.3); an absent or null field matches nothing.
 */
export function matchFields(channels: readonly Channel[], fields: Fields, hits: HitSet): void {
  for (const channel of channels) matchField(channel, fields, hits, EVERY);
}

/**
 * {@link matchFields} over a document's channels, gated items only where a guard holds (gating.ts).
 * The hits may leave out a gated item whose guard does not hold on the record, which changes no
 * unit's value there; with `everything`, for a record whose unknown fields make a guard
 * UNKNOWN rather than FALSE, every item is matched.
 */
export function matchDocument(doc: DocumentPlan, fields: Fields, hits: HitSet, everything: boolean): void {
  if (everything || doc.guards.size === 0) {
    matchFields(doc.channels, fields, hits);
    return;
  }
  for (const channel of doc.eagerChannels) matchField(channel, fields, hits, EAGER);
  const eagerHits = hits.refs.length;
  if (eagerHits === 0) return;
  let first: Channel | undefined;
  let more: Set<Channel> | undefined;
  for (let i = 0; i < eagerHits; i++) {
    const opened = doc.guards.get(hits.refs[i] as number);
    if (opened === undefined) continue;
    for (const channel of opened) {
      if (first === undefined) first = channel;
      else if (channel !== first) (more ??= new Set()).add(channel);
    }
  }
  if (first === undefined) return;
  matchField(first, fields, hits, GATED);
  if (more !== undefined) for (const channel of more) if (channel !== first) matchField(channel, fields, hits, GATED);
}
