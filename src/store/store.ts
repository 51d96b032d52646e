/**
 * The results database contract: what the CLI (`iocscan results`), the stand-alone scan and the
 * server depend on. Drivers (`sqlite/`, later `postgres/`) implement it on the same schema and
 * the same migrations, and must all pass `runStoreConformance`.
 *
 * @module
 */
import type { ScanReport } from "../core/report/index.js";

/**
 * How a recorded scan ended. The default is derived from the report: `finished-with-warnings`
 * when it carries warnings (something could not be read, so the scan is incomplete), else
 * `finished`. `failed` is only ever set by the caller, for a partial report of an aborted scan.
 */
export type ScanStatus = "finished" | "finished-with-warnings" | "failed";

/** Where a scan's records came from, as listed (the report keeps the full `source`). */
export type ScanSource = { kind: "live" } | { kind: "snapshot"; file: string };

/** One row of `listScans`: what a list of scans shows without loading the reports. */
export interface ScanSummary {
  id: string;
  host: string;
  /** ISO-8601 UTC with milliseconds (`2026-11-28T00:00:00.000Z`), normalised from the report. */
  startedAt: string;
  finishedAt: string;
  source: ScanSource;
  iocCount: number;
  detectionCount: number;
  warningCount: number;
  status: ScanStatus;
}

/** One detected object, for questions across scans such as "which hosts had IOC X". */
export interface DetectionRow {
  scanId: string;
  host: string;
  startedAt: string;
  iocId: string;
  iocTitle: string;
  /** Null for a detection that listed no object (all of them over the evidence limit). */
  document: string | null;
  objectId: string | null;
  actionable: boolean;
}

/** Options of `ResultsStore.saveScan`. */
export interface SaveScanOptions {
  /** Overrides the status derived from the report. */
  status?: ScanStatus;
  /** Overrides the store's retention for the purge that follows this save (0 = keep forever). */
  retentionDays?: number;
}

/** What `saveScan` did. */
export interface SaveScanResult {
  summary: ScanSummary;
  /** How many older scans the retention purge deleted. */
  purged: number;
}

/** Options of `ResultsStore.listScans`. Newest first; paging is stable for equal start times. */
export interface ListScansOptions {
  /** 1 to 1000; default 50. */
  limit?: number;
  offset?: number;
  /** Only scans started at or after this time. */
  since?: Date | string;
}

/** Options of `ResultsStore.findDetections`. Newest scan first. */
export interface FindDetectionsOptions {
  iocId: string;
  limit?: number;
  offset?: number;
}

/** Options of `ResultsStore.purgeOlderThan`. */
export interface PurgeOptions {
  /** Delete at most this many scans (the oldest); default all that are older. */
  limit?: number;
}

/** Options every driver's `open...Store` accepts. */
export interface StoreOptions {
  /** Scans older than this many days are deleted when a scan is saved; 0 keeps them; default 30. */
  retentionDays?: number;
  /** The clock, for retention; tests pass a fixed one. */
  now?: () => Date;
}

/** The default of `StoreOptions.retentionDays` (issue 4: results older than 30 days are deleted). */
export const DEFAULT_RETENTION_DAYS = 30;

/**
 * The results database. Every method is async so that a network database can implement it; a
 * store is safe to use from concurrent async callers, and several stores (or processes) may share
 * one database.
 */
export interface ResultsStore {
  /**
   * Records a finished scan, replacing any scan with the same `scanId` (a retried upload or a
   * second save keeps one copy), then deletes scans older than the retention, oldest first.
   * Rejects a report whose `startedAt` or `finishedAt` is not a date.
   */
  saveScan(report: ScanReport, options?: SaveScanOptions): Promise<SaveScanResult>;
  listScans(options?: ListScansOptions): Promise<ScanSummary[]>;
  /** The report exactly as saved, or undefined for an unknown id. */
  getScan(id: string): Promise<ScanReport | undefined>;
  /** The summary `listScans` would show for this scan, or undefined for an unknown id. */
  getSummary(id: string): Promise<ScanSummary | undefined>;
  findDetections(options: FindDetectionsOptions): Promise<DetectionRow[]>;
  /** True when the scan existed. */
  deleteScan(id: string): Promise<boolean>;
  /** Deletes scans started before `date`, oldest first; resolves to how many were deleted. */
  purgeOlderThan(date: Date | string, options?: PurgeOptions): Promise<number>;
  close(): Promise<void>;
}
