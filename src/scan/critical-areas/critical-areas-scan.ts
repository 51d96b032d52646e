/**
 * The Critical Areas Scan (`iocscan scan --critical-areas`): after a scan found something, look
 * where malware hides, as Kaspersky's Critical Areas Scan does on Linux: running processes,
 * kernel modules, boot sectors and startup objects. Each area's objects are checked with the
 * task's IOCs, with ClamAV when it is installed, and with built-in heuristics.
 *
 * @module
 */
import { COLLECTORS } from "../../collectors/registry.js";
import { createHostView } from "../../collectors/host-view.js";
import type { Detection } from "../../core/evaluate/index.js";
import type { ReportDetection } from "../../core/report/index.js";
import { pathText } from "../../shared/path-text.js";
import { toReportDetection } from "../report-detection.js";
import { AreaContext, WarningSink } from "./area-context.js";
import { scanBoot } from "./boot.js";
import { runAntivirus, type AntivirusRun } from "./clamav.js";
import { checkIocs, DOCUMENT_AREA } from "./ioc-check.js";
import { scanModules } from "./modules.js";
import { scanProcesses } from "./processes.js";
import { scanStartup } from "./startup.js";
import { CRITICAL_AREAS, type AreaSummary, type CriticalArea, type CriticalAreaFinding, type CriticalAreasOptions, type CriticalAreasResult } from "./types.js";

export const DEFAULT_MAX_FILES_PER_AREA = 5000;
export const DEFAULT_MAX_FILE_BYTES = 128 * 1024 * 1024;
export const DEFAULT_TIME_BUDGET_MS = 15 * 60 * 1000;

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`CriticalAreasOptions.${name} must be a non-negative number, got ${value}`);
  return value;
}

/**
 * Scans the critical areas of the host (this computer, or an image under `root` for the
 * file-based areas) and returns the findings as a section of the scan report.
 *
 * @example
 * ```ts
 * const { plan } = await preparePlan(["./iocs"], {});
 * const result = await runCriticalAreasScan({ plan, clamavDatabase: "/var/lib/clamav" });
 * for (const f of result.findings) console.log(f.area, f.kind, f.name, f.objectId);
 * ```
 */
