/**
 * The schema migrations of the results database, as code: one list that Kysely's `Migrator` runs
 * on SQLite and on PostgreSQL alike. No folder is globbed, so the migrations work from `dist`
 * and from a bundle.
 *
 * Rules for a new migration: append it under a name that sorts after the last one (the Migrator
 * refuses to run migrations out of order); never edit a published one; use only column types and
 * statements both dialects accept (see schema.ts); no `ifNotExists`, because each driver holds a
 * lock while migrating (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: Kysely's advisory lock), and a
 * re-run should fail loudly rather than pass silently.
 *
 * @module
 */
import type { Kysely, Migration, MigrationProvider } from "kysely";

/** 0001: scans and their detected objects. */
const createResultsTables: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("scans")
      .addColumn("id", "text", (col) => col.primaryKey())
      .addColumn("host", "text", (col) => col.notNull())
      .addColumn("started_at", "text", (col) => col.notNull())
      .addColumn("finished_at", "text", (col) => col.notNull())
      .addColumn("saved_at", "text", (col) => col.notNull())
      .addColumn("source_kind", "text", (col) => col.notNull())
      .addColumn("source_file", "text")
      .addColumn("ioc_count", "integer", (col) => col.notNull())
      .addColumn("detection_count", "integer", (col) => col.notNull())
      .addColumn("warning_count", "integer", (col) => col.notNull())
      .addColumn("status", "text", (col) => col.notNull())
      .addColumn("report", "text", (col) => col.notNull())
      .execute();
    // Listing (newest first) and retention (oldest first) both walk this index.
    await db.schema.createIndex("scans_started_at").on("scans").columns(["started_at", "id"]).execute();
    await db.schema.createIndex("scans_host").on("scans").column("host").execute();

    await db.schema
      .createTable("detections")
      .addColumn("scan_id", "text", (col) => col.notNull().references("scans.id").onDelete("cascade"))
      .addColumn("detection_index", "integer", (col) => col.notNull())
      .addColumn("object_index", "integer", (col) => col.notNull())
      .addColumn("ioc_id", "text", (col) => col.notNull())
      .addColumn("ioc_title", "text", (col) => col.notNull())
      .addColumn("document", "text")
      .addColumn("object_id", "text")
      .addColumn("actionable", "integer", (col) => col.notNull())
      // A natural key rather than an autoincrement id: SQLite's AUTOINCREMENT and PostgreSQL's
      // identity columns are spelled differently, and this key also makes a re-save idempotent.
      .addPrimaryKeyConstraint("detections_pk", ["scan_id", "detection_index", "object_index"])
      .execute();
    await db.schema.createIndex("detections_ioc_id").on("detections").column("ioc_id").execute();
    await db.schema.createIndex("detections_object").on("detections").columns(["document", "object_id"]).execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable("detections").execute();
    await db.schema.dropTable("scans").execute();
  },
};

/** Every migration, by name; the names sort in the order they must run. */
export const RESULTS_MIGRATIONS: Readonly<Record<string, Migration>> = {
  "0001_results_tables": createResultsTables,
};

/** The provider handed to Kysely's `Migrator`. */
export const resultsMigrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...RESULTS_MIGRATIONS }),
};
