/**
 * `iocscan scan` of this computer (or of an image under `--root`): one pass over the host serves
 * every loaded IOC. The plan says which documents and fields are needed; collectors stream
 * records straight into the evaluation, and files are hashed only when the prefilter says an IOC
 * could still match them.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { hostname as machineHostname } from "node:os";
import type { Collector, CollectorWarning } from "../collectors/types.js";
import { createHostView } from "../collectors/host-view.js";
import { createPrefilter, type Prefilter, type PrefilterDecision } from "../core/compile/index.js";
import { createEvaluation } from "../core/evaluate/index.js";
import { REPORT_FORMAT, REPORT_VERSION, type ReportWarning, type ScanReport } from "../core/report/index.js";
import { runCriticalAreasScan } from "./critical-areas/index.js";
import { chooseCollectors, type DocumentSwitches } from "./collection.js";
import { defaultFileScopes, normalizeScopes } from "./file-scope.js";
import { iocWarnings, preparePlan, reportIocs, type TermSwitches } from "./prepare-plan.js";
import { toReportDetection } from "./report-detection.js";
import { readOsName } from "./os-name.js";
import type { FileScanSettings, ScanProgress } from "./scan-types.js";

/** Options of {@link scanLive}. */
export interface LiveScanOptions extends FileScanSettings, TermSwitches {
  readonly iocPaths: readonly string[];
  /** The host's `/` on this machine; default "/" (this computer). */
  readonly root?: string;
  readonly switches?: DocumentSwitches;
  /** Called at most a few times a second with the scan's progress. */
  readonly onProgress?: (progress: ScanProgress) => void;
  readonly signal?: AbortSignal;
  /** Warnings kept in the report; the rest are counted (default 1000). */
  readonly maxWarnings?: number;
  /** After a scan that found something, scan the critical areas too (`--critical-areas`). */
  readonly criticalAreas?: boolean;
  /** ClamAV database folder for the Critical Areas Scan (default /var/lib/clamav). */
  readonly clamavDatabase?: string;
  /**
   * Acts on detections (`--action quarantine`): given the finished report and the scopes that
   * were walked, adds the actions' receipts. Absent: report only.
   */
  readonly respond?: (report: ScanReport, scopes: readonly string[]) => Promise<void>;
}

/** The collectors and how to build the FileItem collector's options; injected so tests can narrow them. */
export interface LiveScanDependencies {
  readonly collectors: readonly Collector<unknown>[];
  /** Options for the collector of `document`, or undefined when it takes none. */
  optionsFor(document: string, settings: FileCollectorSettings): unknown;
}

/** What the runner knows when it builds the FileItem collector's options. */
export interface FileCollectorSettings extends FileScanSettings {
  readonly scopes: readonly string[];
  readonly decide?: (cheap: Parameters<Prefilter["decide"]>[0]) => PrefilterDecision;
}

function prefilterDecision(prefilter: Prefilter): NonNullable<FileCollectorSettings["decide"]> {
  return (cheap) => prefilter.decide(cheap);
}

const CHEAP_FILE_FIELDS = ["FullPath", "FilePath", "FileName", "FileExtension", "SizeInBytes"];

/** Scans the host; throws `ScanSetupError` when the scan cannot run at all. */
export async function scanLive(options: LiveScanOptions, dependencies: LiveScanDependencies): Promise<ScanReport> {
  const startedAt = new Date().toISOString();
  const host = createHostView(options.root ?? "/");
  const { loaded, plan } = await preparePlan(options.iocPaths, options);

  const { run, skipped } = chooseCollectors(dependencies.collectors, host, options.switches ?? {}, plan);
  const evaluation = createEvaluation(plan, { availableDocuments: run.map((c) => c.collector.document) });
  const stats: Record<string, number> = {};
  const warnings = new WarningSink(options.maxWarnings ?? 1000);
  const progress = new ProgressTicker(stats, options.onProgress);
  const fileSettings: FileCollectorSettings = {
    ...options,
    // Scopes the user names are reported when missing; default areas a host lacks are not.
    scopes: options.scopes && options.scopes.length > 0 ? normalizeScopes(options.scopes) : defaultFileScopes(plan).filter((scope) => existsSync(host.toDisk(scope))),
    ...(plan.documents.has("FileItem") ? { decide: prefilterDecision(createPrefilter(plan, "FileItem", CHEAP_FILE_FIELDS)) } : {}),
  };

  for (const { collector, fields } of run) {
    const context = {
      host,
      fields,
      warn: (warning: CollectorWarning) => warnings.add(warning, collector.document),
      count: (stat: string, by = 1) => {
        stats[stat] = (stats[stat] ?? 0) + by;
        progress.tick();
      },
      ...(options.signal ? { signal: options.signal } : {}),
    };
    try {
      for await (const record of collector.collect(context, dependencies.optionsFor(collector.document, fileSettings))) {
        evaluation.addRecord(record);
        progress.tick(`${collector.document} ${record.id}`);
      }
    } catch (error) {
      // A collector that cannot run at all leaves its document incomplete, not the scan failed.
      warnings.add({ code: "collector-failed", message: `${collector.name}: ${error instanceof Error ? error.message : String(error)}` }, collector.document);
    }
  }
  progress.flush();

  const report: ScanReport = {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    scanId: randomUUID(),
    host: { hostname: host.live ? machineHostname() : "", os: await readOsName(host), root: host.root },
    source: { kind: "live" },
    startedAt,
    finishedAt: new Date().toISOString(),
    iocs: reportIocs(plan),
    detections: evaluation.finish().map(toReportDetection),
    stats: { ...stats, warnings: warnings.total },
    coverage: {
      collected: run.map((c) => c.collector.document),
      notCollected: skipped,
    },
    warnings: [...iocWarnings(loaded), ...warnings.kept, ...warnings.overflowNote()],
  };
  if (options.criticalAreas === true && report.detections.length > 0) {
    const areas = await runCriticalAreasScan({
      plan,
      root: host.root,
      ...(options.clamavDatabase ? { clamavDatabase: options.clamavDatabase } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const { root: _root, ...section } = areas;
    report.criticalAreas = structuredClone(section);
  }
  await options.respond?.(report, fileSettings.scopes);
  report.finishedAt = new Date().toISOString();
  return report;
}

/** Keeps the first warnings, counts the rest: a scan of / as a user can produce thousands. */
class WarningSink {
  readonly kept: ReportWarning[] = [];
  total = 0;
  private readonly dropped = new Map<string, number>();

  constructor(private readonly limit: number) {}

  add(warning: CollectorWarning, document: string): void {
    this.total++;
    if (this.kept.length < this.limit) {
      this.kept.push({ code: warning.code, message: `${document}: ${warning.message}`, ...(warning.path ? { path: warning.path } : {}) });
    } else {
      this.dropped.set(warning.code, (this.dropped.get(warning.code) ?? 0) + 1);
    }
  }

  overflowNote(): ReportWarning[] {
    return [...this.dropped].map(([code, count]) => ({ code, message: `${count} more "${code}" warnings not listed` }));
  }
}

/** Reports progress at most every 250 ms. */
class ProgressTicker {
  private last = 0;
  private current = "";

  constructor(
    private readonly stats: Readonly<Record<string, number>>,
    private readonly onProgress: ((progress: ScanProgress) => void) | undefined,
  ) {}

  tick(current?: string): void {
    if (!this.onProgress) return;
    if (current !== undefined) this.current = current;
    const now = Date.now();
    if (now - this.last < 250) return;
    this.last = now;
    this.flush();
  }

  flush(): void {
    this.onProgress?.({ stats: { ...this.stats }, current: this.current });
  }
}
