/**
 * The error an idle-only scan reports when no source can say whether the computer is in use:
 * the scan stops and says why, rather than guessing either way.
 *
 * @module
 */

/** Thrown by the monitor when every source was unavailable; `sources` carries each one's reason. */
export class IdleUnavailableError extends Error {
  override readonly name = "IdleUnavailableError";
  readonly sources: readonly { readonly name: string; readonly reason: string }[];

  constructor(sources: readonly { readonly name: string; readonly reason: string }[]) {
    const list = sources.length === 0 ? "no idle source configured" : sources.map((s) => `${s.name}: ${s.reason}`).join("; ");
    super(`Cannot tell whether the computer is idle: ${list}`);
    this.sources = sources;
  }
}
