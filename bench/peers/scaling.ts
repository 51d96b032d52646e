/**
 * Scaling curves of iocscan alone (issue 10): the cost should grow with the host, not with the IOC
 * count.
 *
 * - Files: trees of N files (1k, 10k, 100k, 1M; the largest is an option) that are metadata only
 *   (every file empty, in folders of 1,000, plus the 10 planted files), scanned with the 1,010
 *   SHA-256-AND-size IOC entries of the file-scan generator, so almost nothing is hashed: the walk,
 *   lstat and record path per file. Beside it, `find TREE -type f -printf '%s\n'` (walk + stat).
 * - IOC count: tree A scanned hashing every file (`--no-hash-cache`) with OpenIOC files of N
 *   SHA-256 items in all (10,000 per file: iocscan refuses IOC files over 10 MiB) (1, 1k, 100k, 1M; min(N, 10) planted), and the same IOC file on an empty folder
 *   (the cost of loading N IOCs, separate from the tree). The measured runs of a point share one
 *   state folder whose IOC cache holds the N IOCs (a user scanning again with the same list);
 *   the untimed-for-the-goal first scan that fills it is reported apart (`coldMs`).
 *
 * @module
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { runScan, type ScanRun } from "../suites/file-scan-cli.js";
import { plantWithIocs } from "../suites/file-scan-data.js";
import { writeOpenIocSha256 } from "./convert.js";
import { expectedHits, makeIocList, type BenchTree } from "./data.js";
import { median, seconds, type Goal } from "./report.js";
import { runTimed } from "./timed.js";

export interface ScalingPoint {
  readonly n: number;
  readonly runs: number;
  readonly wallMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly cpuMs: number;
  readonly rssBytes: number | undefined;
  readonly filesHashed: number;
  /** files: `find -printf` on the same tree; IOCs: the same IOC file on an empty folder. */
  readonly referenceMs: number;
  /** IOCs only: the first scan of the tree with these IOC files, not yet in the IOC cache. */
  readonly coldMs?: number;
  readonly generateMs: number;
}

export interface ScalingOptions {
  readonly work: string;
  readonly cli: string;
  readonly runs: number;
  readonly progress: (line: string) => void;
  /** Failures (misses) are appended here. */
  readonly failures: string[];
}

const FILES_PER_FOLDER = 1000;

function check(what: string, run: ScanRun, expected: readonly string[], failures: string[]): void {
  const got = [...run.found].sort();
  if (got.length !== expected.length || got.some((p, i) => p !== expected[i])) failures.push(`${what}: found ${got.length}, expected ${expected.length} (${JSON.stringify(got.slice(0, 12))})`);
}

/** Runs `work`; a throw (a scan that crashed or ran out of memory) becomes a failure, and false. */
function attempt(what: string, options: ScalingOptions, work: () => void): boolean {
  try {
    work();
    return true;
  } catch (error) {
    options.failures.push(`${what}: ${(error as Error).message.slice(0, 500)}`);
    options.progress(`  ${what} FAILED: ${(error as Error).message.slice(0, 300)}`);
    return false;
  }
}

function summarise(n: number, runs: readonly ScanRun[], referenceMs: number, generateMs: number): ScalingPoint {
  const wall = runs.map((r) => r.wallMs);
  const rss = runs.map((r) => r.maxRssBytes).filter((v): v is number => v !== undefined);
  return {
    n,
    runs: runs.length,
    wallMs: median(wall),
    minMs: Math.min(...wall),
    maxMs: Math.max(...wall),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    rssBytes: rss.length === 0 ? undefined : median(rss),
    filesHashed: median(runs.map((r) => r.stats["filesHashed"] ?? 0)),
    referenceMs,
    generateMs,
  };
}

/** Time vs number of (empty) files. */
export function scaleFiles(sizes: readonly number[], options: ScalingOptions): ScalingPoint[] {
  const points: ScalingPoint[] = [];
  for (const n of sizes) {
    const started = performance.now();
    const root = join(options.work, `files-${n}`);
    const folders: string[] = [];
    for (let f = 0; f * FILES_PER_FOLDER < n; f++) {
      const folder = join(`a${Math.floor(f / 100)}`, `b${f % 100}`);
      folders.push(folder);
      mkdirSync(join(root, folder), { recursive: true });
      for (let i = f * FILES_PER_FOLDER; i < Math.min(n, (f + 1) * FILES_PER_FOLDER); i++) closeSync(openSync(join(root, folder, `f${i}.dat`), "w"));
    }
    const { planted, iocs } = plantWithIocs(`files-${n}`, root, folders, 12, join(options.work, `files-${n}-iocs`));
    const generateMs = performance.now() - started;
    const expected = planted.map((p) => p.path).sort();
    const runs = n >= 1_000_000 ? 1 : options.runs;
    const scans: ScanRun[] = [];
    const finds: number[] = [];
    // The IOC files loaded once before (IOC cache warm), as for the tree rows: this curve is about files.
    const state = mkdtempSync(join(options.work, "db-"));
    runScan({ cli: options.cli, iocs: iocs.iocsSized, scope: mkdtempSync(join(options.work, "empty-")), dbFolder: state, hashCache: false });
    for (let r = 0; r < runs; r++) {
      if (!attempt(`files scaling ${n}`, options, () => {
      finds.push(runTimed("sh", ["-c", `find "$1" -type f -printf '%s\\n' > /dev/null`, "sh", root]).wallMs);
      const scan = runScan({ cli: options.cli, iocs: iocs.iocsSized, scope: root, dbFolder: state, hashCache: false });
      check(`files scaling ${n}`, scan, expected, options.failures);
      if ((scan.stats["filesSeen"] ?? 0) !== n + planted.length) options.failures.push(`files scaling ${n}: saw ${scan.stats["filesSeen"]} of ${n + planted.length} files`);
      scans.push(scan);
      options.progress(`  files ${n.toLocaleString("en-US")}: ${seconds(scan.wallMs)} (find ${seconds(finds[finds.length - 1] ?? NaN)})`);
      })) break;
    }
    if (scans.length > 0) points.push(summarise(n + planted.length, scans, median(finds), generateMs));
    rmSync(root, { recursive: true, force: true });
  }
  return points;
}

