/**
 * A private clamd for the `clamdscan --multiscan` rows: our own config in the temp folder, a unix
 * socket beside it, our `.hsb` as the only database (the system's /var/lib/clamav is never read,
 * freshclam never runs). Started and stopped by process id; nothing else is touched.
 *
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

const READY_TIMEOUT_MS = 120_000;

/** A running clamd of ours. */
export interface Clamd {
  readonly config: string;
  readonly pid: number;
  /** Time from spawn to the first answered PING. */
  readonly startMs: number;
  /** clamd's peak resident set so far (VmHWM), bytes. */
  peakRss(): number | undefined;
  stop(): Promise<void>;
}

/** Starts clamd with database folder `dbDir`, its files in `folder` (created). */
export async function startClamd(clamd: string, clamdscan: string, dbDir: string, folder: string): Promise<Clamd> {
  mkdirSync(folder, { recursive: true });
  const config = join(folder, "clamd.conf");
  writeFileSync(
    config,
    [
      `LocalSocket ${join(folder, "clamd.sock")}`,
      `DatabaseDirectory ${dbDir}`,
      "Foreground yes",
      `LogFile ${join(folder, "clamd.log")}`,
      `PidFile ${join(folder, "clamd.pid")}`,
      // Two cores: as many scanning threads as `yara -p 2` and `xargs -P2` get.
      "MaxThreads 2",
      ...(process.getuid?.() === 0 ? ["User root"] : []),
      "",
    ].join("\n"),
  );
  const started = performance.now();
  const child: ChildProcess = spawn(clamd, [`--config-file=${config}`], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let dead = false;
  void exited.then(() => (dead = true));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Cannot start clamd "${clamd}"`);
  for (;;) {
    if (dead) throw new Error(`clamd exited before answering; see ${join(folder, "clamd.log")}`);
    const ping = spawnSync(clamdscan, [`--config-file=${config}`, "--ping", "1"], { encoding: "utf8" });
    if (ping.status === 0 && ping.stdout.includes("PONG")) break;
    if (performance.now() - started > READY_TIMEOUT_MS) {
      child.kill("SIGTERM");
      throw new Error(`clamd did not answer within ${READY_TIMEOUT_MS / 1000} s; see ${join(folder, "clamd.log")}`);
    }
    await sleep(100);
  }
  const startMs = performance.now() - started;
  return {
    config,
    pid,
    startMs,
    peakRss: () => {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
    },
    stop: async () => {
      if (!dead) child.kill("SIGTERM");
      await exited;
    },
  };
}
