/**
 * One timed child process for `bench:peers`: wall time by the clock around it, peak RSS and CPU
 * time from GNU time (`/usr/bin/time -f "%M %U %S"`, i.e. wait4's rusage: ru_maxrss is the
 * largest single process among the child and its waited-for descendants, not a sum). Without
 * /usr/bin/time (`apt-get install time`) RSS and CPU are reported as unknown.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { performance } from "node:perf_hooks";

const TIME = "/usr/bin/time";
/** Against a hang: the slowest single run (a million-entry list) takes a few minutes here. */
const TIMEOUT_MS = 1_800_000;

export const haveGnuTime = existsSync(TIME);

/** What one timed run measured. */
export interface Timed {
  readonly wallMs: number;
  /** Peak resident set, bytes; undefined without /usr/bin/time. */
  readonly maxRssBytes: number | undefined;
  /** User + system CPU of the child and its waited-for descendants; NaN without /usr/bin/time. */
  readonly cpuMs: number;
}

export interface TimedResult extends Timed {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command args`, timed; throws on a signal, a timeout or a failure to start. */
export function runTimed(command: string, args: readonly string[], cwd?: string): TimedResult {
  const scratch = mkdtempSync(join(tmpdir(), "iocscan-peers-time-"));
  const out = join(scratch, "time");
  try {
    const [file, argv] = haveGnuTime ? [TIME, ["-f", "%M %U %S", "-o", out, command, ...args]] : [command, [...args]];
    const start = performance.now();
    const r = spawnSync(file, argv, { encoding: "utf8", maxBuffer: 512 * 2 ** 20, timeout: TIMEOUT_MS, ...(cwd === undefined ? {} : { cwd }) });
    const wallMs = performance.now() - start;
    if (r.error) throw r.error;
    if (r.signal) throw new Error(`${command} ${args.join(" ")}: killed by ${r.signal}\n${r.stderr}`);
    // GNU time writes "Command exited with non-zero status N" first: the figures are the last line.
    const figures = existsSync(out) ? (readFileSync(out, "utf8").trim().split("\n").pop() ?? "").split(" ").map(Number) : [];
    const [rssKiB, user, system] = figures;
    return {
      wallMs,
      maxRssBytes: rssKiB !== undefined && Number.isFinite(rssKiB) ? rssKiB * 1024 : undefined,
      cpuMs: ((user ?? NaN) + (system ?? NaN)) * 1000,
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The absolute path of executable `name` on PATH (or the sbin folders), or undefined. */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env["PATH"] ?? "").split(delimiter), "/usr/sbin", "/sbin"];
  for (const dir of dirs) {
    if (dir === "") continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** First line of `command args` (a version banner), or "unknown". */
export function versionOf(command: string, args: readonly string[]): string {
  const r = spawnSync(command, args, { encoding: "utf8" });
  const text = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n")[0];
  return text === undefined || text === "" ? "unknown" : text.trim();
}
