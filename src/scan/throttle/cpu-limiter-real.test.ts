/**
 * The limiter on this machine's real clock and CPU time. The machines are shared and loaded, so
 * the bounds are wide, and the lower one is scaled to the CPU this process can get at all
 * (measured just before and just after).
 */
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { createCpuLimiter } from "./cpu-limiter.js";

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Percent of one core used by this process while `body` runs for `ms`. */
async function measure(ms: number, body: (until: number) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  const c0 = cpuMs();
  await body(t0 + ms);
  return ((cpuMs() - c0) / (performance.now() - t0)) * 100;
}

function burn(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  if (x < 0) throw new Error("unreachable");
}

/** What an unthrottled busy loop gets here now: on a loaded machine it may be well under 100. */
async function attainable(): Promise<number> {
  return measure(500, (until) => {
    while (performance.now() < until) burn(5);
    return Promise.resolve();
  });
}

describe("createCpuLimiter on this machine", () => {
  it("createCpuLimiter holds a busy main thread near 30 % of one core", async () => {
    const free = await attainable();
    const limiter = createCpuLimiter({ percent: 30 });
    const share = await measure(3000, async (until) => {
      while (performance.now() < until) {
        burn(2);
        await limiter.pace();
      }
    });
    // Read now: the unthrottled loop that follows would count in the limiter's share too.
    const measuredByLimiter = limiter.share();
    const freeAfter = await attainable();
    expect(share).toBeLessThan(45);
    expect(share).toBeGreaterThan(Math.min(15, free / 2, freeAfter / 2));
    expect(Math.abs(measuredByLimiter - share)).toBeLessThan(10);
  });

  it("createCpuLimiter holds the share when the work runs on a worker thread", async () => {
    // The scan's shape: the main thread hands a hashing job to a worker, waits for it, paces.
    const worker = new Worker(
      `const { parentPort } = require("node:worker_threads");
       const { createHash } = require("node:crypto");
       const block = Buffer.alloc(1 << 20, 7);
       parentPort.on("message", (ms) => {
         const end = performance.now() + ms;
         const h = createHash("sha256");
         while (performance.now() < end) h.update(block);
         parentPort.postMessage(h.digest("hex"));
       });`,
      { eval: true },
    );
    const job = (ms: number): Promise<string> =>
      new Promise((resolve) => {
        worker.once("message", resolve);
        worker.postMessage(ms);
      });
    try {
      await job(1);
      const free = await attainable();
      const limiter = createCpuLimiter({ percent: 30 });
      const share = await measure(3000, async (until) => {
        while (performance.now() < until) {
          await job(5);
          await limiter.pace();
        }
      });
      const freeAfter = await attainable();
      expect(share).toBeLessThan(45);
      expect(share).toBeGreaterThan(Math.min(15, free / 2, freeAfter / 2));
    } finally {
      await worker.terminate();
    }
  });
});
