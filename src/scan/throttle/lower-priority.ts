/**
 * Background scans yield to the user's work: lower CPU priority (nice) and the idle I/O class.
 *
 * On Linux both are per thread (setpriority and ioprio_set with a process id change only the
 * thread with that id), so every current thread of the process is changed; threads created later
 * (worker threads, libuv's pool) inherit the values from the thread that creates them.
 *
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import { getPriority, setPriority } from "node:os";
import { describeFailure, runCommand, type CommandRunner } from "../idle/command-runner.js";

export interface LowerPriorityOptions {
  /** Niceness to set, 1..19; never raises a priority that is already lower. Default 10. */
  readonly nice?: number;
  /** Default process.pid. */
  readonly pid?: number;
  /** Default process.platform. */
  readonly platform?: NodeJS.Platform;
  readonly run?: CommandRunner;
  /** Thread ids of `pid` (Linux). Default: the entries of /proc/PID/task. */
  readonly threads?: (pid: number) => Promise<number[]>;
  readonly getPriority?: (id: number) => number;
  readonly setPriority?: (id: number, nice: number) => void;
  /** The active I/O schedulers of the block devices (Linux), to say whether the idle class has an effect. */
  readonly ioSchedulers?: () => Promise<string[]>;
}

/** What was done, one sentence each, for the report. */
export interface PriorityReport {
  readonly cpu: string;
  readonly io: string;
}

async function procThreads(pid: number): Promise<number[]> {
  const entries = await readdir(`/proc/${pid}/task`);
  return entries.map(Number).filter((id) => Number.isInteger(id) && id > 0);
}

/** The bracketed scheduler of each /sys/block/X/queue/scheduler ("[none] mq-deadline bfq" -> "none"). */
async function sysIoSchedulers(): Promise<string[]> {
  const found = new Set<string>();
  const devices = await readdir("/sys/block").catch(() => []);
  for (const device of devices) {
    if (/^(loop|ram|zram)/.test(device)) continue;
    const text = await readFile(`/sys/block/${device}/queue/scheduler`, "utf8").catch(() => "");
    const active = /\[([^\]]+)\]/.exec(text)?.[1];
    if (active) found.add(active);
  }
  return [...found];
}

/**
 * Lowers this process's CPU priority (nice, default 10) and I/O priority (`ionice -c3`, the idle
 * class) and says what it did. Failures are reported in the result, not thrown: a scan that
 * cannot lower its priority still runs.
 */
export async function lowerPriority(options: LowerPriorityOptions = {}): Promise<PriorityReport> {
  const nice = options.nice ?? 10;
  if (!Number.isInteger(nice) || nice < 1 || nice > 19) throw new RangeError(`nice must be a whole number from 1 to 19, got ${String(nice)}`);
  const pid = options.pid ?? process.pid;
  const platform = options.platform ?? process.platform;
  const get = options.getPriority ?? getPriority;
  const set = options.setPriority ?? setPriority;

  if (platform !== "linux") {
    let cpu: string;
    try {
      const before = get(pid);
      if (before >= nice) cpu = `already nice ${before} (left as is)`;
      else {
        set(pid, nice);
        cpu = `nice ${nice} (was ${before})`;
      }
    } catch (error) {
      cpu = `not lowered: ${(error as Error).message}`;
    }
    return { cpu, io: `not lowered: I/O priority is set only on Linux (this is ${platform})` };
  }

  let threads: number[];
  try {
    threads = await (options.threads ?? procThreads)(pid);
  } catch (error) {
    const why = `not lowered: cannot list the threads of ${pid}: ${(error as Error).message}`;
    return { cpu: why, io: why };
  }
  return { cpu: reniceThreads(threads, nice, get, set), io: await ioniceThreads(threads, options) };
}

function reniceThreads(threads: readonly number[], nice: number, get: (id: number) => number, set: (id: number, nice: number) => void): string {
  let lowered = 0;
  let already = 0;
  const was = new Set<number>();
  const failures: string[] = [];
  for (const thread of threads) {
    try {
      const before = get(thread);
      if (before >= nice) {
        already += 1;
        continue;
      }
      set(thread, nice);
      was.add(before);
      lowered += 1;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      // A thread that ended between listing and renicing needs nothing.
      if (code !== "ESRCH" && !/ESRCH|no such process/i.test((error as Error).message)) failures.push(`thread ${thread}: ${(error as Error).message}`);
    }
  }
  const parts: string[] = [];
  if (lowered > 0) parts.push(`nice ${nice} on ${lowered} thread(s) (was ${[...was].sort((a, b) => a - b).join(", ")})`);
  if (already > 0) parts.push(`${already} thread(s) already at nice ${nice} or lower priority`);
  if (failures.length > 0) parts.push(`not lowered on ${failures.length} thread(s): ${failures.slice(0, 3).join("; ")}`);
  return parts.length > 0 ? parts.join("; ") : "not lowered: no threads found";
}

async function ioniceThreads(threads: readonly number[], options: LowerPriorityOptions): Promise<string> {
  if (threads.length === 0) return "not lowered: no threads found";
  const run = options.run ?? runCommand;
  const result = await run("ionice", ["-c3", "-p", ...threads.map(String)]);
  if (result.exitCode !== 0) {
    return result.failure === "not installed" ? "not lowered: ionice is not installed (util-linux)" : `not lowered: ${describeFailure("ionice", result)}`;
  }
  const schedulers = await (options.ioSchedulers ?? sysIoSchedulers)().catch(() => []);
  // Only BFQ (and the old CFQ) honour I/O classes; with none or mq-deadline the setting is inert.
  const honoured = schedulers.some((s) => s === "bfq" || s === "cfq");
  const note = schedulers.length === 0 ? "" : honoured ? ` (I/O scheduler ${schedulers.join(", ")})` : ` (no effect with the ${schedulers.join(", ")} I/O scheduler; only BFQ honours it)`;
  return `idle I/O class (ionice -c3) on ${threads.length} thread(s)${note}`;
}
