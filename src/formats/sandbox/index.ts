/**
 * Sandbox report -> OpenIOC 1.1 (issue 9). One parser per format into the common shape
 * (./analysis.ts), one ordered noise-filter pipeline (./select.ts), one mapping to OpenIOC
 * (./to-openioc.ts) written by the shared OpenIOC writer. See ./README.md.
 *
 * @example
 * const result = iocFromReport(JSON.parse(text), { format: "auto", now: new Date() });
 * if (result.generated) await writeFile(result.fileName, result.xml);
 * else console.error(result.reason);
 *
 * @module
 */
import { itemsOf } from "../../core/ioc/model.js";
import { writeIoc } from "../openioc-writer.js";
import type { SandboxAnalysis } from "./analysis.js";
import { parseCapeReport } from "./cape.js";
import { parseCuckoo3Report } from "./cuckoo3.js";
import { detectSandboxFormat } from "./detect.js";
import { SandboxReportError } from "./errors.js";
import { parseGenericReport } from "./generic.js";
import { selectIndicators } from "./select.js";
import { parseTriageReport } from "./triage.js";
import { parseVmrayReport } from "./vmray.js";
import { buildIocDocument } from "./to-openioc.js";
import type { IocFromReport, IocFromReportResult, SandboxFormat } from "./types.js";

export * from "./types.js";
export { SandboxReportError } from "./errors.js";
export { detectSandboxFormat } from "./detect.js";
export { GENERIC_FORMAT_MARK, genericReportSchema, type GenericReport } from "./generic.js";

const PARSERS: Readonly<Record<SandboxFormat, (report: unknown) => SandboxAnalysis>> = {
  cape: parseCapeReport,
  cuckoo3: parseCuckoo3Report,
  triage: parseTriageReport,
  vmray: parseVmrayReport,
  generic: parseGenericReport,
};

/** Parses a report of any known format into the common shape (exported for the server's intake). */
export function analyseReport(report: unknown, format: SandboxFormat | "auto" = "auto"): SandboxAnalysis | undefined {
  const chosen = format === "auto" ? detectSandboxFormat(report) : format;
  if (chosen === undefined) return undefined;
  if (typeof report !== "object" || report === null || Array.isArray(report)) {
    throw new SandboxReportError("$", `expected a ${chosen} report (a JSON object), got ${Array.isArray(report) ? "an array" : typeof report}`);
  }
  return PARSERS[chosen](report);
}

/** See {@link IocFromReport}. */
export const iocFromReport: IocFromReport = (report, options = {}): IocFromReportResult => {
  const analysis = analyseReport(report, options.format ?? "auto");
  if (analysis === undefined) {
    return {
      generated: false,
      reason: "not a report of a known format (cape, cuckoo3, triage, vmray, generic); name one with --format",
      dropped: [],
    };
  }
  const selected = selectIndicators(analysis);
  if (!selected.ok) return { generated: false, reason: selected.reason, summary: analysis.summary, dropped: selected.dropped };
  const document = buildIocDocument(analysis, selected.selection, options.now);
  const items = itemsOf(document).length;
  const xml = writeIoc(document, options.now ? { now: options.now } : {});
  const sample = analysis.summary.sample;
  const key = (sample.sha256 ?? sample.sha1 ?? sample.md5 ?? document.id).slice(0, 16);
  return { generated: true, xml, fileName: `sandbox-${key}.ioc`, summary: analysis.summary, items, dropped: selected.dropped };
};

