/**
 * The write half of `saveScan`: one scan's rows, replacing any earlier save of the same scan.
 *
 * @module
 */
import type { Kysely } from "kysely";
import type { DetectionsTable, ScansTable, StoreDatabase } from "./schema.js";

// 8 columns x 500 rows = 4,000 bound parameters, well under SQLite's 32,766 and PostgreSQL's 65,535.
const INSERT_CHUNK_ROWS = 500;

/**
 * Writes `scan` and its detections inside the caller's transaction. Replace rather than skip: a
 * re-sent report (e.g. once its actions finished) wins, and the detections always match the
 * stored report. The scans row goes first: on PostgreSQL its row lock makes a concurrent save of
 * the same scan wait, and the statements after it then see that save's detections (READ
 * COMMITTED), so two saves of one scan never collide on the detections key.
 */
export async function writeScan(trx: Kysely<StoreDatabase>, scan: ScansTable, detections: readonly DetectionsTable[]): Promise<void> {
  await trx
    .insertInto("scans")
    .values(scan)
    .onConflict((oc) =>
      oc.column("id").doUpdateSet((eb) => ({
        host: eb.ref("excluded.host"),
        started_at: eb.ref("excluded.started_at"),
        finished_at: eb.ref("excluded.finished_at"),
        saved_at: eb.ref("excluded.saved_at"),
        source_kind: eb.ref("excluded.source_kind"),
        source_file: eb.ref("excluded.source_file"),
        ioc_count: eb.ref("excluded.ioc_count"),
        detection_count: eb.ref("excluded.detection_count"),
        warning_count: eb.ref("excluded.warning_count"),
        status: eb.ref("excluded.status"),
        report: eb.ref("excluded.report"),
      })),
    )
    .execute();
  await trx.deleteFrom("detections").where("scan_id", "=", scan.id).execute();
  for (let i = 0; i < detections.length; i += INSERT_CHUNK_ROWS) {
    await trx.insertInto("detections").values(detections.slice(i, i + INSERT_CHUNK_ROWS)).execute();
  }
}
