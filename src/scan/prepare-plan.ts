/**
 * The first step of every scan: load the IOC files, keep the usable ones, compile them together
 * into one plan.
 *
 * @module
 */
import { createPlanBuilder, type EvaluationPlan } from "../core/compile/index.js";
import type { ReportIoc, ReportWarning } from "../core/report/index.js";
import { openIocCache } from "./ioc-cache/index.js";
import { loadIocFiles, type LoadedIoc } from "./load-iocs.js";
import { createRe2Engine } from "./regex/re2-engine.js";

/** A scan that could not run at all: bad arguments, unreadable snapshot, no usable IOC. */
export class ScanSetupError extends Error {
  override readonly name = "ScanSetupError";
}

/** Switches that change what IOC terms mean. */
export interface TermSwitches {
  /** Read FireEye HX event terms as host-state terms (default true). */
  readonly mapEvents?: boolean;
  /** Read Network/DNS as a DNS entry's host name (default false). */
  readonly mapNetworkTerms?: boolean;
}

/** How a scan gets its plan: the term switches, and where loaded IOC files are cached. */
export interface PlanSettings extends TermSwitches {
  /** The IOC cache folder (`ioc-cache` beside the results database); undefined = no cache. */
  readonly iocCacheDir?: string;
  /** Told when the IOC cache cannot be created or written (the scan goes on without it). */
  readonly onIocCacheUnavailable?: (dir: string, error: unknown) => void;
}

/** The loaded files and the plan compiled from the usable ones. */
export interface PreparedPlan {
  readonly loaded: readonly LoadedIoc[];
  readonly plan: EvaluationPlan;
}

/**
 * Loads and compiles; throws {@link ScanSetupError} when no file is usable. Streams: each usable
 * file is compiled into the plan as soon as it is parsed, and its document dropped, so memory
 * holds the plan and one parse tree, not every IOC's parse tree at once. With `iocCacheDir`,
 * files loaded by an earlier scan come from the IOC cache instead of the XML parser.
 */
export async function preparePlan(iocPaths: readonly string[], settings: PlanSettings): Promise<PreparedPlan> {
  const terms = { mapEvents: settings.mapEvents ?? true, mapNetworkTerms: settings.mapNetworkTerms ?? false };
  const regexEngine = createRe2Engine();
  const builder = createPlanBuilder({ ...terms, regexEngine });
  const cache =
    settings.iocCacheDir === undefined
      ? undefined
      : await openIocCache(settings.iocCacheDir, settings.onIocCacheUnavailable ? { onUnavailable: settings.onIocCacheUnavailable } : {});
  let usable = 0;
  const loaded = await loadIocFiles(iocPaths, {
    ...terms,
    regexEngine,
    keepDocuments: false,
    ...(cache ? { cache } : {}),
    onUsable: (file, document) => {
      builder.add({ file, document });
      usable++;
    },
  }).finally(() => cache?.settle());
  if (usable === 0) {
    throw new ScanSetupError(
      loaded.length === 0 ? "No IOC files found in the given --ioc paths" : `No usable IOC among ${loaded.length} file(s): ${whyUnusable(loaded)}; "iocscan ioc check" tells all`,
    );
  }
  return { loaded, plan: builder.build() };
}

/** The first error of the first few files, each as file:line:column: message. */
function whyUnusable(loaded: readonly LoadedIoc[]): string {
  const SHOWN = 3;
  const reasons = loaded.slice(0, SHOWN).map((file) => {
    const error = file.diagnostics.find((d) => d.severity === "error") ?? file.diagnostics[0];
    if (error === undefined) return `${file.file}: no indicator it could use`;
    return `${error.line > 0 ? `${file.file}:${error.line}:${error.column}` : file.file}: ${error.message}`;
  });
  return reasons.join("; ") + (loaded.length > SHOWN ? `; and ${loaded.length - SHOWN} more` : "");
}

/** The report's list of IOCs. */
export function reportIocs(plan: EvaluationPlan): ReportIoc[] {
  return plan.iocs.map((ioc) => ({ file: ioc.file, id: ioc.id, title: ioc.title, openiocVersion: ioc.version, items: ioc.items, supportedItems: ioc.supportedItems }));
}

/** Unusable and duplicate IOC files, and every warning about a usable one, for the report. */
export function iocWarnings(loaded: readonly LoadedIoc[]): ReportWarning[] {
  return loaded.flatMap((file) =>
    file.diagnostics
      .filter((d) => d.severity !== "info")
      .map((d) => ({ code: d.code, message: d.message, path: d.line > 0 ? `${file.file}:${d.line}:${d.column}` : file.file })),
  );
}
