/**
 * A {@link CollectorContext} for tests: it keeps the warnings and counts a collector reports, so a
 * test can assert on them. Not used by the scan itself.
 *
 * @module
 */
import type { Collector, CollectorContext, CollectorWarning, HostRecord, HostView } from "./types.js";

/** A context that remembers what the collector reported. */
export interface TestContext extends CollectorContext {
  readonly warnings: CollectorWarning[];
  /** stat → total, e.g. `processesSeen`. */
  readonly counts: Map<string, number>;
}

/**
 * A test context on `host` asking for `fields` (none by default), optionally cancellable.
 *
 * @example
 * ```ts
 * const context = createTestContext(createHostView(root), ["Username", "shell"]);
 * ```
 */
export function createTestContext(host: HostView, fields: Iterable<string> = [], signal?: AbortSignal): TestContext {
  const warnings: CollectorWarning[] = [];
  const counts = new Map<string, number>();
  const context: TestContext = {
    host,
    fields: new Set(fields),
    warnings,
    counts,
    warn(warning) {
      warnings.push(warning);
    },
    count(stat, by = 1) {
      counts.set(stat, (counts.get(stat) ?? 0) + by);
    },
  };
  return signal === undefined ? context : { ...context, signal };
}

/** Every record of one run, in order. */
export async function collectAll<O>(collector: Collector<O>, context: CollectorContext, options: O): Promise<HostRecord[]> {
  const records: HostRecord[] = [];
  for await (const record of collector.collect(context, options)) records.push(record);
  return records;
}
