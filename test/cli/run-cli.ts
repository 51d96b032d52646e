/**
 * Runs the real `iocscan` CLI in a child process (through tsx, so the tests need no build) and
 * collects its output and exit status.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
// An absolute loader URL: `--import tsx` would resolve from the child's cwd, a temp folder.
const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `iocscan ...args` with `cwd` as the working directory. */
export function runIocscan(args: readonly string[], options: { cwd?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, ["--import", tsxLoader, main, ...args], {
    cwd: options.cwd,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `iocscan ...args` as a long-running child (the agent); the caller ends it. */
export function startIocscan(args: readonly string[], options: { cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, ["--import", tsxLoader, main, ...args], { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
}
