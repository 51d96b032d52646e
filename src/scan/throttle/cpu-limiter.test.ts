import { describe, expect, it } from "vitest";
import { createCpuLimiter, STOP_CHECK_MS, type CpuLimiterOptions } from "./cpu-limiter.js";

/**
 * A simulated process: a main thread that runs units of work between pace() calls, and optional
 * worker threads that keep burning CPU on jobs already handed to them, even while the main
 * thread sleeps. Time and CPU are in ms.
 */
function simulation(workers = 0) {
  let time = 0;
  let cpu = 0;
  let pending = 0; // worker CPU ms still to burn
  let usageCalls = 0;
  const advance = (ms: number, mainBusy: boolean): void => {
    const burned = Math.min(pending, workers * ms);
    pending -= burned;
    cpu += burned + (mainBusy ? ms : 0);
    time += ms;
  };
  return {
    options: (over: Partial<CpuLimiterOptions> & { percent: number }): CpuLimiterOptions => ({
      cpus: 2,
      now: () => time,
      cpuUsage: () => {
        usageCalls += 1;
        return { user: cpu * 1000, system: 0 };
      },
      sleep: (ms: number) => {
        advance(ms, false);
        return Promise.resolve();
      },
      ...over,
    }),
    work: (ms: number) => advance(ms, true),
    handOut: (jobMs: number) => {
      pending += jobMs;
    },
    get time() {
      return time;
    },
    get cpu() {
      return cpu;
    },
    get pending() {
      return pending;
    },
    get usageCalls() {
      return usageCalls;
    },
  };
}

describe("createCpuLimiter", () => {
  it("createCpuLimiter holds a busy loop at the target share of one core", async () => {
    for (const percent of [10, 25, 30, 75, 150]) {
      const sim = simulation(percent > 100 ? 1 : 0);
      const limiter = createCpuLimiter(sim.options({ percent }));
      while (sim.time < 60_000) {
        await limiter.pace();
        if (percent > 100) sim.handOut(2);
        sim.work(2);
      }
      const share = (sim.cpu / sim.time) * 100;
      expect(Math.abs(share - percent)).toBeLessThan(percent * 0.02);
      expect(Math.abs(limiter.share() - share)).toBeLessThan(1e-9);
    }
  });

  it("createCpuLimiter holds the share when worker threads keep hashing while the main thread sleeps", async () => {
    // Two workers; each unit hands out a 40 ms job; the main thread itself does little.
    const sim = simulation(2);
    const limiter = createCpuLimiter(sim.options({ percent: 25 }));
    while (sim.time < 60_000) {
      await limiter.pace();
      if (sim.pending < 80) sim.handOut(40);
      sim.work(0.5);
    }
    expect((sim.cpu / sim.time) * 100).toBeGreaterThan(22.5);
    expect((sim.cpu / sim.time) * 100).toBeLessThan(27.5);
  });

  it("createCpuLimiter pays back a long burst in full instead of forgetting it after one window", async () => {
    const sim = simulation();
    const limiter = createCpuLimiter(sim.options({ percent: 30 }));
    sim.work(3000); // one big file hashed at full speed between two calls
    await limiter.pace();
    // 3000 ms of CPU at 30 % needs 10,000 ms of wall time.
    expect(sim.time).toBeCloseTo(10_000, 6);
    expect(limiter.throttledMs()).toBeCloseTo(7000, 6);
  });

  it("pace() with stopEarly stops sleeping within one short sleep of being told to, and the rest of the debt stays owed", async () => {
    const sim = simulation();
    const limiter = createCpuLimiter(sim.options({ percent: 4 }));
    sim.work(200); // 200 ms of CPU at 4 %: 5 s of wall time owed
    const stopAt = 1000;
    await limiter.pace(undefined, () => sim.time >= stopAt);
    // Sleeps of at most STOP_CHECK_MS, so it notices within one of them.
    expect(sim.time).toBeGreaterThanOrEqual(stopAt);
    expect(sim.time).toBeLessThanOrEqual(stopAt + STOP_CHECK_MS);
    // Without stopEarly, the rest is paid in full (after a moment: pace measures at most every 25 ms).
    await simulationSleep(sim, 30);
    await limiter.pace();
    expect(sim.time).toBeCloseTo(5000, 6);
    // Told to stop before any sleep: returns at once.
    sim.work(200);
    await simulationSleep(sim, 30);
    const before = sim.time;
    await limiter.pace(undefined, () => true);
    expect(sim.time).toBe(before);
  });

  it("createCpuLimiter saves up at most one window while the process waits, then throttles again", async () => {
    const sim = simulation();
    const limiter = createCpuLimiter(sim.options({ percent: 20, windowMs: 1000 }));
    // Ten seconds without using CPU (waiting for I/O or for idleness).
    await simulationSleep(sim, 10_000);
    const before = sim.time;
    let ran = 0;
    while (sim.time - before < 5000) {
      await limiter.pace();
      sim.work(5);
      ran += 5;
    }
    // 5 s at 20 % is 1000 ms, plus at most the 200 ms saved up (one window at 20 %), plus one unit.
    expect(ran).toBeLessThanOrEqual(1000 + 200 + 10);
    expect(ran).toBeGreaterThan(1000);
  });

  it("pace() only reads the clock between measurements", async () => {
    const sim = simulation();
    const limiter = createCpuLimiter(sim.options({ percent: 50, checkEveryMs: 25 }));
    const calls = sim.usageCalls;
    for (let i = 0; i < 10; i++) {
      await limiter.pace();
      sim.work(1);
    }
    expect(sim.usageCalls).toBe(calls);
    sim.work(20);
    await limiter.pace();
    expect(sim.usageCalls).toBeGreaterThan(calls);
  });

  it("pace() rejects when aborted, before or while sleeping", async () => {
    const sim = simulation();
    const controller = new AbortController();
    const limiter = createCpuLimiter({
      ...sim.options({ percent: 10 }),
      sleep: (_ms, signal) => new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason as Error))),
    });
    sim.work(100);
    const pacing = limiter.pace(controller.signal);
    controller.abort();
    await expect(pacing).rejects.toMatchObject({ name: "AbortError" });
    await expect(limiter.pace(controller.signal)).rejects.toMatchObject({ name: "AbortError" });
  });

  it("createCpuLimiter takes a share of one core, up to all cores, and rejects other values", () => {
    const sim = simulation();
    expect(createCpuLimiter(sim.options({ percent: 150, cpus: 2 })).percent).toBe(150);
    expect(() => createCpuLimiter(sim.options({ percent: 0 }))).toThrow(RangeError);
    expect(() => createCpuLimiter(sim.options({ percent: 201, cpus: 2 }))).toThrow(/at most 200 \(percent of one core, 2 core\(s\) here\)/);
    expect(() => createCpuLimiter(sim.options({ percent: Number.NaN }))).toThrow(RangeError);
  });
});

async function simulationSleep(sim: ReturnType<typeof simulation>, ms: number): Promise<void> {
  await sim.options({ percent: 1 }).sleep?.(ms);
}
