/**
 * The environment every benchmarked command runs in. `NODE_EXTRA_CA_CERTS` makes Node read and
 * parse that certificate file when it starts (about 70 ms per process on the benchmark machine,
 * whose package proxy sets it): a cost of that machine's set-up, not of any scan, which a user's
 * machine does not pay. It is removed before anything is run, and the reports say so.
 *
 * It also finds other processes busy on the machine before a run (see busyProcesses).
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** Set when the run removed something from the environment: what, for the report. */
export const environmentNote: string | undefined = dropStartupOnlyVariables();

function dropStartupOnlyVariables(): string | undefined {
  const file = process.env["NODE_EXTRA_CA_CERTS"];
  if (file === undefined) return undefined;
  delete process.env["NODE_EXTRA_CA_CERTS"];
  return `NODE_EXTRA_CA_CERTS (${file}) was unset for every command: this machine sets it for its package proxy, and Node parses that file at every start-up (about 70 ms here), which no scan needs`;
}

/** A process that used a share of a core while the benchmark meant to run alone. */
export interface BusyProcess {
  readonly pid: number;
  readonly command: string;
  /** Percent of one core over the sample. */
  readonly percent: number;
}

/** utime + stime of every process, in clock ticks, with its command name. */
function cpuTicks(): Map<number, { command: string; ticks: number }> {
  const ticks = new Map<number, { command: string; ticks: number }>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      // "pid (comm) state ...": comm may hold spaces and parentheses; the fields after the last ")" do not.
      const close = stat.lastIndexOf(")");
      const fields = stat.slice(close + 2).split(" ");
      ticks.set(Number(name), { command: stat.slice(stat.indexOf("(") + 1, close), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // Gone meanwhile.
    }
  }
  return ticks;
}

/**
 * Processes other than this one that used over `threshold` percent of a core during a sample of
 * `sampleMs`: on a 2-core machine one of them turns every wall time of the run into a measure of
 * the sharing. (A broken machine service, RabbitMQ's epmd starters spinning, once took both cores
 * here unnoticed for several benchmark runs.) Linux only; elsewhere nothing is found.
 */
export function busyProcesses(sampleMs = 1000, threshold = 10): BusyProcess[] {
  if (!existsSync("/proc/self/stat")) return [];
  const before = cpuTicks();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, sampleMs);
  const after = cpuTicks();
  // USER_HZ is 100 on every Linux the benchmark runs on.
  const busy: BusyProcess[] = [];
  for (const [pid, now] of after) {
    const then = before.get(pid);
    if (then === undefined || pid === process.pid) continue;
    const percent = ((now.ticks - then.ticks) * 10 * 100) / sampleMs;
    if (percent > threshold) busy.push({ pid, command: now.command, percent: Math.round(percent) });
  }
  return busy.sort((a, b) => b.percent - a.percent);
}

/** "none" or "beam.smp (pid 10489) 94%, ...", for a report. */
export function busyText(busy: readonly BusyProcess[]): string {
  return busy.length === 0 ? "none" : busy.map((p) => `${p.command} (pid ${p.pid}) ${p.percent}%`).join(", ");
}
