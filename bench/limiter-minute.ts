/**
 * Measures `--max-cpu` at the limiter level over a minute: a busy loop on the main thread, and the
 * scan's shape (main thread handing SHA-256 jobs to a worker thread, pacing between jobs).
 * Prints a Markdown table for BENCHMARKS.md. Not part of `npm run bench` (it takes two minutes).
 *
 *   node --import tsx bench/limiter-minute.ts [percent=25] [seconds=60]
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { createCpuLimiter } from "../src/scan/throttle/index.js";

const percent = Number(process.argv[2] ?? 25);
const seconds = Number(process.argv[3] ?? 60);

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function burn(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  if (x < 0) throw new Error("unreachable");
}

const worker = new Worker(
  `const { parentPort } = require("node:worker_threads");
   const { createHash } = require("node:crypto");
   const block = Buffer.alloc(1 << 16, 7);
   parentPort.on("message", (ms) => {
     const end = performance.now() + ms;
     const h = createHash("sha256");
     while (performance.now() < end) h.update(block);
     parentPort.postMessage(h.digest("hex"));
   });`,
  { eval: true },
);
const job = (ms: number): Promise<unknown> =>
  new Promise((resolve) => {
    worker.once("message", resolve);
    worker.postMessage(ms);
  });

interface Result {
  readonly share: number;
  readonly windows: number[];
  readonly throttledMs: number;
}

async function run(unit: () => Promise<void>, limit: number | undefined, totalMs: number): Promise<Result> {
  const limiter = limit === undefined ? undefined : createCpuLimiter({ percent: limit });
  const t0 = performance.now();
  const c0 = cpuMs();
  const windows: number[] = [];
  let wt = t0;
  let wc = c0;
  while (performance.now() - t0 < totalMs) {
    await unit();
    await limiter?.pace();
    const t = performance.now();
    if (t - wt >= 10_000) {
      const c = cpuMs();
      windows.push(((c - wc) / (t - wt)) * 100);
      wt = t;
      wc = c;
    }
  }
  return { share: ((cpuMs() - c0) / (performance.now() - t0)) * 100, windows, throttledMs: limiter?.throttledMs() ?? 0 };
}

const shapes: [string, () => Promise<void>][] = [
  ["busy loop on the main thread, 2 ms units", () => Promise.resolve(burn(2))],
  ["SHA-256 jobs of 5 ms on a worker thread", async () => void (await job(5))],
];

console.log(`| work | unthrottled (3 s) | --max-cpu ${percent} over ${seconds} s | 10-s windows min..max | slept |`);
console.log("|---|---|---|---|---|");
for (const [name, unit] of shapes) {
  const free = await run(unit, undefined, 3000);
  const held = await run(unit, percent, seconds * 1000);
  const min = Math.min(...held.windows);
  const max = Math.max(...held.windows);
  console.log(`| ${name} | ${free.share.toFixed(1)} % | ${held.share.toFixed(1)} % | ${min.toFixed(1)}..${max.toFixed(1)} % | ${(held.throttledMs / 1000).toFixed(1)} s |`);
}
await worker.terminate();
