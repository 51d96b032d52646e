/**
 * Timing helpers for the benchmarks: warm up, repeat, report the median (robust to the odd GC
 * pause or noisy neighbour on a 2-core machine).
 */
import { performance } from "node:perf_hooks";

/** Median, minimum and maximum of several runs, in milliseconds. */
export interface Timing {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly runs: number;
}

/** Runs `work` `warmup` times unmeasured, then `runs` times measured. */
export async function measure(work: () => unknown, options: { runs: number; warmup?: number }): Promise<Timing> {
  for (let i = 0; i < (options.warmup ?? 1); i++) await work();
  const times: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {
    medianMs: times[Math.floor(times.length / 2)] ?? 0,
    minMs: times[0] ?? 0,
    maxMs: times[times.length - 1] ?? 0,
    runs: options.runs,
  };
}

/** One row of a benchmark's result table. */
export interface BenchRow {
  readonly name: string;
  readonly value: string;
  /** The goal, and whether it was met; omitted for plain figures. */
  readonly goal?: { readonly text: string; readonly met: boolean };
}

/** A named group of measurements. */
export interface BenchSuite {
  readonly name: string;
  run(): Promise<BenchRow[]>;
}

/** Formats milliseconds for a table. */
export function ms(value: number): string {
  return value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(1)} ms`;
}
