/**
 * Figures and Markdown of `bench:peers`: per row the median and spread of wall time, rates at the
 * median, peak RSS and hits; per tree the goals of issue 10, each judged on medians.
 *
 * @module
 */
import type { CaseResult, RowResult } from "./run-case.js";

export interface RowStats {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly cpuMs: number;
  readonly rssBytes: number | undefined;
}

/** A goal and whether the measurement met it. */
export interface Goal {
  readonly text: string;
  readonly value: string;
  readonly met: boolean;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? (sorted[(n - 1) / 2] as number) : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
};

export function stats(row: RowResult): RowStats | undefined {
  if (row.runs.length === 0) return undefined;
  const wall = row.runs.map((r) => r.wallMs);
  const rss = row.runs.map((r) => r.maxRssBytes).filter((v): v is number => v !== undefined);
  return {
    medianMs: median(wall),
    minMs: Math.min(...wall),
    maxMs: Math.max(...wall),
    cpuMs: median(row.runs.map((r) => r.cpuMs)),
    rssBytes: rss.length === 0 ? undefined : median(rss),
  };
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const int = (n: number): string => Math.round(n).toLocaleString("en-US");
const mib = (bytes: number | undefined): string => (bytes === undefined ? "n/a" : `${int(bytes / 2 ** 20)} MiB`);
export const loadText = (load: readonly number[]): string => load.map((l) => l.toFixed(1)).join(" / ");

function hitsText(row: RowResult, expected: number): string {
  if (row.runs.length > 0 && row.runs.every((r) => r.hits === undefined)) return "n/a (no matching)";
  const counts = row.runs.map((r) => r.hits?.length ?? 0);
  const low = Math.min(...counts);
  const high = Math.max(...counts);
  const text = low === high ? `${low}/${expected}` : `${low}-${high}/${expected}`;
  return row.failures.length > 0 ? `**${text} FAILED**` : text;
}

/** The Markdown table of one case. */
export function caseTable(result: CaseResult): string {
  const { tree } = result.spec;
  const floor = result.rows.find((r) => r.spec.id === "floor");
  const floorMs = floor === undefined ? undefined : stats(floor)?.medianMs;
  let out = "| tool / mode | wall, median | min-max | CPU | files/s | MB/s | peak RSS | hits | x floor |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const row of result.rows) {
    const s = stats(row);
    if (row.skipped !== undefined || s === undefined) {
      out += `| ${row.spec.label} | ${row.skipped ?? `no run: ${row.failures[0] ?? "?"}`} | | | | | | | |\n`;
      continue;
    }
    const secs = s.medianMs / 1000;
    const ratio = floorMs === undefined ? "" : `${(s.medianMs / floorMs).toFixed(2)}x`;
    const hashed = row.runs[0]?.filesHashed;
    const label = hashed === undefined || hashed === tree.files ? row.spec.label : `${row.spec.label} (${int(median(row.runs.map((r) => r.filesHashed ?? 0)))} files hashed)`;
    out += `| ${label} | ${seconds(s.medianMs)} | ${seconds(s.minMs)}-${seconds(s.maxMs)} | ${Number.isFinite(s.cpuMs) ? seconds(s.cpuMs) : "n/a"} | ${int(tree.files / secs)} | ${int(tree.bytes / 1e6 / secs)} | ${mib(s.rssBytes)} | ${hitsText(row, result.spec.expected.length)} | ${ratio} |\n`;
  }
  return out;
}

const medianOf = (result: CaseResult, id: string): number | undefined => {
  const row = result.rows.find((r) => r.spec.id === id);
  return row === undefined ? undefined : stats(row)?.medianMs;
};

/** The goals of issue 10 on one tree (cases with the 1,010-entry SHA-256 list). */
export function caseGoals(result: CaseResult, treeLabel: string): Goal[] {
  const goals: Goal[] = [];
  const floor = medianOf(result, "floor");
  const cold = medianOf(result, "iocscan-cold");
  const warm = medianOf(result, "iocscan-warm");
  const sized = medianOf(result, "iocscan-sized");
  const peers = result.rows.filter((r) => r.spec.kind === "peer" && stats(r) !== undefined);
  if (cold !== undefined && peers.length > 0) {
    // Like with like: a peer that keeps a cache between runs races iocscan's warm run, and a peer
    // whose rules carry the file sizes races iocscan given the same list with its sizes.
    const rival = (p: RowResult): number | undefined => (p.spec.warm ? warm : p.spec.sized ? sized : cold);
    const losses = peers.filter((p) => (stats(p)?.medianMs ?? Infinity) <= (rival(p) ?? 0)).map((p) => `${p.spec.label} (${seconds(stats(p)?.medianMs ?? NaN)} vs iocscan ${seconds(rival(p) ?? NaN)})`);
    const closest = [...peers].sort((a, b) => (stats(a)?.medianMs ?? 0) / (rival(a) ?? 1) - (stats(b)?.medianMs ?? 0) / (rival(b) ?? 1))[0];
    goals.push({
      text: `tree ${treeLabel}: iocscan faster than every peer (fresh cache vs peers without a cache, warm cache vs clamd's 2nd pass, size-carrying IOCs vs YARA's size-guarded rules)`,
      value:
        losses.length === 0
          ? `yes; closest peer ${closest?.spec.label} ${seconds(stats(closest as RowResult)?.medianMs ?? NaN)} vs iocscan ${seconds(rival(closest as RowResult) ?? NaN)}`
          : `slower than or equal to: ${losses.join("; ")}`,
      met: losses.length === 0,
    });
  }
  if (cold !== undefined && floor !== undefined) {
    goals.push({ text: `tree ${treeLabel}: every file hashed (fresh cache) at most 1.2x the sha256sum floor`, value: `${(cold / floor).toFixed(2)}x (${seconds(cold)} vs ${seconds(floor)})`, met: cold <= 1.2 * floor });
  }
  if (sized !== undefined && floor !== undefined) {
    goals.push({ text: `tree ${treeLabel}: IOCs carry sizes, at most 0.3x the floor`, value: `${(sized / floor).toFixed(2)}x (${seconds(sized)} vs ${seconds(floor)})`, met: sized <= 0.3 * floor });
  }
  return goals;
}

export function goalsTable(goals: readonly Goal[]): string {
  return "| goal | measured | met? |\n|---|---|---|\n" + goals.map((g) => `| ${g.text} | ${g.value} | ${g.met ? "met" : "**NOT MET**"} |`).join("\n") + "\n";
}

/** Every failure message of every case, for the end of the run. */
export function failures(results: readonly CaseResult[]): string[] {
  return results.flatMap((c) => c.rows.flatMap((r) => r.failures.map((f) => `${c.spec.id} / ${r.spec.label}: ${f}`)));
}
