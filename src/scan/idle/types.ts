/**
 * The shapes shared by the idle sources and the monitor.
 *
 * @module
 */

/** One source's answer. `unavailable` is an answer too: the source could not tell, and says why. */
export type IdleReading =
  | { readonly state: "idle" | "busy"; readonly detail: string }
  | { readonly state: "unavailable"; readonly reason: string };

/** One way of telling whether the computer is in use (logind, the screensaver, a rule, a test file). */
export interface IdleSource {
  /** Short name used in the report ("logind", "screensaver", "headless", "test-file"). */
  readonly name: string;
  /** Never rejects for a source that cannot be read (that is `unavailable`); rejects only on abort. */
  read(signal?: AbortSignal): Promise<IdleReading>;
}

/** What the monitor concluded, and from which source. */
export interface IdleState {
  readonly idle: boolean;
  /** Name of the source that decided. */
  readonly source: string;
  readonly detail: string;
  /** When it was read (the monitor's clock, ms). */
  readonly at: number;
}
