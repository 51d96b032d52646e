/**
 * `ResultsStore` on Kysely: every query of the store, written once for every dialect. A driver
 * supplies the Kysely instance and how to run a write transaction, which is where SQLite and
 * PostgreSQL differ.
 *
 * @module
 */
import type { Kysely } from "kysely";
import type { ScanReport } from "../core/report/index.js";
import { detectionRows, scanRow, toSummary } from "./_rows.js";
import { writeScan } from "./_write-scan.js";
import { daysBefore, requireStoredTime } from "./_time.js";
import type { StoreDatabase } from "./schema.js";
import {
  DEFAULT_RETENTION_DAYS,
  type DetectionRow,
  type FindDetectionsOptions,
  type ListScansOptions,
  type PurgeOptions,
  type ResultsStore,
  type SaveScanOptions,
  type SaveScanResult,
  type ScanSummary,
  type StoreOptions,
} from "./store.js";

/** What a driver gives the shared store. */
export interface StoreDriver {
  db: Kysely<StoreDatabase>;
  /**
   * Runs `work` in one write transaction on the returned handle and commits, or rolls back when
   * it throws. Drivers must make concurrent writers wait rather than fail.
   */
  writeTransaction<T>(work: (trx: Kysely<StoreDatabase>) => Promise<T>): Promise<T>;
}

// Scans deleted per purge transaction: a long purge never holds the write lock for long, and an
// interrupted one has still removed the oldest scans.
const PURGE_BATCH = 100;
const MAX_LIMIT = 1000;
const SUMMARY_COLUMNS = [
  "id",
  "host",
  "started_at",
  "finished_at",
  "source_kind",
  "source_file",
  "ioc_count",
  "detection_count",
  "warning_count",
  "status",
] as const;

/** Creates the dialect-independent store over `driver`. */
export function createKyselyStore(driver: StoreDriver, options: StoreOptions = {}): ResultsStore {
  const retentionDays = checkRetention(options.retentionDays ?? DEFAULT_RETENTION_DAYS);
  const now = options.now ?? (() => new Date());
  const { db } = driver;
  let closed: Promise<void> | undefined;

  async function saveScan(report: ScanReport, saveOptions: SaveScanOptions = {}): Promise<SaveScanResult> {
    const row = scanRow(report, saveOptions.status, requireStoredTime(now(), "the clock"));
    const detections = detectionRows(report);
    const days = checkRetention(saveOptions.retentionDays ?? retentionDays);
    await driver.writeTransaction((trx) => writeScan(trx, row, detections));
    const purged = days === 0 ? 0 : await purgeOlderThan(daysBefore(now(), days));
    return { summary: toSummary(row), purged };
  }

  async function listScans(list: ListScansOptions = {}): Promise<ScanSummary[]> {
    const { limit, offset } = checkPage(list.limit ?? 50, list.offset ?? 0);
    let query = db.selectFrom("scans").select(SUMMARY_COLUMNS);
    if (list.since !== undefined) query = query.where("started_at", ">=", requireStoredTime(list.since, "since"));
    const rows = await query.orderBy("started_at", "desc").orderBy("id", "desc").limit(limit).offset(offset).execute();
    return rows.map(toSummary);
  }

  async function getScan(id: string): Promise<ScanReport | undefined> {
    const row = await db.selectFrom("scans").select("report").where("id", "=", id).executeTakeFirst();
    return row === undefined ? undefined : (JSON.parse(row.report) as ScanReport);
  }

  async function getSummary(id: string): Promise<ScanSummary | undefined> {
    const row = await db.selectFrom("scans").select(SUMMARY_COLUMNS).where("id", "=", id).executeTakeFirst();
    return row === undefined ? undefined : toSummary(row);
  }

  async function findDetections(find: FindDetectionsOptions): Promise<DetectionRow[]> {
    const { limit, offset } = checkPage(find.limit ?? 50, find.offset ?? 0);
    const rows = await db
      .selectFrom("detections as d")
      .innerJoin("scans as s", "s.id", "d.scan_id")
      .select(["d.scan_id", "s.host", "s.started_at", "d.ioc_id", "d.ioc_title", "d.document", "d.object_id", "d.actionable"])
      .where("d.ioc_id", "=", find.iocId)
      .orderBy("s.started_at", "desc")
      .orderBy("s.id", "desc")
      .orderBy("d.detection_index")
      .orderBy("d.object_index")
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map((r) => ({
      scanId: r.scan_id,
      host: r.host,
      startedAt: r.started_at,
      iocId: r.ioc_id,
      iocTitle: r.ioc_title,
      document: r.document,
      objectId: r.object_id,
      actionable: Number(r.actionable) === 1,
    }));
  }

  async function deleteScan(id: string): Promise<boolean> {
    return (await driver.writeTransaction((trx) => deleteScanRows(trx, [id]))) > 0;
  }

  async function purgeOlderThan(date: Date | string, purge: PurgeOptions = {}): Promise<number> {
    const cutoff = requireStoredTime(date, "purge date");
    const limit = purge.limit ?? Number.POSITIVE_INFINITY;
    if (!(Number.isInteger(limit) || limit === Number.POSITIVE_INFINITY) || limit < 0) {
      throw new RangeError(`Cannot purge with limit "${limit}": expected a whole number, 0 or more`);
    }
    let deleted = 0;
    while (deleted < limit) {
      const batch = Math.min(PURGE_BATCH, limit - deleted);
      const count = await driver.writeTransaction(async (trx) => {
        const oldest = await trx
          .selectFrom("scans")
          .select("id")
          .where("started_at", "<", cutoff)
          .orderBy("started_at")
          .orderBy("id")
          .limit(batch)
          .execute();
        return oldest.length === 0 ? { seen: 0, gone: 0 } : { seen: oldest.length, gone: await deleteScanRows(trx, oldest.map((r) => r.id)) };
      });
      // `gone` can fall short of `seen` when another purger got there first: count only ours.
      deleted += count.gone;
      if (count.seen < batch) break;
    }
    return deleted;
  }

  function close(): Promise<void> {
    closed ??= db.destroy();
    return closed;
  }

  return { saveScan, listScans, getScan, getSummary, findDetections, deleteScan, purgeOlderThan, close };
}

/**
 * Deletes the scans rows first, so that on PostgreSQL their row locks order this after a
 * concurrent save of the same scan; then the detections explicitly, not only through ON DELETE
 * CASCADE, because SQLite enforces foreign keys only where a connection turns them on.
 */
async function deleteScanRows(trx: Kysely<StoreDatabase>, ids: readonly string[]): Promise<number> {
  const result = await trx.deleteFrom("scans").where("id", "in", ids).executeTakeFirst();
  await trx.deleteFrom("detections").where("scan_id", "in", ids).execute();
  return Number(result.numDeletedRows);
}

function checkRetention(days: number): number {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`Cannot use retention "${days}": expected a whole number of days, 0 or more`);
  return days;
}

function checkPage(limit: number, offset: number): { limit: number; offset: number } {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new RangeError(`Cannot list with limit "${limit}": expected 1 to ${MAX_LIMIT}`);
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`Cannot list with offset "${offset}": expected 0 or more`);
  return { limit, offset };
}
