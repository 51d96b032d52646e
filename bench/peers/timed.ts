/**
 * Timed child processes for `bench:peers` (the same runner as the file-scan suite: wall time by
 * the clock, peak RSS and CPU time from GNU time; without /usr/bin/time, `apt-get install time`,
 * RSS and CPU are reported as unknown), and finding the peer tools and their versions.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export { haveGnuTime, runTimed, type Timed, type TimedResult } from "../suites/file-scan-cli.js";

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