/** Time vs number of SHA-256 IOCs, on `tree` (every file hashed). */
export function scaleIocs(tree: BenchTree, counts: readonly number[], options: ScalingOptions): ScalingPoint[] {
  const empty = mkdtempSync(join(options.work, "empty-"));
  const points: ScalingPoint[] = [];
  for (const n of counts) {
    const started = performance.now();
    const entries = makeIocList(tree, n, 5000 + n);
    const file = join(options.work, `iocs-${n}`);
    writeOpenIocSha256(entries, file);
    const generateMs = performance.now() - started;
    const expected = expectedHits(entries);
    // Large lists: their first load (a minute for a million) is taken once; the cached runs
    // after it take about a second, three of them give a median.
    const runs = n >= 100_000 ? Math.min(options.runs, 3) : options.runs;
    const scans: ScanRun[] = [];
    const loads: number[] = [];
    const state = mkdtempSync(join(options.work, "db-"));
    let coldMs: number | undefined;
    const first = attempt(`IOC scaling ${n}, first load`, options, () => {
      const scan = runScan({ cli: options.cli, iocs: file, scope: tree.root, dbFolder: state, hashCache: false });
      check(`IOC scaling ${n}, first load`, scan, expected, options.failures);
      coldMs = scan.wallMs;
      options.progress(`  IOCs ${n.toLocaleString("en-US")}: first load ${seconds(scan.wallMs)}`);
    });
    for (let r = 0; first && r < runs; r++) {
      if (!attempt(`IOC scaling ${n}`, options, () => {
      const scan = runScan({ cli: options.cli, iocs: file, scope: tree.root, dbFolder: state, hashCache: false });
      check(`IOC scaling ${n}`, scan, expected, options.failures);
      scans.push(scan);
      const load = runScan({ cli: options.cli, iocs: file, scope: empty, dbFolder: state, hashCache: false });
      loads.push(load.wallMs);
      options.progress(`  IOCs ${n.toLocaleString("en-US")}: ${seconds(scan.wallMs)} (empty folder ${seconds(load.wallMs)})`);
      })) break;
    }
    if (scans.length > 0) points.push({ ...summarise(n, scans, loads.length === 0 ? NaN : median(loads), generateMs), ...(coldMs === undefined ? {} : { coldMs }) });
    rmSync(file, { recursive: true, force: true });
  }
  return points;
}

const int = (n: number): string => Math.round(n).toLocaleString("en-US");
const mib = (b: number | undefined): string => (b === undefined ? "n/a" : `${int(b / 2 ** 20)} MiB`);

export function filesTable(points: readonly ScalingPoint[]): string {
  let out = "| files (empty + 10 planted) | iocscan wall, median (min-max) | runs | CPU | files/s | µs per file | files hashed | peak RSS | `find -printf %s` | tree written in |\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const p of points) {
    out += `| ${int(p.n)} | ${seconds(p.wallMs)} (${seconds(p.minMs)}-${seconds(p.maxMs)}) | ${p.runs} | ${seconds(p.cpuMs)} | ${int(p.n / (p.wallMs / 1000))} | ${((p.wallMs * 1000) / p.n).toFixed(1)} | ${int(p.filesHashed)} | ${mib(p.rssBytes)} | ${seconds(p.referenceMs)} | ${seconds(p.generateMs)} |\n`;
  }
  return out;
}

export function iocsTable(points: readonly ScalingPoint[], base: number): string {
  let out =
    "| SHA-256 IOC items (OpenIOC files of up to 10,000) | iocscan on tree A, wall median (min-max) | runs | CPU | x 1,000 IOCs | same IOCs, empty folder | peak RSS | first scan, IOC files not cached yet |\n|---|---|---|---|---|---|---|---|\n";
  for (const p of points) {
    out += `| ${int(p.n)} | ${seconds(p.wallMs)} (${seconds(p.minMs)}-${seconds(p.maxMs)}) | ${p.runs} | ${seconds(p.cpuMs)} | ${(p.wallMs / base).toFixed(2)}x | ${Number.isNaN(p.referenceMs) ? "not run" : seconds(p.referenceMs)} | ${mib(p.rssBytes)} | ${p.coldMs === undefined ? "n/a" : seconds(p.coldMs)} |\n`;
  }
  return out;
}

/** Goal: the largest IOC count at most 1.2x the 1,000-IOC scan. */
export function iocGoal(points: readonly ScalingPoint[]): Goal | undefined {
  const base = points.find((p) => p.n === 1000);
  const top = points[points.length - 1];
  if (base === undefined || top === undefined || top === base) return undefined;
  return { text: `${int(top.n)} hash IOCs at most 1.2x the scan with 1,000 (tree A, every file hashed)`, value: `${(top.wallMs / base.wallMs).toFixed(2)}x (${seconds(top.wallMs)} vs ${seconds(base.wallMs)})`, met: top.wallMs <= 1.2 * base.wallMs };
}
