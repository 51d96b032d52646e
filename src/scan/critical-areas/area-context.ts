/**
 * What every area scanner shares: the host view, the limits, the warning sink, the counters,
 * and the list of area objects (files and byte sources) that the IOCs and the antivirus engine
 * check afterwards.
 *
 * @module
 */
import type { CollectorContext, CollectorWarning, HostView } from "../../collectors/types.js";
import type { ReportWarning } from "../../core/report/index.js";
import type { CriticalArea, CriticalAreaFinding } from "./types.js";

/**
 * One thing to check with the IOCs and the antivirus engine.
 * - `file`: a regular file of the host view (its real path, links resolved inside the image).
 * - `open`: a path this machine opens that is not a plain file of the host: `/proc/PID/exe` of a
 *   deleted executable, `/proc/PID/map_files/...` of a deleted mapping.
 * - `bytes`: bytes already read, e.g. the first 64 KiB of a disk.
 */
export type AreaSource = { readonly kind: "file" } | { readonly kind: "open"; readonly disk: string } | { readonly kind: "bytes"; readonly bytes: Buffer };

/**
 * An object of an area, identified as the report names it. Paths are held in memory form inside
 * (src/shared/path-text.ts: a byte that is not UTF-8 is U+DC80..U+DCFF) and written in text form
 * (`\xHH`): `id` and `reason` are text, `fullPath` is memory form.
 */
export interface AreaObject {
  readonly area: CriticalArea;
  /** FileItem id in text form (`pathText`), as the FileItem collector writes it: the host path, `/proc/PID/exe`, or `/dev/sda`. */
  readonly id: string;
  /**
   * The host path in memory form: for a `file` source the real path that is opened and hashed;
   * otherwise the path an IOC sees as FullPath (the deleted file's former path for `/proc/PID/exe`).
   */
  readonly fullPath: string;
  readonly source: AreaSource;
  /** Why it is in the area, in text form ("executable of pid 42", "ExecStart of cron.service"). */
  readonly reason: string;
}

/** Keeps the first warnings, counts the rest. */
export class WarningSink {
  readonly kept: ReportWarning[] = [];
  total = 0;
  private readonly dropped = new Map<string, number>();

  constructor(private readonly limit: number) {}

  add(warning: CollectorWarning, prefix?: string): void {
    this.total++;
    if (this.kept.length < this.limit) {
      this.kept.push({ code: warning.code, message: prefix === undefined ? warning.message : `${prefix}: ${warning.message}`, ...(warning.path !== undefined ? { path: warning.path } : {}) });
    } else {
      this.dropped.set(warning.code, (this.dropped.get(warning.code) ?? 0) + 1);
    }
  }

  all(): ReportWarning[] {
    return [...this.kept, ...[...this.dropped].map(([code, count]) => ({ code, message: `${count} more "${code}" warnings not listed` }))];
  }
}

/** The scan's shared state, handed to each area scanner. */
export class AreaContext {
  readonly stats: Record<string, number> = {};
  readonly findings: CriticalAreaFinding[] = [];
  /** Area objects by id, first area wins. */
  readonly objects = new Map<string, AreaObject>();
  /** Per area: files added and files refused by the limit. */
  readonly perArea = new Map<CriticalArea, { files: number; overLimit: number; objects: number; note?: string }>();
  /** Aborted when the caller cancels or the time budget is spent: collectors stop soon after. */
  readonly signal: AbortSignal;
  private readonly deadline: number;
  private budgetWarned = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly host: HostView,
    readonly warnings: WarningSink,
    readonly limits: { readonly maxFilesPerArea: number; readonly maxFileBytes: number; readonly timeBudgetMs: number },
    outer: AbortSignal | undefined,
  ) {
    this.deadline = Date.now() + limits.timeBudgetMs;
    const controller = new AbortController();
    this.timer = setTimeout(() => controller.abort(), Math.min(limits.timeBudgetMs, 2 ** 31 - 1));
    this.timer.unref();
    if (outer?.aborted === true) controller.abort();
    else outer?.addEventListener("abort", () => controller.abort(), { once: true });
    this.signal = controller.signal;
  }

  /** Stops the budget's timer. */
  dispose(): void {
    clearTimeout(this.timer);
  }

  count(stat: string, by = 1): void {
    this.stats[stat] = (this.stats[stat] ?? 0) + by;
  }

  warn(warning: CollectorWarning): void {
    this.warnings.add(warning);
  }

  /** Milliseconds left of the time budget (0 when spent). */
  remainingMs(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  /** True when the scan must stop: cancelled, or the time budget is spent (warned once). */
  stopped(): boolean {
    if (Date.now() < this.deadline) return this.signal.aborted;
    if (!this.budgetWarned) {
      this.budgetWarned = true;
      this.warn({ code: "time-budget-exceeded", message: `the Critical Areas Scan's time budget of ${this.limits.timeBudgetMs} ms is spent: the rest was skipped` });
    }
    return true;
  }

  area(area: CriticalArea): { files: number; overLimit: number; objects: number; note?: string } {
    let entry = this.perArea.get(area);
    if (entry === undefined) {
      entry = { files: 0, overLimit: 0, objects: 0 };
      this.perArea.set(area, entry);
    }
    return entry;
  }

  /** Counts objects looked at in an area (processes, modules, disks, startup entries). */
  sawObjects(area: CriticalArea, by = 1): void {
    this.area(area).objects += by;
  }

  /** Adds an object to check; false when it was already there or the area's limit is reached. */
  addObject(object: AreaObject): boolean {
    if (this.objects.has(object.id)) return false;
    const entry = this.area(object.area);
    if (entry.files >= this.limits.maxFilesPerArea) {
      entry.overLimit++;
      return false;
    }
    entry.files++;
    this.objects.set(object.id, object);
    return true;
  }

  /** A heuristic's finding. */
  flag(finding: Omit<CriticalAreaFinding, "kind" | "actionable">): void {
    this.findings.push({ ...finding, kind: "heuristic", actionable: false });
    this.count("heuristicFindings");
  }

  /** A {@link CollectorContext} for the collectors and their shared readers. */
  collectorContext(fields: Iterable<string> = [], prefix?: string): CollectorContext {
    return {
      host: this.host,
      fields: new Set(fields),
      warn: (warning) => this.warnings.add(warning, prefix),
      count: (stat, by = 1) => this.count(stat, by),
      signal: this.signal,
    };
  }
}