export async function runCriticalAreasScan(options: CriticalAreasOptions = {}): Promise<CriticalAreasResult> {
  const startedAt = new Date().toISOString();
  const host = createHostView(options.root ?? "/");
  const limits = {
    maxFilesPerArea: Math.floor(positive(options.maxFilesPerArea, DEFAULT_MAX_FILES_PER_AREA, "maxFilesPerArea")),
    maxFileBytes: positive(options.maxFileBytes, DEFAULT_MAX_FILE_BYTES, "maxFileBytes"),
    timeBudgetMs: positive(options.timeBudgetMs, DEFAULT_TIME_BUDGET_MS, "timeBudgetMs"),
  };
  const ctx = new AreaContext(host, new WarningSink(options.maxWarnings ?? 1000), limits, options.signal);
  try {
    const areas = new Set<CriticalArea>(options.areas ?? CRITICAL_AREAS);
    const began = Date.now();

    for (const area of CRITICAL_AREAS) {
      if (!areas.has(area)) continue;
      if (ctx.stopped()) {
        ctx.area(area).note ??= "not scanned: the time budget was spent or the scan was cancelled";
        continue;
      }
      try {
        if (area === "processes") await scanProcesses(ctx, { executableInTmp: options.executableInTmp ?? true });
        else if (area === "kernel-modules") await scanModules(ctx);
        else if (area === "boot-sectors") await scanBoot(ctx);
        else await scanStartup(ctx);
      } catch (error) {
        // One area that cannot run leaves the others to do their work.
        ctx.warn({ code: "area-failed", message: `${area}: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
    ctx.count("areaFiles", ctx.objects.size);

    let detections: ReportDetection[] = [];
    if (options.plan !== undefined && !ctx.stopped()) {
      const found = await checkIocs(ctx, options.plan, options.collectors ?? COLLECTORS, areas, options.hashCache);
      detections = found.map((detection) => reportDetection(ctx, detection));
      ctx.findings.push(...iocFindings(ctx, detections));
    }

    let antivirus: AntivirusRun = { status: { engine: "none", detail: "turned off", scanned: 0 }, hits: [] };
    if (options.antivirus !== false && !ctx.stopped()) {
      antivirus = await runAntivirus(ctx, [...ctx.objects.values()], {
        ...(options.clamdSocket !== undefined ? { clamdSocket: options.clamdSocket } : {}),
        ...(options.clamavDatabase !== undefined ? { clamavDatabase: options.clamavDatabase } : {}),
        ...(options.clamscanPath !== undefined ? { clamscanPath: options.clamscanPath } : {}),
      });
      for (const hit of antivirus.hits) {
        const fullPath = pathText(hit.object.fullPath);
        ctx.findings.push({
          area: hit.object.area,
          kind: "antivirus",
          name: hit.signature,
          objectId: hit.object.id,
          document: "FileItem",
          detail: `${antivirus.status.engine} detected ${hit.signature} in ${hit.object.id === fullPath ? hit.object.id : `${hit.object.id} ("${fullPath}")`}, ${hit.object.reason}`,
          actionable: hit.object.source.kind === "file",
        });
        ctx.count("antivirusFindings");
      }
    }
    ctx.stopped(); // warns once if the budget ran out during the last step
    ctx.count("durationMs", Date.now() - began);

    const areasScanned: AreaSummary[] = CRITICAL_AREAS.filter((area) => areas.has(area)).map((area) => {
      const entry = ctx.area(area);
      return { area, objects: entry.objects, files: entry.files, filesOverLimit: entry.overLimit, ...(entry.note !== undefined ? { note: entry.note } : {}) };
    });
    for (const summary of areasScanned) {
      if (summary.filesOverLimit > 0) {
        ctx.warn({ code: "area-limit", message: `${summary.area}: ${summary.filesOverLimit} files over the limit of ${limits.maxFilesPerArea} per area were not checked` });
      }
    }
    return {
      startedAt,
      finishedAt: new Date().toISOString(),
      root: host.root,
      findings: ctx.findings,
      detections,
      areasScanned,
      antivirus: antivirus.status,
      warnings: ctx.warnings.all(),
      stats: { ...ctx.stats, warnings: ctx.warnings.total },
    };
  } finally {
    ctx.dispose();
  }
}

/** A detection in the report's shape; objects that are no plain file (a disk, /proc/PID/exe) are never actionable. */
function reportDetection(ctx: AreaContext, detection: Detection): ReportDetection {
  const report = toReportDetection(detection);
  report.objects = report.objects.map((object) => {
    const area = ctx.objects.get(object.id);
    const plainFile = object.document !== "FileItem" || area === undefined || area.source.kind === "file";
    return plainFile ? object : { ...object, actionable: false };
  });
  return report;
}

function iocFindings(ctx: AreaContext, detections: readonly ReportDetection[]): CriticalAreaFinding[] {
  const out: CriticalAreaFinding[] = [];
  for (const detection of detections) {
    for (const object of detection.objects) {
      const area = object.document === "FileItem" ? ctx.objects.get(object.id)?.area : DOCUMENT_AREA[object.document];
      if (area === undefined) continue;
      const reason = object.document === "FileItem" ? ctx.objects.get(object.id)?.reason : undefined;
      out.push({
        area,
        kind: "ioc",
        name: detection.iocTitle !== "" ? detection.iocTitle : detection.iocId,
        objectId: object.id,
        document: object.document,
        detail: `IOC ${detection.iocId} (${detection.iocFile}) matched ${object.document} ${object.id}${reason !== undefined ? `, ${reason}` : ""}: items ${detection.matchedItems.join(", ")}`,
        actionable: object.actionable && (object.document === "FileItem" || object.document === "ProcessItem"),
      });
      ctx.count("iocFindings");
    }
  }
  return out;
}
