/**
 * `iocscan scan` of this computer (or of an image under `--root`): one pass over the host serves
 * every loaded IOC. The plan says which documents and fields are needed; collectors stream
 * records straight into the evaluation, and files are hashed only when the prefilter says an IOC
 * could still match them.
 *
 * @module
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { hostname as machineHostname } from "node:os";
import { resolve } from "node:path";
import { pathFilterSpec, prestartFileWorker, type DigestGate, type PathFilterSpec, type WalkPosition } from "../collectors/file/index.js";
import type { Collector, CollectorWarning } from "../collectors/types.js";
import { createHostView } from "../collectors/host-view.js";
import { createDigestGate, createPrefilter, digestsFor, type EvaluationPlan, type Prefilter, type PrefilterDecision } from "../core/compile/index.js";
import { createEvaluation } from "../core/evaluate/index.js";
// report.js, not index.js: the index also brings the snapshot schema and its library to every scan.
import { REPORT_FORMAT, REPORT_VERSION, type ReportWarning, type ScanReport } from "../core/report/report.js";
import { runCriticalAreasScan } from "./critical-areas/index.js";
import { chooseCollectors, type DocumentSwitches } from "./collection.js";
import { defaultFileScopes, normalizeScopes } from "./file-scope.js";
import type { Checkpointing, RunnerState, WorkGate } from "./checkpoint/runner-state.js";
import { iocWarnings, preparePlan, reportIocs, ScanSetupError, type PlanSettings } from "./prepare-plan.js";
import { toReportDetection } from "./report-detection.js";
import { readOsName } from "./os-name.js";
import type { FileScanSettings, ScanProgress } from "./scan-types.js";

/** Options of {@link scanLive}. */
export interface LiveScanOptions extends FileScanSettings, PlanSettings {
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
  /** The scan's id (default: a new UUID); a resumed scan keeps the one of its checkpoint. */
  readonly scanId?: string;
  /** Write checkpoints (and resume from one): the scan can then continue after an interruption. */
  readonly checkpointing?: Checkpointing;
  /** When the scan may work (`--idle-only`): asked between records. */
  readonly gate?: WorkGate;
  /** Called between records; waits while the scan is over its CPU budget (`--max-cpu`). */
  readonly pace?: (signal?: AbortSignal, stopEarly?: () => boolean) => Promise<void>;
  /** Told when the scan starts waiting (the computer is in use) and when it goes on. */
  readonly onStateChange?: (change: ScanStateChange) => void;
}

/** A pause or a continuation of the scan, with why. */
export interface ScanStateChange {
  readonly state: "waiting" | "running";
  readonly detail: string;
}

/**
 * The scan stopped early (its signal was aborted) after writing a checkpoint: it can be resumed
 * with `resumeFrom` (`iocscan scan --resume ID`).
 */
export class ScanInterruptedError extends Error {
  override readonly name = "ScanInterruptedError";
  /** `notSaved`: why its checkpoints could not be written (then it cannot be resumed). */
  constructor(
    readonly scanId: string,
    readonly notSaved?: string,
  ) {
    super(notSaved === undefined ? `scan ${scanId} interrupted; its checkpoint is saved and it can be resumed` : `scan ${scanId} interrupted; it cannot be resumed: its checkpoints could not be written (${notSaved})`);
  }
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
  /** The file sizes with which a file may match, when its size alone rules it out otherwise. */
  readonly sizeGate?: readonly number[];
  /** Every file needs a digest whatever its cheap fields (FileCollectorOptions.hashEveryFile). */
  readonly hashEveryFile?: boolean;
  /** Files whose digests no IOC names cannot match (FileCollectorOptions.digestGate). */
  readonly digestGate?: DigestGate;
}

/**
 * The prefilter of files as the collector takes it: `decide`, its size gate if it has one, and
 * whether it asks a digest of every file.
 */
function filePrefilter(plan: EvaluationPlan): Pick<FileCollectorSettings, "decide" | "sizeGate" | "hashEveryFile" | "digestGate"> {
  const prefilter = createPrefilter(plan, "FileItem", CHEAP_FILE_FIELDS);
  const gate = prefilter.onlyWhen;
  const everyFile = digestsFor(prefilter.alwaysNeeded);
  const digestGate = createDigestGate(plan, "FileItem", everyFile);
  return {
    decide: (cheap) => prefilter.decide(cheap),
    ...(gate?.field === "SizeInBytes" ? { sizeGate: gate.values } : {}),
    ...(everyFile.length > 0 ? { hashEveryFile: true } : {}),
    ...(digestGate === undefined ? {} : { digestGate }),
  };
}

