/**
 * `--max-cpu PERCENT`: holds this process's CPU use near a target by sleeping between units of
 * work, like a duty cycle. The share is measured with `process.cpuUsage()`, which counts every
 * thread of the process (the hashing worker threads, libuv's pool, GC), so the limit holds however
 * the work is spread; child processes (clamscan) are not counted.
 *
 * PERCENT is a share of ONE core, as `top` and `ps` show %CPU: `--max-cpu 25` means a quarter of
 * one core whatever the machine has, and 150 means one and a half cores. That is the number users
 * read and compare, and it does not change meaning from a laptop to a 64-core server.
 *
 * @module
 */
import { availableParallelism } from "node:os";
import { setTimeout as delay } from "node:timers/promises";

export interface CpuLimiterOptions {
  /** Target CPU use, percent of one core: above 0, at most 100 x cpus. */
  readonly percent: number;
  /** Cores of this machine, to bound `percent`. Default os.availableParallelism(). */
  readonly cpus?: number;
  /** CPU time of the whole process (all threads). Default process.cpuUsage. */
  readonly cpuUsage?: () => NodeJS.CpuUsage;
  /** Monotonic clock, ms. Default performance.now. */
  readonly now?: () => number;
  /** Abortable sleep. Default timers/promises setTimeout. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * The longest burst saved up while the process was not using its share, ms of wall time at
   * the target rate. Default 1000: after a pause the scan may run ahead for about a second,
   * never longer.
   */
  readonly windowMs?: number;
  /** pace() measures at most this often, ms; between measurements it costs one clock read. Default 25. */
  readonly checkEveryMs?: number;
}

export interface CpuLimiter {
  /**
   * Call between units of work (per record, per file). Cheap while under budget (one clock read
   * between measurements); when over, it sleeps until the CPU used since the start is back within
   * the target, measuring again after each sleep since worker threads may still be finishing
   * their jobs. Rejects on abort. With `stopEarly`, asked before each sleep (sleeps then last at
   * most {@link STOP_CHECK_MS}): when it says true, pace returns at once and the rest of the debt
   * stays owed (the caller has something more urgent to do, such as pausing the scan).
   */
  pace(signal?: AbortSignal, stopEarly?: () => boolean): Promise<void>;
  /** Measured CPU use since the limiter was created, percent of one core. */
  share(): number;
  /** Time spent sleeping in pace(), ms. */
  throttledMs(): number;
  /** The target, percent of one core. */
  readonly percent: number;
}

const MIN_SLEEP_MS = 1;
/**
 * The longest sleep of a pace() given `stopEarly`: an idle-only scan must pause within 2 s of the
 * user's return, and a debt at a low limit takes seconds to pay.
 */
export const STOP_CHECK_MS = 200;

interface Sample {
  readonly time: number;
  readonly cpu: number;
}

export function createCpuLimiter(options: CpuLimiterOptions): CpuLimiter {
  const cpus = options.cpus ?? availableParallelism();
  const { percent } = options;
  if (!(percent > 0 && percent <= 100 * cpus)) {
    throw new RangeError(`CPU limit must be above 0 and at most ${100 * cpus} (percent of one core, ${cpus} core(s) here), got ${String(percent)}`);
  }
  const windowMs = options.windowMs ?? 1000;
  const checkEveryMs = options.checkEveryMs ?? 25;
  if (!(windowMs > 0) || !(checkEveryMs >= 0)) throw new RangeError("windowMs must be above 0 and checkEveryMs at least 0");
  const usage = options.cpuUsage ?? (() => process.cpuUsage());
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, signal ? { signal } : {}));
  const fraction = percent / 100;
  const maxCredit = fraction * windowMs;

  const sample = (): Sample => {
    const u = usage();
    return { time: now(), cpu: (u.user + u.system) / 1000 };
  };
  const start = sample();
  let last = start;
  /*
   * A token bucket in CPU milliseconds: wall time earns `fraction` ms of CPU per ms, CPU used
   * spends it. Savings are capped at one window (a pause for I/O or for idleness does not buy a
   * long full-speed burst later), but debt is never forgotten: a file hashed at full speed between
   * two calls is paid back in full, which keeps the share right over a minute, not just a window.
   */
  let credit = 0;
  let slept = 0;

  function update(): void {
    const next = sample();
    credit = Math.min(maxCredit, credit + fraction * (next.time - last.time) - (next.cpu - last.cpu));
    last = next;
  }

  return {
    percent,
    async pace(signal?: AbortSignal, stopEarly?: () => boolean): Promise<void> {
      signal?.throwIfAborted();
      if (now() - last.time < checkEveryMs) return;
      update();
      // Debts under a millisecond of sleep wait for the next call (they stay owed): timers cannot
      // sleep that little, and rounding must not spin this loop.
      while (-credit / fraction >= MIN_SLEEP_MS) {
        // At most one window at a time: worker threads may still be finishing their jobs, and
        // their CPU is measured before sleeping more.
        if (stopEarly?.() === true) return;
        const ms = Math.min(-credit / fraction, windowMs, stopEarly === undefined ? Infinity : STOP_CHECK_MS);
        await sleep(ms, signal);
        signal?.throwIfAborted();
        slept += ms;
        update();
      }
    },
    share(): number {
      const elapsed = now() - start.time;
      return elapsed > 0 ? ((sample().cpu - start.cpu) / elapsed) * 100 : 0;
    },
    throttledMs: () => slept,
  };
}
