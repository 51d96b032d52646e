/**
 * Ctrl-C and SIGTERM as an AbortSignal, for a command that stops cleanly (a scan writes its
 * checkpoint, a collection removes its partial file, the agent keeps its run resumable). The
 * handlers live only as long as the command's work: a second signal after release, or one
 * outside it, ends the process as usual.
 *
 * @module
 */

/** Listens for SIGINT and SIGTERM until `release()`; the signal aborts at the first of them. */
export function interruptOnSignals(): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return {
    signal: controller.signal,
    release: () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    },
  };
}
