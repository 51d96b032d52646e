/**
 * Idle detection for `iocscan scan --idle-only`: is somebody using this computer right now?
 * Sources, in order: logind, the screensaver, the headless rule; the test hook
 * `IOCSCAN_IDLE_FILE` replaces them all. See README.md in this folder.
 *
 * @module
 */
export type { IdleReading, IdleSource, IdleState } from "./types.js";
export type { CommandResult, CommandRunner, CommandOptions } from "./command-runner.js";
export { runCommand } from "./command-runner.js";
export { IdleUnavailableError } from "./idle-unavailable-error.js";
export { defaultIdleSources, type DefaultIdleSourcesOptions } from "./default-sources.js";
export { createIdleMonitor, IDLE_POLL_ENV, type IdleMonitor, type IdleMonitorOptions } from "./monitor.js";
export { fileIdleSource, IDLE_FILE_ENV } from "./file-source.js";
export { logindIdleSource } from "./logind-source.js";
export { screensaverIdleSource, type ScreensaverOptions } from "./screensaver-source.js";
export { headlessIdleSource, type HeadlessOptions } from "./headless-source.js";
