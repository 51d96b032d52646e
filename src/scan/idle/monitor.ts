/**
 * The idle monitor: asks the sources in order, tells the scan whether it may run, waits for an
 * idle period, and watches for the user coming back.
 *
 * @module
 */
import { setTimeout as sleep } from "node:timers/promises";
import { defaultIdleSources } from "./default-sources.js";
import { IdleUnavailableError } from "./idle-unavailable-error.js";
import type { IdleReading, IdleSource, IdleState } from "./types.js";

/** Name of the environment variable that lowers the poll interval (for tests). */
export const IDLE_POLL_ENV = "IOCSCAN_IDLE_POLL_MS";
const DEFAULT_POLL_MS = 1000;
/** Bounds of IOCSCAN_IDLE_POLL_MS: faster would spend the CPU the scan is meant to leave free. */
const MIN_ENV_POLL_MS = 50;
const MAX_ENV_POLL_MS = 60_000;

export interface IdleMonitorOptions {
  /** Default: {@link defaultIdleSources} for `env`. */
  readonly sources?: readonly IdleSource[];
  /** Poll interval; default IOCSCAN_IDLE_POLL_MS from `env`, else 1000 ms. */
  readonly pollMs?: number;
  /** Clock for the readings' `at` (ms). Default Date.now. */
  readonly now?: () => number;
  /** Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface IdleMonitor {
  /**
   * Reads the sources now; the first source that is not unavailable decides. When none can be
   * read, rejects with {@link IdleUnavailableError} listing each source and why.
   */
  check(signal?: AbortSignal): Promise<IdleState>;
  /** Resolves when idle (polls every pollMs); rejects on abort or when no source can be read. */
  waitUntilIdle(signal?: AbortSignal): Promise<IdleState>;
  /**
   * Polls every pollMs; calls onChange with the first reading, then on every idle <-> busy change.
   * Errors (no source readable) go to onError and polling goes on. Returns the function that stops it.
   */
  watch(onChange: (state: IdleState) => void, onError?: (error: unknown) => void): () => void;
  /** For the report: every source, with its last reading ("not asked" before the first check). */
  sources(): { name: string; status: string }[];
  /** The poll interval in use, ms. */
  readonly pollMs: number;
}

/** Reads IOCSCAN_IDLE_POLL_MS; undefined when unset, RangeError when it is not a whole number in bounds. */
export function pollMsFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const text = env[IDLE_POLL_ENV];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < MIN_ENV_POLL_MS || value > MAX_ENV_POLL_MS) {
    throw new RangeError(`${IDLE_POLL_ENV} must be a whole number of milliseconds from ${MIN_ENV_POLL_MS} to ${MAX_ENV_POLL_MS}, got "${text}"`);
  }
  return value;
}

function describeReading(reading: IdleReading): string {
  return reading.state === "unavailable" ? `unavailable: ${reading.reason}` : `${reading.state}: ${reading.detail}`;
}

export function createIdleMonitor(options: IdleMonitorOptions = {}): IdleMonitor {
  const env = options.env ?? process.env;
  const sources = options.sources ?? defaultIdleSources({ env });
  const pollMs = options.pollMs ?? pollMsFromEnv(env) ?? DEFAULT_POLL_MS;
  if (!(pollMs >= 1)) throw new RangeError(`pollMs must be at least 1, got ${String(pollMs)}`);
  const now = options.now ?? Date.now;
  const last = new Map<string, string>();

  async function check(signal?: AbortSignal): Promise<IdleState> {
    const unavailable: { name: string; reason: string }[] = [];
    for (const source of sources) {
      signal?.throwIfAborted();
      let reading: IdleReading;
      try {
        reading = await source.read(signal);
      } catch (error) {
        if (signal?.aborted) throw error;
        // A source that throws is a bug in it, but still only that source's failure.
        reading = { state: "unavailable", reason: `failed: ${error instanceof Error ? error.message : String(error)}` };
      }
      last.set(source.name, describeReading(reading));
      if (reading.state === "unavailable") {
        unavailable.push({ name: source.name, reason: reading.reason });
        continue;
      }
      // The sources after the deciding one were not asked; an older reading of theirs would mislead.
      for (const later of sources.slice(sources.indexOf(source) + 1)) last.set(later.name, `not asked (${source.name} decided)`);
      return { idle: reading.state === "idle", source: source.name, detail: reading.detail, at: now() };
    }
    throw new IdleUnavailableError(unavailable);
  }

  async function waitUntilIdle(signal?: AbortSignal): Promise<IdleState> {
    for (;;) {
      const state = await check(signal);
      if (state.idle) return state;
      await sleep(pollMs, undefined, signal ? { signal } : {});
    }
  }

  function watch(onChange: (state: IdleState) => void, onError?: (error: unknown) => void): () => void {
    const stop = new AbortController();
    let previous: boolean | undefined;
    const loop = async (): Promise<void> => {
      while (!stop.signal.aborted) {
        let state: IdleState | undefined;
        try {
          state = await check(stop.signal);
        } catch (error) {
          if (stop.signal.aborted) return;
          onError?.(error);
        }
        if (stop.signal.aborted) return;
        if (state && state.idle !== previous) {
          previous = state.idle;
          onChange(state);
        }
        // Not ref'd: a watcher alone must not keep the process alive after the scan ends.
        await sleep(pollMs, undefined, { signal: stop.signal, ref: false }).catch(() => undefined);
      }
    };
    void loop();
    return () => stop.abort();
  }

  return {
    check,
    waitUntilIdle,
    watch,
    sources: () => sources.map((s) => ({ name: s.name, status: last.get(s.name) ?? "not asked" })),
    pollMs,
  };
}
