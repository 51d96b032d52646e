/**
 * The test hook: `IOCSCAN_IDLE_FILE=/path` makes the file's content decide, so tests (and anyone
 * trying `--idle-only` on a machine with no desktop) can switch the computer between idle and busy.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import type { IdleReading, IdleSource } from "./types.js";

/** Name of the environment variable that selects this source (and only this source). */
export const IDLE_FILE_ENV = "IOCSCAN_IDLE_FILE";

/** Longest content read; the file holds one word. */
const MAX_BYTES = 4096;

/**
 * Reads `path` on every poll. Its trimmed content, case-insensitive:
 * - `idle` -> idle; `busy` -> busy;
 * - missing file or empty content -> busy: a test that has not written the file yet, or a writer
 *   caught between truncating and writing, must never let the scan run by accident;
 * - anything else, or a file that cannot be read (a folder, no permission) -> unavailable, with
 *   the reason, so a typo fails loudly instead of being taken as an answer.
 *
 * Write the file atomically (write a temporary file, then rename it) to avoid the empty moment.
 */
export function fileIdleSource(path: string): IdleSource {
  return {
    name: "test-file",
    async read(signal?: AbortSignal): Promise<IdleReading> {
      let content: string;
      try {
        const bytes = await readFile(path, signal ? { signal } : {});
        content = bytes.subarray(0, MAX_BYTES).toString("utf8").trim();
      } catch (error) {
        if (signal?.aborted) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") return { state: "busy", detail: `${IDLE_FILE_ENV}: "${path}" does not exist (missing means busy)` };
        return { state: "unavailable", reason: `${IDLE_FILE_ENV}: cannot read "${path}": ${code ?? (error as Error).message}` };
      }
      const word = content.toLowerCase();
      if (word === "idle" || word === "busy") return { state: word, detail: `${IDLE_FILE_ENV}: "${path}" says ${word}` };
      if (word === "") return { state: "busy", detail: `${IDLE_FILE_ENV}: "${path}" is empty (empty means busy)` };
      return { state: "unavailable", reason: `${IDLE_FILE_ENV}: "${path}" must say idle or busy, not "${content.slice(0, 40)}"` };
    },
  };
}
