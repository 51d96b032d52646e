/**
 * The fleet tables of the management server as Kysely sees them. The column rules of
 * ../schema.ts hold here too (one query layer for SQLite and PostgreSQL): times are ISO-8601
 * UTC text in `toISOString` form, booleans are 0/1 integers, JSON is `text`, ids are random
 * UUID text (no autoincrement, which the two dialects spell differently).
 *
 * @module
 */

export interface UsersTable {
  id: string;
  name: string;
  role: string;
  password_hash: string;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  /** SHA-256 of the cookie's token: a stolen database does not yield live sessions. */
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface LoginAttemptsTable {
  id: string;
  /** `<user name>|<client address>`. */
  key: string;
  at: string;
}

export interface DeviceGroupsTable {
  id: string;
  name: string;
  parent_id: string | null;
  created_at: string;
}

export interface DevicesTable {
  id: string;
  hostname: string;
  os: string;
  agent_version: string;
  group_id: string;
  credential_hash: string;
  enrolled_at: string;
  last_seen_at: string;
  queued_results: number;
  /** JSON array of run ids the agent said it holds. */
  active_runs: string;
}

export interface EnrollmentTokensTable {
  id: string;
  token_hash: string;
  group_id: string;
  created_at: string;
  created_by: string;
  expires_at: string;
  revoked: number;
  uses: number;
}

export interface IocFilesTable {
  id: string;
  name: string;
  sha256: string;
  size: number;
  content: Uint8Array;
  uploaded_at: string;
  uploaded_by: string;
  usable: number;
  /** 1 for the IOC file of a stand-alone task (generated, never uploaded). */
  generated: number;
  ioc_id: string;
  title: string;
  openioc_version: string | null;
  items: number;
  supported_items: number;
  /** JSON array of diagnostics. */
  diagnostics: string;
}

export interface TasksTable {
  id: string;
  name: string;
  target_kind: string;
  target_group_id: string | null;
  /** JSON `TaskSettings`. */
  settings: string;
  run_mode: string;
  /** `hh:mm-hh:mm` for run mode `window`. */
  run_window: string | null;
  standalone: number;
  state: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  delete_after: string | null;
  /** JSON `TaskOrigin` (where a stand-alone task came from), null for tasks people made. */
  origin: string | null;
}

export interface TaskTargetsTable {
  task_id: string;
  device_id: string;
}

export interface TaskIocFilesTable {
  task_id: string;
  ioc_file_id: string;
  position: number;
}

export interface TaskRunsTable {
  id: string;
  task_id: string;
  device_id: string;
  state: string;
  percent: number;
  detail: string | null;
  reason: string | null;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
  updated_at: string;
  /** 1 for the newest run of its (task, device); a re-run makes the older one 0. */
  current: number;
  /** The order the agent has not acknowledged yet: start, pause, resume, stop; null when none. */
  pending_order: string | null;
  /** When the order was last handed to a poll: it is handed again only after a lease. */
  order_sent_at: string | null;
  /** SHA-256 of the stored result, so that a retried upload is recognised. */
  result_digest: string | null;
  detection_count: number;
}

export interface RunDetectionsTable {
  run_id: string;
  ioc_id: string;
  /** '' for a detection that lists no object. */
  document: string;
  object_id: string;
  task_id: string;
  device_id: string;
  ioc_title: string;
  ioc_file: string;
  actionable: number;
  matched_items: string;
  fields: string;
  actions: string;
  found_at: string;
}

export interface QuarantineEntriesTable {
  device_id: string;
  quarantine_id: string;
  original_path: string;
  sha256: string;
  size: number;
  quarantined_at: string;
  scan_id: string | null;
  ioc_id: string | null;
  state: string;
  reported_at: string;
}

export interface AgentCommandsTable {
  id: string;
  device_id: string;
  kind: string;
  quarantine_id: string;
  created_at: string;
  created_by: string;
  status: string;
  detail: string | null;
  sent_at: string | null;
  finished_at: string | null;
}

export interface AuditLogTable {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface JobRunsTable {
  name: string;
  last_run_at: string;
}

export interface SandboxTokensTable {
  id: string;
  name: string;
  /** SHA-256 of the token: a stolen database does not yield working tokens. */
  token_hash: string;
  created_at: string;
  created_by: string;
  revoked: number;
  last_used_at: string | null;
  uses: number;
}

export interface SandboxDetectionsTable {
  id: string;
  received_at: string;
  token_id: string;
  /** Null when the body was not a report of any known format. */
  format: string | null;
  verdict: string | null;
  score: number | null;
  sample_name: string | null;
  sample_md5: string | null;
  sample_sha1: string | null;
  sample_sha256: string | null;
  report_id: string | null;
  device_id: string | null;
  hostname: string | null;
  /** The stand-alone task created or reused for it; null when no IOC was generated. */
  task_id: string | null;
  reused: number;
  generated: number;
  /** Why no IOC was generated or no task made. */
  reason: string | null;
  items: number | null;
  dropped: number;
}

/**
 * One row per de-duplication key (target group + sample hash): the row that concurrent intakes
 * of the same sample lock, and the task they reuse.
 */
export interface StandaloneTaskKeysTable {
  key: string;
  task_id: string | null;
  updated_at: string;
}

/** The fleet database as the query layer types it. */
export interface FleetDatabase {
  users: UsersTable;
  sessions: SessionsTable;
  login_attempts: LoginAttemptsTable;
  device_groups: DeviceGroupsTable;
  devices: DevicesTable;
  enrollment_tokens: EnrollmentTokensTable;
  ioc_files: IocFilesTable;
  tasks: TasksTable;
  task_targets: TaskTargetsTable;
  task_ioc_files: TaskIocFilesTable;
  task_runs: TaskRunsTable;
  run_detections: RunDetectionsTable;
  quarantine_entries: QuarantineEntriesTable;
  agent_commands: AgentCommandsTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
  job_runs: JobRunsTable;
  sandbox_tokens: SandboxTokensTable;
  sandbox_detections: SandboxDetectionsTable;
  standalone_task_keys: StandaloneTaskKeysTable;
}