const CHEAP_FILE_FIELDS = ["FullPath", "FilePath", "FileName", "FileExtension", "SizeInBytes"];

/** Scans the host; throws `ScanSetupError` when the scan cannot run at all. */
export async function scanLive(options: LiveScanOptions, dependencies: LiveScanDependencies): Promise<ScanReport> {
  const resume = options.checkpointing?.resumeFrom;
  const startedAt = resume?.startedAt ?? new Date().toISOString();
  const scanId = resume?.scanId ?? options.scanId ?? randomUUID();
  const host = createHostView(options.root ?? "/");
  // Scopes the user names are reported when missing; default areas a host lacks are not. A
  // relative scope of a live scan is a folder of the working directory (a task's "tree" on an
  // agent started there): absolute, it is also what the responder's scope check reads.
  const namedScopes =
    options.scopes && options.scopes.length > 0 ? normalizeScopes(options.scopes.map((scope) => (host.live && !scope.startsWith("/") ? resolve(scope) : scope))) : undefined;
  // The file walk's first worker boots while the IOCs load, not after. With scopes named, it
  // also lists them meanwhile and sends the listings ahead of the walk, leaving out excluded
  // folders and unwanted files (the walk's own filter): the listings do not depend on the IOCs.
  // Not for a resumed walk, which starts elsewhere, nor inside an image, nor for a scan that may
  // only work while the computer is idle or within a CPU budget: the worker would list while the
  // scan is to wait.
  const listAhead = host.live && resume === undefined && options.gate === undefined && options.pace === undefined;
  const listingAhead = (scopes: readonly string[]): { prelist: readonly string[]; filter: PathFilterSpec } => ({ prelist: scopes, filter: pathFilterSpec(options.excludes ?? [], options.hint) });
  if (options.switches?.["FileItem"] !== "off" && dependencies.collectors.some((c) => c.document === "FileItem")) {
    prestartFileWorker(listAhead && namedScopes !== undefined ? listingAhead(namedScopes) : {});
  }
  // Read beside the scan, not after it: a few file system calls on libuv's threads, whose
  // round trips took 3-18 ms at the end of a rescan while the CPUs were busy. Never rejects.
  const osName = readOsName(host);
  const { loaded, plan } = await preparePlan(options.iocPaths, options);
  // Worked out only for a checkpoint or a resume: it reads every item of the plan (a million, for
  // a large hash list), which a scan that never checkpoints need not pay for.
  let fingerprint: string | undefined;
  const planId = (): string => (fingerprint ??= planFingerprint(plan));
  if (resume !== undefined && resume.plan !== planId()) {
    throw new ScanSetupError(`scan ${scanId} cannot be resumed: its IOC files changed since it was interrupted`);
  }

  const { run, skipped } = chooseCollectors(dependencies.collectors, host, options.switches ?? {}, plan);
  const evaluation = createEvaluation(plan, {
    availableDocuments: run.map((c) => c.collector.document),
    ...(resume ? { resumeFrom: resume.evaluation } : {}),
  });
  const stats: Record<string, number> = { ...resume?.stats };
  const warnings = new WarningSink(options.maxWarnings ?? 1000, resume?.warnings);
  const progress = new ProgressTicker(stats, options.onProgress);
  const fileSettings: FileCollectorSettings = {
    ...options,
    scopes: namedScopes ?? defaultFileScopes(plan).filter((scope) => existsSync(host.toDisk(scope))),
    ...(plan.documents.has("FileItem") ? filePrefilter(plan) : {}),
  };
  // The default areas are known only now (they include the folders the IOCs name): the worker
  // lists them ahead from here, if the scan walks files at all.
  if (listAhead && namedScopes === undefined && run.some((c) => c.collector.document === "FileItem")) prestartFileWorker(listingAhead(fileSettings.scopes));

  const collectorsDone = new Set(resume?.collectorsDone ?? []);
  let collecting: string | undefined;
  let filePosition: (() => WalkPosition) | undefined;
  const state = (phase: RunnerState["phase"]): RunnerState => ({
    scanId,
    startedAt,
    phase,
    collectorsDone: [...collectorsDone],
    ...(collecting === "FileItem" && filePosition ? { file: filePosition() } : {}),
    evaluation: evaluation.saveState(),
    stats: { ...stats },
    warnings: warnings.save(),
    plan: planId(),
  });
  const checkpoints = new CheckpointClock(options.checkpointing, options.respond !== undefined);
  // Other collectors take a second or two and have no position: a checkpoint taken inside one
  // would repeat or lose its records, so they are checkpointed only before and after.
  const canCheckpoint = (): boolean => collecting === undefined || collecting === "FileItem";
  const gate = options.gate;
  const mustPause = gate === undefined ? undefined : (): boolean => gate.mustPause();
  const between = async (): Promise<void> => {
    for (;;) {
      if (gate?.mustPause() === true) {
        if (canCheckpoint()) await checkpoints.save(() => state("collecting"));
        const detail = gate.describe();
        // The counts as they stand when the scan stops: nothing is started while it waits.
        progress.flush();
        options.onStateChange?.({ state: "waiting", detail });
        stats["pauses"] = (stats["pauses"] ?? 0) + 1;
        await gate.waitToContinue(options.signal);
        options.onStateChange?.({ state: "running", detail: gate.describe() });
      }
      if (options.pace === undefined) break;
      // Paying back CPU at a low --max-cpu can take seconds: the computer in use meanwhile
      // stops the sleep, and the scan pauses now (the rest of the debt is paid after).
      await options.pace(options.signal, mustPause);
      if (gate?.mustPause() !== true) break;
    }
    if (checkpoints.due() && canCheckpoint()) await checkpoints.save(() => state("collecting"));
  };
  const needsBetween = options.gate !== undefined || options.pace !== undefined || options.checkpointing !== undefined;
  const interrupted = async (): Promise<never> => {
    if (canCheckpoint()) await checkpoints.save(() => state("collecting"));
    throw new ScanInterruptedError(scanId);
  };

  if (resume?.phase !== "responding") {
    if (resume !== undefined) stats["resumed"] = (stats["resumed"] ?? 0) + 1;
    try {
      if (needsBetween) await between();
    } catch (error) {
      // Stopped while it waited to start (--idle-only, --max-cpu): a checkpoint, as below.
      if (options.signal?.aborted === true && options.checkpointing) await interrupted();
      throw error;
    }
    for (const { collector, fields } of run) {
      if (collectorsDone.has(collector.document)) continue;
      const context = {
        host,
        fields,
        warn: (warning: CollectorWarning) => warnings.add(warning, collector.document),
        count: (stat: string, by = 1) => {
          stats[stat] = (stats[stat] ?? 0) + by;
          progress.tick();
        },
        ...(options.signal ? { signal: options.signal } : {}),
        ...(needsBetween ? { between } : {}),
      };
      collecting = collector.document;
      filePosition = undefined;
      let collectorOptions = dependencies.optionsFor(collector.document, fileSettings);
      if (collector.document === "FileItem" && collectorOptions !== undefined) {
        collectorOptions = {
          ...(collectorOptions as object),
          ...(resume?.file && !collectorsDone.has("FileItem") ? { resumeFrom: resume.file } : {}),
          exposePosition: (position: () => WalkPosition) => (filePosition = position),
        };
      }
      try {
        for await (const record of collector.collect(context, collectorOptions)) {
          evaluation.addRecord(record);
          progress.tick(`${collector.document} ${record.id}`);
          if (needsBetween) await between();
        }
      } catch (error) {
        if (options.signal?.aborted === true && options.checkpointing) await interrupted();
        // A collector that cannot run at all leaves its document incomplete, not the scan failed.
        warnings.add({ code: "collector-failed", message: `${collector.name}: ${error instanceof Error ? error.message : String(error)}` }, collector.document);
      }
      if (options.signal?.aborted === true && options.checkpointing) await interrupted();
      collectorsDone.add(collector.document);
      collecting = undefined;
      // After the last one, the checkpoint below (written at once) says the same and more.
      if (collector !== run[run.length - 1]?.collector) await checkpoints.milestone(() => state("collecting"));
    }
    // From here on the records are complete: a resumed scan only redoes the response.
    await checkpoints.milestone(() => state("responding"));
  }
  progress.flush();

  const report: ScanReport = {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    scanId,
    host: { hostname: host.live ? machineHostname() : "", os: await osName, root: host.root },
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
  if (options.signal?.aborted === true) {
    // A stopped scan saw only part of the host: it never acts on what it found so far (the run
    // that continues it will), and says it is incomplete.
    report.warnings.push({ code: "scan-interrupted", message: "the scan was stopped before it finished: its results are incomplete and no action was taken" });
    return report;
  }
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

/**
 * Identifies a compiled plan: the IOCs (file, id), the sizes of the plan and what each item
 * matches. A checkpoint's unit numbers and the matches it holds mean something only for the plan
 * they were taken on: an IOC file edited in place (another hash, another condition) must not be
 * resumed with what the old one established.
 */
export function planFingerprint(plan: EvaluationPlan): string {
  const hash = createHash("sha256");
  hash.update(`${plan.items.length} ${plan.units.length}\n`);
  for (const ioc of plan.iocs) hash.update(`${ioc.file}\0${ioc.id}\0${ioc.items}\n`);
  for (const item of plan.items) {
    hash.update(`${item.ioc}\0${item.id}\0${item.term}\0${item.condition}\0${item.type}\0${item.negate ? 1 : 0}${item.ignoreCase ? 1 : 0}\0${item.value}\n`);
  }
  return hash.digest("hex");
}

/**
 * A scan that only reports writes no checkpoint at a milestone (a collector done, the records
 * complete) while it is younger than this and has written none: what a crash would lose is
 * less than writing one costs (the evaluation state serialized, an fsync: about 50 ms of a
 * 0.4 s rescan), and the checkpoint would be removed a moment later.
 */
const YOUNG_SCAN_MS = 2000;

/** When the next periodic checkpoint is due, and the one place checkpoints are written. */
class CheckpointClock {
  private readonly started = Date.now();
  private last = this.started;
  private written = false;
  private readonly interval: number;

  /** `acting`: the scan responds with actions, which a resumed scan must not repeat (always checkpointed). */
  constructor(
    private readonly checkpointing: Checkpointing | undefined,
    private readonly acting: boolean,
  ) {
    this.interval = checkpointing?.intervalMs ?? 15_000;
  }

  due(): boolean {
    return this.checkpointing !== undefined && Date.now() - this.last >= this.interval;
  }

  /** Writes the state `state` gives, worked out only when there is somewhere to write it. */
  async save(state: () => RunnerState): Promise<void> {
    if (this.checkpointing === undefined) return;
    await this.checkpointing.save(state());
    this.last = Date.now();
    this.written = true;
  }

  /**
   * A checkpoint at a milestone: skipped for a young report-only scan ({@link YOUNG_SCAN_MS}),
   * which then does not even work out the state.
   */
  async milestone(state: () => RunnerState): Promise<void> {
    if (this.checkpointing === undefined) return;
    if (!this.acting && !this.written && Date.now() - this.started < Math.min(this.interval, YOUNG_SCAN_MS)) return;
    await this.save(state);
  }
}

/**
 * Keeps the first warnings, counts the rest: a scan of / as a user can produce thousands. The
 * same warning twice (a folder listed again after a resume) is kept once.
 */
class WarningSink {
  readonly kept: ReportWarning[] = [];
  total = 0;
  private readonly dropped = new Map<string, number>();
  private readonly seen = new Set<string>();

  constructor(
    private readonly limit: number,
    saved?: RunnerState["warnings"],
  ) {
    if (saved === undefined) return;
    for (const warning of saved.kept) {
      this.kept.push(warning);
      this.seen.add(keyOf(warning));
    }
    for (const [code, count] of saved.dropped) this.dropped.set(code, count);
    this.total = saved.total;
  }

  add(warning: CollectorWarning, document: string): void {
    const kept: ReportWarning = { code: warning.code, message: `${document}: ${warning.message}`, ...(warning.path ? { path: warning.path } : {}) };
    const key = keyOf(kept);
    if (this.seen.has(key)) return;
    this.total++;
    if (this.kept.length < this.limit) {
      this.kept.push(kept);
      this.seen.add(key);
    } else {
      this.dropped.set(warning.code, (this.dropped.get(warning.code) ?? 0) + 1);
    }
  }

  save(): RunnerState["warnings"] {
    return { kept: [...this.kept], dropped: [...this.dropped], total: this.total };
  }

  overflowNote(): ReportWarning[] {
    return [...this.dropped].map(([code, count]) => ({ code, message: `${count} more "${code}" warnings not listed` }));
  }
}

function keyOf(warning: ReportWarning): string {
  return `${warning.code}\0${warning.path ?? ""}\0${warning.message}`;
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
