/**
 * Named steps of quarantine and restore, for fault-injection tests.
 *
 * TEST-ONLY MECHANISM: when the environment variable `IOCSCAN_TEST_CRASH_AT` names a step, the
 * process SIGKILLs itself on reaching it, so a test running quarantine in a child process can check
 * that nothing is lost whatever step the machine dies at. Tests in the same process can instead
 * install a hook with `setStepHookForTests` (e.g. to modify the original between copy and delete).
 * Neither is set in production; reaching a step then costs one environment lookup.
 *
 * @module
 */

/** The steps, in the order `quarantineFile` reaches them (then `restoreEntry`'s). */
export const STEPS = [
  "copy-written", // encrypted copy written to a temporary name, not yet flushed
  "copy-synced", // temporary copy flushed (fsync)
  "renamed", // renamed into place
  "dir-synced", // store folder flushed: the entry is durable
  "verified", // entry re-read, decrypted, SHA-256 compared
  "unlinked", // original deleted
  "done", // original's folder flushed
  "restore-written", // restored bytes written to a temporary name in the destination folder
  "restore-renamed", // restored file renamed into place
] as const;

export type Step = (typeof STEPS)[number];

let hook: ((step: Step) => void | Promise<void>) | undefined;

/** Installs (or with `undefined` removes) a callback run at each step; tests only. */
export function setStepHookForTests(fn: ((step: Step) => void | Promise<void>) | undefined): void {
  hook = fn;
}

/** Marks that `step` was reached. */
export async function reachStep(step: Step): Promise<void> {
  if (process.env["IOCSCAN_TEST_CRASH_AT"] === step) process.kill(process.pid, "SIGKILL");
  await hook?.(step);
}
