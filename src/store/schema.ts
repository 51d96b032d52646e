/**
 * The tables of the results database as Kysely sees them (the migrations create them). Column
 * types are chosen to be the same on SQLite and PostgreSQL, so one query layer serves both:
 *
 * - times are ISO-8601 UTC text in one fixed format (`toISOString`), whose text order is time
 *   order; `timestamptz` would come back as a `Date` from `pg` but as text from SQLite;
 * - booleans are integers 0/1, because better-sqlite3 cannot bind a JS boolean;
 * - counts are `integer` (int4), which `pg` returns as a number (int8 would come back as text);
 * - the report is `text`, not `jsonb`: jsonb reorders keys, and a report must round-trip exactly.
 *
 * @module
 */

/** One row per recorded scan: summary columns for listing, and the whole report. */
export interface ScansTable {
  id: string;
  host: string;
  started_at: string;
  finished_at: string;
  saved_at: string;
  source_kind: string;
  source_file: string | null;
  ioc_count: number;
  detection_count: number;
  warning_count: number;
  status: string;
  report: string;
}

/** One row per detected object (or per detection without a listed object). */
export interface DetectionsTable {
  scan_id: string;
  detection_index: number;
  object_index: number;
  ioc_id: string;
  ioc_title: string;
  document: string | null;
  object_id: string | null;
  actionable: number;
}

/** The database as the query layer types it. */
export interface StoreDatabase {
  scans: ScansTable;
  detections: DetectionsTable;
}
