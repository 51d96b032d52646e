/**
 * `iocscan scan ... | head -1`: once the reader closes the pipe, a write to standard output fails
 * with EPIPE, as an "error" event of process.stdout. Nobody listened for it: the command ended
 * with node's stack trace and exit status 1, the status of a detection. It now stops at once and
 * quietly (the reader wanted no more), with status 2: its output is not all there.
 *
 * @module
 */

/** Exit status of a command whose standard output was closed before it was done. */
const OUTPUT_CLOSED_STATUS = 2;

let installed = false;

/** Installs the listener (once per process). */
export function stopWhenOutputCloses(): void {
  if (installed) return;
  installed = true;
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(OUTPUT_CLOSED_STATUS);
    // Anything else (a full disk behind a redirection) is reported as any failure is.
    process.stderr.write(`iocscan: cannot write to standard output: ${error.message}\n`);
    process.exit(2);
  });
}
