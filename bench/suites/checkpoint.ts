/**
 * Checkpoint overhead (issue 6, "Must show"): the same scan of a 20,000-file tree (every file
 * hashed: an MD5 IOC), in process, with checkpoints off, at the default interval (15 s) and every
 * second, alternating rounds so load changes hit every row alike. CPU time (all threads) and wall
 * time, median of 5 rounds. Goal: the default costs under 3% of the scan time.
 *
 * Then `--max-cpu 25`: the same scan repeated with the limit for at least a minute; the measured
 * CPU share (CPU time of every thread / wall time) must be within 10% of the target.
 *
 * The tree lives in a temp folder, deleted at the end.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { BenchRow, BenchSuite } from "../measure.js";
import { writeTestTree } from "../../src/scan/checkpoint/_test-tree.js";
import { scanHost, type HostScanOptions } from "../../src/scan/host-scan.js";

const RUNS = Math.max(1, Number(process.env["IOCSCAN_BENCH_RUNS"] ?? 5) || 5);
const FILES = 20_000;

const median = (values: readonly number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? NaN;

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

async function timed(options: HostScanOptions, planted: number): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const report = await scanHost(options);
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const found = report.detections[0]?.objects.length ?? 0;
  if (found !== planted) throw new Error(`checkpoint bench: found ${found} planted files, expected ${planted}`);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

/** Scans again and again with the CPU limit for a minute; the share is measured over all of it. */
async function maxCpuRow(options: HostScanOptions, planted: number): Promise<BenchRow> {
  const target = options.maxCpu ?? 100;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let scans = 0;
  while (performance.now() - start < 60_000) {
    await timed(options, planted);
    scans++;
  }
  const used = process.cpuUsage(cpu);
  const share = ((used.user + used.system) / 1000 / (performance.now() - start)) * 100;
  return {
    name: `--max-cpu ${target}: measured CPU share over ${((performance.now() - start) / 1000).toFixed(0)} s (${scans} scans)`,
    value: `${share.toFixed(1)}% of one core`,
    goal: { text: `within 10% of ${target}% (${(target * 0.9).toFixed(1)}-${(target * 1.1).toFixed(1)}%)`, met: Math.abs(share - target) <= target * 0.1 },
  };
}

export const checkpointSuite: BenchSuite = {
  name: "Checkpoints and --max-cpu (issue 6)",
  async run(): Promise<BenchRow[]> {
    const work = mkdtempSync(join(tmpdir(), "iocscan-bench-checkpoint-"));
    try {
      const tree = writeTestTree(work, FILES, 499);
      const base: HostScanOptions = { iocPaths: [tree.ioc], scopes: [tree.tree], switches: { FileItem: "on" } };
      const variants: [string, HostScanOptions][] = [
        ["no checkpoints", base],
        ["checkpoints every 15 s (default)", { ...base, checkpointDir: join(work, "cp15") }],
        ["checkpoints every 1 s", { ...base, checkpointDir: join(work, "cp1"), checkpointIntervalMs: 1000 }],
      ];
      const samples = new Map<string, Sample[]>(variants.map(([name]) => [name, []]));
      await timed(base, tree.planted.length); // warm the page cache and the code
      for (let round = 0; round < RUNS; round++) {
        for (const [name, options] of variants) samples.get(name)?.push(await timed(options, tree.planted.length));
      }
      const cpuOf = (name: string): number => median((samples.get(name) ?? []).map((s) => s.cpuMs));
      const wallOf = (name: string): number => median((samples.get(name) ?? []).map((s) => s.wallMs));
      const baseCpu = cpuOf("no checkpoints");
      const rows: BenchRow[] = variants.map(([name]) => ({
        name: `scan of ${FILES.toLocaleString("en-US")} files, ${name}`,
        value: `wall ${(wallOf(name) / 1000).toFixed(2)} s, CPU ${(cpuOf(name) / 1000).toFixed(2)} s (${((cpuOf(name) / baseCpu - 1) * 100).toFixed(1)}% vs none)`,
      }));
      const overhead = cpuOf("checkpoints every 15 s (default)") / baseCpu - 1;
      rows.push({ name: "overhead of the default checkpointing (CPU time)", value: `${(overhead * 100).toFixed(1)}%`, goal: { text: "under 3%", met: overhead < 0.03 } });
      rows.push(await maxCpuRow({ ...base, maxCpu: 25 }, tree.planted.length));
      rows.push({ name: "load average during the run (1/5/15 min)", value: loadavg().map((l) => l.toFixed(1)).join(" / ") });
      return rows;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
