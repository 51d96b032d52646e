/**
 * Evidence: the records that satisfied a binding unit, reduced to what a person needs to see why
 * (the satisfied items and the values observed for them), kept within a bound per unit.
 *
 * @module
 */
import type { Channel, FieldScalar, FieldValue } from "../compile/channel.js";
import type { EvaluationPlan, PlanItem } from "../compile/plan-types.js";
import type { HostRecord } from "./types.js";

/**
 * Whether a satisfied item can make its record actionable: a supported, positive item whose match
 * says something about the object. Negated items (semantics 7.6 b) and `is ""` items (semantics
 * 6.2: "never let such a match lead to a destructive action") cannot; a record bound only
 * through them is reported, never acted on.
 */
export function canActOn(item: PlanItem): boolean {
  return item.status.kind === "supported" && !item.negate && !(item.condition === "is" && item.value === "");
}

/** One record kept for a unit. */
export interface Evidence {
  readonly document: string;
  readonly id: string;
  readonly fields: Readonly<Record<string, FieldValue>>;
  /** Refs of the items satisfied on the record. */
  readonly refs: readonly number[];
  readonly actionable: boolean;
}

/** Builds evidence records; knows which channel reads each item. */
export class EvidenceBuilder {
  private readonly channelOf = new Map<number, Channel>();

  constructor(private readonly plan: EvaluationPlan) {}

  private channel(item: PlanItem): Channel | undefined {
    let c = this.channelOf.get(item.ref);
    if (c === undefined) {
      c = this.plan.documents.get(item.document)?.channels.find((ch) => ch.field === item.field && ch.view === item.view);
      if (c !== undefined) this.channelOf.set(item.ref, c);
    }
    return c;
  }

  /** Evidence of `record` for the satisfied items `refs`. */
  build(record: HostRecord, refs: readonly number[]): Evidence {
    const fields: Record<string, FieldValue> = {};
    let actionable = false;
    for (const ref of refs) {
      const item = this.plan.items.at(ref) as PlanItem;
      if (item.status.kind !== "supported") continue;
      if (canActOn(item)) actionable = true;
      const value = Object.hasOwn(record.fields, item.field) ? record.fields[item.field] : undefined;
      if (value === undefined || value === null) continue;
      if (!Array.isArray(value)) {
        fields[item.field] = value;
        continue;
      }
      // A list can hold thousands of strings: keep the elements that matched a positive item.
      if (item.negate) continue;
      const channel = this.channel(item);
      const kept = new Set<FieldScalar>(Array.isArray(fields[item.field]) ? (fields[item.field] as FieldScalar[]) : []);
      for (const element of value as readonly FieldScalar[]) {
        let hit = false;
        channel?.matchElement(element, (r) => {
          if (r === ref) hit = true;
        });
        if (hit) kept.add(element);
      }
      fields[item.field] = [...kept];
    }
    return { document: record.document, id: record.id, fields, refs, actionable };
  }
}

/**
 * The evidence kept for one unit: at most `limit` records, actionable ones preferred (a record
 * bound only through negated items is replaced by an actionable one when the list is full).
 */
export class EvidenceList {
  readonly kept: Evidence[] = [];
  /** Matching records seen, kept or not. */
  matched = 0;
  private nonActionable = 0;

  constructor(private readonly limit: number) {}

  /** A list as saved in a checkpoint; kept records beyond `limit` are dropped. */
  static restore(limit: number, matched: number, kept: readonly Evidence[]): EvidenceList {
    const list = new EvidenceList(limit);
    for (const e of kept.slice(0, limit)) {
      list.kept.push(e);
      if (!e.actionable) list.nonActionable++;
    }
    list.matched = Math.max(matched, list.kept.length);
    return list;
  }

  /** Counts a matching record and keeps it (built only if kept) when there is room or it beats a non-actionable one. */
  offer(actionable: boolean, build: () => Evidence): void {
    this.matched++;
    if (this.kept.length < this.limit) {
      const e = build();
      this.kept.push(e);
      if (!e.actionable) this.nonActionable++;
      return;
    }
    if (!actionable || this.nonActionable === 0) return;
    const i = this.kept.findIndex((e) => !e.actionable);
    this.kept[i] = build();
    this.nonActionable--;
  }

  /** True when no further record can be kept: full, and every kept record actionable. */
  get saturated(): boolean {
    return this.kept.length >= this.limit && this.nonActionable === 0;
  }

  get omitted(): number {
    return this.matched - this.kept.length;
  }
}
