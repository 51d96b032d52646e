/**
 * A live progress line on a terminal: files, MB hashed, rate and the current object, rewritten in
 * place on standard error. Quiet when standard error is not a terminal. The current object is
 * quoted by {@link quoteForTerminal}: a file name cannot move the cursor or break the line.
 *
 * @module
 */
import type { ScanStateChange } from "../scan/live-scan.js";
import type { ScanProgress } from "../scan/scan-types.js";
import { escapeForTerminal, quoteForTerminal } from "../shared/terminal-text.js";

/** A progress sink, or undefined when the output is not a terminal. */
export function createProgressLine(stream: NodeJS.WriteStream = process.stderr): { update(p: ScanProgress): void; state(c: ScanStateChange): void; done(): void } | undefined {
  if (!stream.isTTY) return undefined;
  const started = Date.now();
  let shown = false;
  return {
    update(progress: ScanProgress): void {
      const files = progress.stats["filesSeen"] ?? 0;
      const mb = (progress.stats["bytesHashed"] ?? 0) / 1e6;
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      const head = `${files} files, ${mb.toFixed(1)} MB hashed, ${(mb / seconds).toFixed(1)} MB/s  `;
      const width = Math.max((stream.columns || 80) - 1, 20);
      const room = width - head.length;
      // Cut by code points, so no half of a surrogate pair is written.
      const current = [...quoteForTerminal(progress.current)];
      const tail = current.length > room ? `…${current.slice(-(room - 1)).join("")}` : current.join("");
      stream.write(`\r\x1b[2K${[...(head + (room > 1 ? tail : ""))].slice(0, width).join("")}`);
      shown = true;
    },
    state(change: ScanStateChange): void {
      // A pause can last hours: say so on a line of its own, not in the rewritten one.
      stream.write(`\r\x1b[2K${change.state === "waiting" ? "paused" : "going on"}: ${escapeForTerminal(change.detail)}\n`);
    },
    done(): void {
      if (shown) stream.write("\r\x1b[2K");
    },
  };
}
