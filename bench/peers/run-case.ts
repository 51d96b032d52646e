/**
 * One case of `bench:peers`: a tree, an IOC list and its conversions, and the steps of tools.ts run
 * in alternation: every round runs every step once, starting one step later than the round
 * before, so a change of load on a shared machine hits every tool alike. Every run's hits are
 * checked against the planted files; a miss (or an unexpected hit, or a tool failure) is recorded
 * and makes the harness fail at the end.
 *
 * @module
 */
import { loadavg } from "node:os";
import type { Converted } from "./convert.js";
import type { BenchTree } from "./data.js";
import { resolvePrograms, SkipStep, stepsFor, type HashKind, type Measurement, type RowSpec, type RunContext } from "./tools.js";

export interface CaseSpec {
  readonly id: string;
  readonly title: string;
  readonly tree: BenchTree;
  readonly conv: Converted;
  readonly kind: HashKind;
  /** Planted paths every run must report, sorted. */
  readonly expected: readonly string[];
  readonly runs: number;
}

export interface RowResult {
  readonly spec: RowSpec;
  readonly runs: Measurement[];
  /** Why the row did not run (tool missing, with its install command; clamd not starting). */
  skipped?: string;
  /** One message per wrong run (miss, unexpected hit, failure). */
  readonly failures: string[];
}

export interface CaseResult {
  readonly spec: CaseSpec;
  readonly rows: RowResult[];
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
}

function compareHits(hits: readonly string[], expected: readonly string[]): string | undefined {
  const got = new Set(hits);
  const missing = expected.filter((p) => !got.has(p));
  const want = new Set(expected);
  const extra = [...got].filter((p) => !want.has(p));
  if (missing.length === 0 && extra.length === 0 && hits.length === expected.length) return undefined;
  return `found ${expected.length - missing.length}/${expected.length}; missing ${JSON.stringify(missing)}; unexpected ${JSON.stringify(extra)}`;
}

/** Runs `spec`'s rounds; `progress` gets one line per run. */
export async function runCase(spec: CaseSpec, base: Omit<RunContext, "tree" | "conv">, progress: (line: string) => void): Promise<CaseResult> {
  const ctx: RunContext = { ...base, tree: spec.tree, conv: spec.conv };
  const loadBefore = loadavg();
  const steps = stepsFor(spec.kind).map((step) => ({ step, programs: resolvePrograms(step) }));
  const rows = new Map<string, RowResult>();
  for (const { step, programs } of steps) {
    for (const row of step.rows) {
      const skipped = "missing" in programs ? `skipped: ${programs.missing} not installed (${step.install})` : undefined;
      rows.set(row.id, { spec: row, runs: [], failures: [], ...(skipped === undefined ? {} : { skipped }) });
    }
  }
  for (let round = 0; round < spec.runs; round++) {
    for (let k = 0; k < steps.length; k++) {
      const { step, programs } = steps[(round + k) % steps.length] as (typeof steps)[number];
      if ("missing" in programs) continue;
      let measured: Measurement[];
      try {
        measured = await step.run(ctx, programs.found);
      } catch (error) {
        if (error instanceof SkipStep) {
          for (const row of step.rows) {
            const result = rows.get(row.id);
            if (result !== undefined) result.skipped = error.message;
          }
          progress(`  ${spec.id}: ${step.rows.map((r) => r.id).join(", ")} ${error.message}`);
          continue;
        }
        for (const row of step.rows) rows.get(row.id)?.failures.push(`round ${round + 1}: ${(error as Error).message.slice(0, 500)}`);
        progress(`  ${spec.id} round ${round + 1}: ${step.rows.map((r) => r.id).join(", ")} FAILED: ${(error as Error).message.slice(0, 300)}`);
        continue;
      }
      step.rows.forEach((row, i) => {
        const m = measured[i];
        const result = rows.get(row.id);
        if (m === undefined || result === undefined) return;
        result.runs.push(m);
        const wrong = m.hits === undefined ? undefined : compareHits(m.hits, spec.expected);
        if (wrong !== undefined) result.failures.push(`round ${round + 1}: ${wrong}`);
        if (m.filesSeen !== undefined && m.filesSeen !== spec.tree.files) result.failures.push(`round ${round + 1}: saw ${m.filesSeen} of ${spec.tree.files} files`);
        progress(`  ${spec.id} round ${round + 1}/${spec.runs}: ${row.id.padEnd(14)} ${(m.wallMs / 1000).toFixed(2).padStart(7)} s${m.hits === undefined ? "" : `, ${m.hits.length} hits`}${wrong === undefined ? "" : `  MISMATCH ${wrong}`}`);
      });
    }
  }
  return { spec, rows: [...rows.values()], loadBefore, loadAfter: loadavg() };
}
