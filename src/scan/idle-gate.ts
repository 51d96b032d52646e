/**
 * `--idle-only` as the runner sees it: a {@link WorkGate} over the idle monitor. The monitor polls
 * in the background (every second by default), so asking between records costs a field read and
 * the scan stops issuing work within one poll of the user coming back.
 *
 * @module
 */
import type { WorkGate } from "./checkpoint/runner-state.js";
import { createIdleMonitor, IdleUnavailableError, type IdleMonitor, type IdleState } from "./idle/index.js";
import { ScanSetupError } from "./prepare-plan.js";

/** A gate that also tells the report which sources were asked, and can be stopped. */
export interface IdleGate extends WorkGate {
  sources(): { name: string; status: string }[];
  close(): void;
}

/**
 * Reads the idle sources once (a machine where none can be read refuses an idle-only scan:
 * guessing either way would be wrong), then watches them.
 */
export async function createIdleGate(monitor: IdleMonitor = createIdleMonitor()): Promise<IdleGate> {
  let state: IdleState;
  try {
    state = await monitor.check();
  } catch (error) {
    if (error instanceof IdleUnavailableError) throw new ScanSetupError(`--idle-only: ${error.message}`);
    throw error;
  }
  const stop = monitor.watch(
    (next) => (state = next),
    // A poll that could not read any source keeps the last state: the next poll tries again.
    () => undefined,
  );
  const describe = (): string => `${state.idle ? "computer idle" : "computer in use"} (${state.source}: ${state.detail})`;
  return {
    mustPause: () => !state.idle,
    async waitToContinue(signal) {
      state = await monitor.waitUntilIdle(signal);
    },
    describe,
    sources: () => monitor.sources(),
    close: stop,
  };
}
