/**
 * Which collectors a scan runs: a per-document switch wins; without one, a collector runs when a
 * loaded IOC uses its document (as `kesl-control --scan-ioc` does). Live-only collectors (/proc,
 * sockets) never run against an image under `--root`; their documents stay UNKNOWN.
 *
 * @module
 */
import type { Collector, HostView } from "../collectors/types.js";
import type { EvaluationPlan } from "../core/compile/index.js";

/** `--files on|off`, `--processes on|off`, ... keyed by OpenIOC document. */
export type DocumentSwitches = Readonly<Partial<Record<string, "on" | "off">>>;

/** A collector that will run, with the fields it is asked for. */
export interface ChosenCollector {
  readonly collector: Collector<unknown>;
  readonly fields: ReadonlySet<string>;
}

/** A document that will not be collected, and why (for the report's coverage). */
export interface SkippedDocument {
  readonly document: string;
  readonly reason: string;
}

/** Decides the collectors of one scan. `plan` undefined means "collect everything" (`iocscan collect`). */
export function chooseCollectors(
  collectors: readonly Collector<unknown>[],
  host: HostView,
  switches: DocumentSwitches,
  plan: EvaluationPlan | undefined,
): { run: ChosenCollector[]; skipped: SkippedDocument[] } {
  const run: ChosenCollector[] = [];
  const skipped: SkippedDocument[] = [];
  for (const collector of collectors) {
    const { document } = collector;
    const switched = switches[document];
    const needed = plan ? plan.documents.get(document) : undefined;
    if (switched === "off") {
      if (needed) skipped.push({ document, reason: "turned off" });
      continue;
    }
    if (switched !== "on" && plan && !needed) continue;
    if (collector.liveOnly && !host.live) {
      skipped.push({ document, reason: `live-only: not available for an image under ${host.root}` });
      continue;
    }
    const fields = needed ? needed.fields.filter((f) => collector.fields.includes(f)) : collector.fields;
    run.push({ collector, fields: new Set(fields) });
  }
  return { run, skipped };
}
