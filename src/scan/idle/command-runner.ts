/**
 * Runs the system tools the idle sources and the throttle ask (loginctl, dbus-send, who, ionice).
 * Injected everywhere so tests can play the tools that containers do not have.
 *
 * @module
 */
import { execFile } from "node:child_process";

/** What a tool did. `failure` is set when it could not run at all or did not finish. */
export interface CommandResult {
  /** Exit code; null when the tool did not exit normally (not found, killed, timed out). */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Why the tool gave no answer: "not installed", "timed out after 3000 ms", ... */
  readonly failure?: string;
}

/** Resolves for every outcome of the tool; rejects only when `signal` aborts. */
export type CommandRunner = (file: string, args: readonly string[], options?: CommandOptions) => Promise<CommandResult>;

export interface CommandOptions {
  readonly signal?: AbortSignal;
  /** Variables set for the tool on top of this process's environment (DISPLAY, the bus address). */
  readonly env?: Readonly<Record<string, string>>;
}

/** A stuck D-Bus call or NSS lookup must not stall the monitor's poll. */
const TIMEOUT_MS = 3000;
const MAX_OUTPUT = 1024 * 1024;

interface ExecError extends Error {
  code?: string | number | null;
  killed?: boolean;
  signal?: NodeJS.Signals | null;
}

/**
 * The real runner: `execFile` (no shell), C locale so output is parseable (dates as ISO, English
 * messages), a timeout, and bounded output.
 */
export const runCommand: CommandRunner = (file, args, options) =>
  new Promise((resolve, reject) => {
    const env = { ...process.env, ...options?.env, LC_ALL: "C", LANG: "C" };
    execFile(
      file,
      [...args],
      { encoding: "utf8", timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT, env, ...(options?.signal ? { signal: options.signal } : {}) },
      (error: ExecError | null, stdout, stderr) => {
        if (options?.signal?.aborted) {
          reject(options.signal.reason as Error);
          return;
        }
        if (!error) {
          resolve({ exitCode: 0, stdout, stderr });
          return;
        }
        if (typeof error.code === "number") {
          resolve({ exitCode: error.code, stdout, stderr });
          return;
        }
        const failure =
          error.code === "ENOENT"
            ? "not installed"
            : error.killed
              ? `timed out after ${TIMEOUT_MS} ms`
              : error.signal
                ? `killed by ${error.signal}`
                : `could not run: ${error.message}`;
        resolve({ exitCode: null, stdout, stderr, failure });
      },
    );
  });

/** One line saying why a tool gave no usable answer, for a reading's `reason`. */
export function describeFailure(tool: string, result: CommandResult): string {
  if (result.failure) return `${tool}: ${result.failure}`;
  const message = firstLine(result.stderr) || firstLine(result.stdout) || "no output";
  return `${tool} exited with ${String(result.exitCode)}: ${message}`;
}

function firstLine(text: string): string {
  return text.split("\n").map((line) => line.trim()).find((line) => line !== "") ?? "";
}
