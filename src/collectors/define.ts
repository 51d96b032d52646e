/**
 * `defineCollector`: the identity function that gives a collector declaration its type, so each
 * `<name>.ts` reads as data (osquery's table spec) followed by its generator.
 *
 * @module
 */
import type { Collector } from "./types.js";

/**
 * Declares a collector.
 *
 * @example
 * ```ts
 * export const dnsEntryCollector = defineCollector({ name: "dns-entry", document: "DnsEntryItem", ... });
 * ```
 */
export function defineCollector<Options = undefined>(collector: Collector<Options>): Collector<Options> {
  return collector;
}
