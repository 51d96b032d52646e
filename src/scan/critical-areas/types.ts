/**
 * Public types of the Critical Areas Scan: its options, findings and result.
 *
 * @module
 */
import type { HashCache } from "../../collectors/file/index.js";
import type { Collector } from "../../collectors/types.js";
import type { EvaluationPlan } from "../../core/compile/index.js";
import type { ReportDetection, ReportWarning } from "../../core/report/index.js";

/** The places malware hides, as Kaspersky's Critical Areas Scan names them on Linux. */
export type CriticalArea = "processes" | "kernel-modules" | "boot-sectors" | "startup-objects";

/** Every area, in the order they are scanned. */
export const CRITICAL_AREAS: readonly CriticalArea[] = ["processes", "kernel-modules", "boot-sectors", "startup-objects"];

/** The built-in heuristics, by stable name. */
export type HeuristicName =
  | "deleted-running-executable"
  | "non-empty-ld-so-preload"
  | "hidden-kernel-module"
  | "process-name-mismatch"
  | "executable-in-tmp";

/** What found it: an IOC of the task, the antivirus engine, or a built-in heuristic. */
export type FindingKind = "ioc" | "antivirus" | "heuristic";

/** One thing found in a critical area. */
export interface CriticalAreaFinding {
  readonly area: CriticalArea;
  readonly kind: FindingKind;
  /** The IOC's title (or id), the antivirus signature name, or the heuristic's name. */
  readonly name: string;
  /** The object's id as the report names it: a host path, a pid, a module or unit name. */
  readonly objectId: string;
  /** The OpenIOC document of the object: FileItem, ProcessItem, ModuleItem, ServiceItem, TaskItem. */
  readonly document: string;
  /** One sentence: what was seen. */
  readonly detail: string;
  /**
   * True only for a positively matched regular file or process that an action (quarantine,
   * terminate) may touch. Heuristic findings, disks, /proc paths and objects bound only
   * through negated items are never actionable.
   */
  readonly actionable: boolean;
}

/** What one area covered. */
export interface AreaSummary {
  readonly area: CriticalArea;
  /** Objects looked at (processes, modules, disks, startup files), before the file limit. */
  readonly objects: number;
  /** Files (and byte ranges) checked with the IOCs and the antivirus engine. */
  readonly files: number;
  /** Files left out because the per-area limit was reached. */
  readonly filesOverLimit: number;
  /** Why the area was skipped or only partly covered; absent when it ran fully. */
  readonly note?: string;
}

/** Which antivirus engine ran, if any. */
export interface AntivirusStatus {
  readonly engine: "clamd" | "clamscan" | "none";
  /** The socket, or the clamscan binary and database folder; or why none ran. */
  readonly detail: string;
  /** Objects the engine scanned. */
  readonly scanned: number;
}

/** Options of {@link runCriticalAreasScan}. */
export interface CriticalAreasOptions {
  /** The task's compiled IOCs; absent: no IOC check (antivirus and heuristics only). */
  readonly plan?: EvaluationPlan;
  /** The host's `/` on this machine; default "/" (this computer). Processes need the live host. */
  readonly root?: string;
  /** Areas to scan; default all. */
  readonly areas?: readonly CriticalArea[];
  /** Use an antivirus engine when one is installed (default true). */
  readonly antivirus?: boolean;
  /**
   * clamd's unix socket. Undefined: the `LocalSocket` of this machine's /etc/clamav/clamd.conf,
   * used when clamd answers there; null: never clamd, only clamscan.
   */
  readonly clamdSocket?: string | null;
  /** clamscan's database folder (`clamscan -d`); default /var/lib/clamav. */
  readonly clamavDatabase?: string;
  /** The clamscan program; default `clamscan` on PATH. */
  readonly clamscanPath?: string;
  /** Also flag running processes whose executable is under /tmp, /var/tmp or /dev/shm (default true). */
  readonly executableInTmp?: boolean;
  /** Files checked per area at most (default 5000); the rest are counted in `filesOverLimit`. */
  readonly maxFilesPerArea?: number;
  /** Files larger than this are skipped with a `too-large` warning (default 128 MiB). */
  readonly maxFileBytes?: number;
  /** Wall-clock budget of the whole scan in ms (default 15 minutes); past it, what is left is skipped with a warning. */
  readonly timeBudgetMs?: number;
  /** Warnings kept in the result; the rest are counted (default 1000). */
  readonly maxWarnings?: number;
  /** Digests of unchanged files from earlier scans. */
  readonly hashCache?: HashCache;
  /** The ProcessItem, ModuleItem, ServiceItem and TaskItem collectors (default: the registry's); for tests. */
  readonly collectors?: readonly Collector<unknown>[];
  readonly signal?: AbortSignal;
}

/** What {@link runCriticalAreasScan} returns: a linked section of the scan report. */
export interface CriticalAreasResult {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly root: string;
  readonly findings: CriticalAreaFinding[];
  /** IOC detections in the report's shape (DESIGN.md section 5), objects from the areas only. */
  readonly detections: ReportDetection[];
  readonly areasScanned: AreaSummary[];
  readonly antivirus: AntivirusStatus;
  readonly warnings: ReportWarning[];
  readonly stats: Record<string, number>;
}
