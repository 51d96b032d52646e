/**
 * The migrations of the fleet tables, as code, run by Kysely's `Migrator` on SQLite and on
 * PostgreSQL alike (the rules of ../migrations.ts hold: append only, types both dialects accept).
 * They keep their own migration table, so the fleet and the results tables may share a database.
 *
 * @module
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from "kysely";

/** The id of the group every tree hangs from; it cannot be deleted. */
export const ROOT_GROUP_ID = "root";

/** Kysely's bookkeeping tables for these migrations. */
export const FLEET_MIGRATION_TABLES = { migrationTableName: "fleet_migration", migrationLockTableName: "fleet_migration_lock" } as const;

const createFleetTables: Migration = {
  // Kysely<any>: migrations are frozen code and must not follow later changes of the typed schema.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>): Promise<void> {
    const s = db.schema;
    await s
      .createTable("users")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull().unique())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("password_hash", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await s
      .createTable("sessions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("user_id", "text", (c) => c.notNull())
      .addColumn("csrf_token", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("expires_at", "text", (c) => c.notNull())
      .execute();
    await s.createIndex("sessions_user").on("sessions").column("user_id").execute();
    await s
      .createTable("login_attempts")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .execute();
    await s.createIndex("login_attempts_key").on("login_attempts").columns(["key", "at"]).execute();
    await s
      .createTable("device_groups")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("parent_id", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await db.insertInto("device_groups").values({ id: ROOT_GROUP_ID, name: "All devices", parent_id: null, created_at: "1970-01-01T00:00:00.000Z" }).execute();
    await s
      .createTable("devices")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("hostname", "text", (c) => c.notNull())
      .addColumn("os", "text", (c) => c.notNull())
      .addColumn("agent_version", "text", (c) => c.notNull())
      .addColumn("group_id", "text", (c) => c.notNull())
      .addColumn("credential_hash", "text", (c) => c.notNull())
      .addColumn("enrolled_at", "text", (c) => c.notNull())
      .addColumn("last_seen_at", "text", (c) => c.notNull())
      .addColumn("queued_results", "integer", (c) => c.notNull())
      .addColumn("active_runs", "text", (c) => c.notNull())
      .execute();
    await s.createIndex("devices_group").on("devices").column("group_id").execute();
    await s
      .createTable("enrollment_tokens")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("group_id", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("expires_at", "text", (c) => c.notNull())
      .addColumn("revoked", "integer", (c) => c.notNull())
      .addColumn("uses", "integer", (c) => c.notNull())
      .execute();
    await s
      .createTable("ioc_files")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("sha256", "text", (c) => c.notNull())
      .addColumn("size", "integer", (c) => c.notNull())
      // bytea: PostgreSQL's byte string; SQLite stores a bound Buffer as a blob whatever the type name.
      .addColumn("content", "bytea", (c) => c.notNull())
      .addColumn("uploaded_at", "text", (c) => c.notNull())
      .addColumn("uploaded_by", "text", (c) => c.notNull())
      .addColumn("usable", "integer", (c) => c.notNull())
      .addColumn("generated", "integer", (c) => c.notNull())
      .addColumn("ioc_id", "text", (c) => c.notNull())
      .addColumn("title", "text", (c) => c.notNull())
      .addColumn("openioc_version", "text")
      .addColumn("items", "integer", (c) => c.notNull())
      .addColumn("supported_items", "integer", (c) => c.notNull())
      .addColumn("diagnostics", "text", (c) => c.notNull())
      .execute();
    await s
      .createTable("tasks")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("target_kind", "text", (c) => c.notNull())
      .addColumn("target_group_id", "text")
      .addColumn("settings", "text", (c) => c.notNull())
      .addColumn("run_mode", "text", (c) => c.notNull())
      .addColumn("run_window", "text")
      .addColumn("standalone", "integer", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("delete_after", "text")
      .execute();
    await s.createIndex("tasks_delete_after").on("tasks").column("delete_after").execute();
    await s
      .createTable("task_targets")
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("device_id", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("task_targets_pk", ["task_id", "device_id"])
      .execute();
    await s
      .createTable("task_ioc_files")
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("ioc_file_id", "text", (c) => c.notNull())
      .addColumn("position", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("task_ioc_files_pk", ["task_id", "ioc_file_id"])
      .execute();
    await s.createIndex("task_ioc_files_file").on("task_ioc_files").column("ioc_file_id").execute();
    await s
      .createTable("task_runs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("device_id", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("percent", "real", (c) => c.notNull())
      .addColumn("detail", "text")
      .addColumn("reason", "text")
      .addColumn("started_at", "text")
      .addColumn("finished_at", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("current", "integer", (c) => c.notNull())
      .addColumn("pending_order", "text")
      .addColumn("order_sent_at", "text")
      .addColumn("result_digest", "text")
      .addColumn("detection_count", "integer", (c) => c.notNull())
      .execute();
    await s.createIndex("task_runs_task").on("task_runs").columns(["task_id", "current"]).execute();
    await s.createIndex("task_runs_device_order").on("task_runs").columns(["device_id", "pending_order"]).execute();
    await s.createIndex("task_runs_finished").on("task_runs").column("finished_at").execute();
    await s
      .createTable("run_detections")
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("ioc_id", "text", (c) => c.notNull())
      .addColumn("document", "text", (c) => c.notNull())
      .addColumn("object_id", "text", (c) => c.notNull())
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("device_id", "text", (c) => c.notNull())
      .addColumn("ioc_title", "text", (c) => c.notNull())
      .addColumn("ioc_file", "text", (c) => c.notNull())
      .addColumn("actionable", "integer", (c) => c.notNull())
      .addColumn("matched_items", "text", (c) => c.notNull())
      .addColumn("fields", "text", (c) => c.notNull())
      .addColumn("actions", "text", (c) => c.notNull())
      .addColumn("found_at", "text", (c) => c.notNull())
      // The idempotency key of an upload (agent-protocol.ts): a retried result never duplicates.
      .addPrimaryKeyConstraint("run_detections_pk", ["run_id", "ioc_id", "document", "object_id"])
      .execute();
    await s.createIndex("run_detections_task").on("run_detections").columns(["task_id", "found_at"]).execute();
    await s.createIndex("run_detections_device").on("run_detections").columns(["device_id", "found_at"]).execute();
    await s.createIndex("run_detections_ioc").on("run_detections").column("ioc_id").execute();
    await s
      .createTable("quarantine_entries")
      .addColumn("device_id", "text", (c) => c.notNull())
      .addColumn("quarantine_id", "text", (c) => c.notNull())
      .addColumn("original_path", "text", (c) => c.notNull())
      .addColumn("sha256", "text", (c) => c.notNull())
      .addColumn("size", "integer", (c) => c.notNull())
      .addColumn("quarantined_at", "text", (c) => c.notNull())
      .addColumn("scan_id", "text")
      .addColumn("ioc_id", "text")
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("reported_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("quarantine_entries_pk", ["device_id", "quarantine_id"])
      .execute();
    await s
      .createTable("agent_commands")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("device_id", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("quarantine_id", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("detail", "text")
      .addColumn("sent_at", "text")
      .addColumn("finished_at", "text")
      .execute();
    await s.createIndex("agent_commands_device").on("agent_commands").columns(["device_id", "status"]).execute();
    await s
      .createTable("audit_log")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("target", "text", (c) => c.notNull())
      .addColumn("details", "text", (c) => c.notNull())
      .execute();
    await s.createIndex("audit_log_at").on("audit_log").columns(["at", "id"]).execute();
    await s
      .createTable("settings")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .execute();
    await s
      .createTable("job_runs")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("last_run_at", "text", (c) => c.notNull())
      .execute();
  },
};

/** 0002: at most one current run per task and device, so that concurrent polls adding a device to a group task cannot make two. */
const oneCurrentRun: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createIndex("task_runs_one_current").on("task_runs").columns(["task_id", "device_id"]).unique().where(sql.ref("current"), "=", 1).execute();
  },
};

/** 0003: the sandbox intake (issue 9): integration tokens, received detections, de-duplication keys, and a task's origin. */
const sandboxIntake: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>): Promise<void> {
    const s = db.schema;
    await s.alterTable("tasks").addColumn("origin", "text").execute();
    await s
      .createTable("sandbox_tokens")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("created_by", "text", (c) => c.notNull())
      .addColumn("revoked", "integer", (c) => c.notNull())
      .addColumn("last_used_at", "text")
      .addColumn("uses", "integer", (c) => c.notNull())
      .execute();
    await s
      .createTable("sandbox_detections")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("received_at", "text", (c) => c.notNull())
      .addColumn("token_id", "text", (c) => c.notNull())
      .addColumn("format", "text")
      .addColumn("verdict", "text")
      .addColumn("score", "real")
      .addColumn("sample_name", "text")
      .addColumn("sample_md5", "text")
      .addColumn("sample_sha1", "text")
      .addColumn("sample_sha256", "text")
      .addColumn("report_id", "text")
      .addColumn("device_id", "text")
      .addColumn("hostname", "text")
      .addColumn("task_id", "text")
      .addColumn("reused", "integer", (c) => c.notNull())
      .addColumn("generated", "integer", (c) => c.notNull())
      .addColumn("reason", "text")
      .addColumn("items", "integer")
      .addColumn("dropped", "integer", (c) => c.notNull())
      .execute();
    await s.createIndex("sandbox_detections_received").on("sandbox_detections").columns(["received_at", "id"]).execute();
    await s.createIndex("sandbox_detections_task").on("sandbox_detections").column("task_id").execute();
    await s
      .createTable("standalone_task_keys")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("task_id", "text")
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
  },
};

/** Every fleet migration, by name; the names sort in the order they must run. */
export const FLEET_MIGRATIONS: Readonly<Record<string, Migration>> = {
  "0001_fleet_tables": createFleetTables,
  "0002_one_current_run": oneCurrentRun,
  "0003_sandbox_intake": sandboxIntake,
};

/** The provider handed to Kysely's `Migrator`. */
export const fleetMigrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...FLEET_MIGRATIONS }),
};
