/**
 * The rule for machines with no graphical session (servers, kiosks reached over SSH): idle when
 * nobody is logged in (per utmp, read with `who`) and the machine's load, without this scan's own
 * share, is low. Its numbers go into `detail` so the report shows why it ran or waited.
 *
 * @module
 */
import { access } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { describeFailure, type CommandRunner } from "./command-runner.js";
import type { IdleReading, IdleSource } from "./types.js";

export interface HeadlessOptions {
  readonly run: CommandRunner;
  /** Idle only while the 1-minute load average per CPU (without this process) is below this. Default 0.5. */
  readonly maxLoadPerCpu?: number;
  /**
   * A login whose terminal has had no input for this long does not count as someone working
   * (a forgotten SSH or tmux session would otherwise hold the scan back for ever). Default 30.
   */
  readonly sessionIdleMinutes?: number;
  /** Where utmp may be; the first that exists is the one `who` reads. */
  readonly utmpPaths?: readonly string[];
  readonly loadavg?: () => readonly number[];
  readonly cpus?: number;
  /** This process's CPU time (all threads), to take the scan's own work out of the load. */
  readonly cpuUsage?: () => NodeJS.CpuUsage;
  readonly now?: () => number;
}

/** One line of `who -u` (C locale): user, terminal, and minutes since the terminal's last input. */
export interface Login {
  readonly user: string;
  readonly line: string;
  /** undefined when `who` could not tell ("?"): counted as in use. */
  readonly idleMinutes: number | undefined;
}

/** `who -u` in the C locale: `NAME LINE YYYY-MM-DD HH:MM IDLE PID (COMMENT)`, IDLE = `.`, `old`, `?` or `HH:MM`. */
export function parseWho(text: string): Login[] {
  const logins: Login[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const match = /^(\S+)\s+(\S+)\s+\d{4}-\d{2}-\d{2}\s+\d{2}:\d{2}\s+(\.|old|\?|\d+:\d{2})(?:\s|$)/.exec(line);
    if (!match) {
      // An unknown layout is still somebody logged in: count it, in use.
      const [user = "?", tty = "?"] = line.trim().split(/\s+/);
      logins.push({ user, line: tty, idleMinutes: undefined });
      continue;
    }
    const [, user = "?", tty = "?", idle = "?"] = match;
    let idleMinutes: number | undefined;
    if (idle === ".") idleMinutes = 0;
    else if (idle === "old") idleMinutes = 24 * 60;
    else if (idle !== "?") {
      const [hours = "0", minutes = "0"] = idle.split(":");
      idleMinutes = Number(hours) * 60 + Number(minutes);
    }
    logins.push({ user, line: tty, idleMinutes });
  }
  return logins;
}

const DEFAULT_UTMP = ["/run/utmp", "/var/run/utmp"];

export function headlessIdleSource(options: HeadlessOptions): IdleSource {
  const maxLoadPerCpu = options.maxLoadPerCpu ?? 0.5;
  if (!(maxLoadPerCpu > 0)) throw new RangeError(`maxLoadPerCpu must be above 0, got ${String(maxLoadPerCpu)}`);
  const sessionIdleMinutes = options.sessionIdleMinutes ?? 30;
  const readLoad = options.loadavg ?? loadavg;
  const cpus = options.cpus ?? availableParallelism();
  const cpuUsage = options.cpuUsage ?? (() => process.cpuUsage());
  const now = options.now ?? (() => performance.now());
  const ownLoad = ownLoadTracker(cpuUsage, now);

  return {
    name: "headless",
    async read(signal?: AbortSignal): Promise<IdleReading> {
      const own = ownLoad();
      const utmp = await firstExisting(options.utmpPaths ?? DEFAULT_UTMP);
      // Without utmp, `who` prints nothing: that means "cannot tell", not "nobody is here".
      if (!utmp) return { state: "unavailable", reason: `headless: no utmp file (${(options.utmpPaths ?? DEFAULT_UTMP).join(", ")}): cannot tell who is logged in` };
      const who = await options.run("who", ["-u", utmp], signal ? { signal } : {});
      if (who.exitCode !== 0) return { state: "unavailable", reason: `headless: ${describeFailure("who", who)}` };
      const logins = parseWho(who.stdout);
      const active = logins.filter((l) => l.idleMinutes === undefined || l.idleMinutes < sessionIdleMinutes);
      const load1 = readLoad()[0];
      if (load1 === undefined || !Number.isFinite(load1)) return { state: "unavailable", reason: "headless: no load average on this platform" };
      const othersPerCpu = Math.max(0, load1 - own) / cpus;
      const numbers = `load ${load1.toFixed(2)} (this scan ~${own.toFixed(2)}) on ${cpus} CPU(s) = ${othersPerCpu.toFixed(2)} per CPU, limit ${maxLoadPerCpu}`;
      const people = `${logins.length} login(s), ${active.length} used within ${sessionIdleMinutes} min`;
      if (active.length > 0) {
        const names = active.slice(0, 5).map((l) => `${l.user} on ${l.line}`).join(", ");
        return { state: "busy", detail: `headless: ${people} (${names}); ${numbers}` };
      }
      const state = othersPerCpu < maxLoadPerCpu ? "idle" : "busy";
      return { state, detail: `headless: ${people}; ${numbers}` };
    },
  };
}

/**
 * This process's contribution to the 1-minute load average, estimated from its CPU time with
 * the same one-minute exponential decay the kernel uses. Without it, an idle-only scan that uses
 * one core of two would push the load to 0.5 per CPU and pause itself.
 */
function ownLoadTracker(cpuUsage: () => NodeJS.CpuUsage, now: () => number): () => number {
  const cpuMs = (): number => {
    const usage = cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  let lastTime = now();
  let lastCpu = cpuMs();
  let estimate = 0;
  return () => {
    const time = now();
    const cpu = cpuMs();
    const elapsed = time - lastTime;
    if (elapsed > 0) {
      const cores = Math.max(0, cpu - lastCpu) / elapsed;
      const keep = Math.exp(-elapsed / 60_000);
      estimate = estimate * keep + cores * (1 - keep);
      lastTime = time;
      lastCpu = cpu;
    }
    return estimate;
  };
}

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) {
    try {
      await access(path);
      return path;
    } catch {
      // try the next one
    }
  }
  return undefined;
}
