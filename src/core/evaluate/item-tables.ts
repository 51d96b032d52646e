/**
 * Per-item facts every evaluation of a plan reads, computed once per plan and shared: a plan of a
 * million items would otherwise pay a million-item pass at the start of each host's evaluation.
 * The tables are read-only; an evaluation never writes them.
 *
 * @module
 */
import type { EvaluationPlan } from "../compile/plan-types.js";
import { FALSE, UNKNOWN } from "../compile/tri.js";
import { canActOn } from "./evidence.js";

/** Marks a supported item in {@link ItemTables.constants}. */
export const LIVE = 3;

/** Per item ref. */
export interface ItemTables {
  /** The item's fixed value (FALSE/UNKNOWN) or {@link LIVE}. */
  readonly constants: Uint8Array;
  /** 1 for a negated item. */
  readonly negated: Uint8Array;
  /** 1 when a record the item holds on may be acted on ({@link canActOn}). */
  readonly actsOn: Uint8Array;
}

const cache = new WeakMap<EvaluationPlan, ItemTables>();

/** The tables of `plan` (built on first use). */
export function itemTables(plan: EvaluationPlan): ItemTables {
  let tables = cache.get(plan);
  if (tables !== undefined) return tables;
  const n = plan.items.length;
  const constants = new Uint8Array(n);
  const negated = new Uint8Array(n);
  const actsOn = new Uint8Array(n);
  // Span by span: a run's items share every fact read here (its values are digests, never "").
  for (const { lo, hi, first } of plan.items.spans()) {
    constants.fill(first.status.kind === "supported" ? LIVE : first.status.kind === "never" ? FALSE : UNKNOWN, lo, hi + 1);
    negated.fill(first.negate ? 1 : 0, lo, hi + 1);
    actsOn.fill(canActOn(first) ? 1 : 0, lo, hi + 1);
  }
  tables = { constants, negated, actsOn };
  cache.set(plan, tables);
  return tables;
}
