/**
 * The sources an idle-only scan asks, in order, and the test hook that replaces them.
 *
 * @module
 */
import { runCommand, type CommandRunner } from "./command-runner.js";
import { fileIdleSource, IDLE_FILE_ENV } from "./file-source.js";
import { headlessIdleSource, type HeadlessOptions } from "./headless-source.js";
import { logindIdleSource } from "./logind-source.js";
import { screensaverIdleSource } from "./screensaver-source.js";
import type { IdleSource } from "./types.js";

export interface DefaultIdleSourcesOptions {
  /** Default process.env: IOCSCAN_IDLE_FILE, DBUS_SESSION_BUS_ADDRESS, DISPLAY. */
  readonly env?: NodeJS.ProcessEnv;
  /** The headless rule's thresholds (and, for tests, its load and CPU readings). */
  readonly headless?: Omit<HeadlessOptions, "run">;
  /** How system tools are run; tests inject one that plays them. */
  readonly run?: CommandRunner;
  /** Input idle time after which xprintidle counts as idle, when it is the only X source. */
  readonly inputIdleMs?: number;
}

/**
 * `IOCSCAN_IDLE_FILE` set: that file alone decides (tests stay deterministic on any machine).
 * Otherwise, in order: logind, the screensaver, the headless rule. The first source that can
 * answer decides; see the monitor.
 */
export function defaultIdleSources(options: DefaultIdleSourcesOptions = {}): IdleSource[] {
  const env = options.env ?? process.env;
  const run = options.run ?? runCommand;
  const file = env[IDLE_FILE_ENV];
  if (file !== undefined && file !== "") return [fileIdleSource(file)];
  return [
    logindIdleSource(run),
    screensaverIdleSource({ env, run, ...(options.inputIdleMs !== undefined ? { inputIdleMs: options.inputIdleMs } : {}) }),
    headlessIdleSource({ ...options.headless, run }),
  ];
}
