/**
 * The fleet database contract of the management server: users and sessions, device groups and
 * devices, enrollment, IOC files, tasks and their runs, detections, quarantine, agent commands,
 * the audit log and settings. Everything a server instance knows lives here, so several
 * instances can share one PostgreSQL (issue 11). Drivers: sqlite.ts and postgres.ts; both pass
 * `runFleetConformance`.
 *
 * Methods take and return plain values; a mutation that a person made takes an `actor` and writes
 * its audit entry in the same transaction.
 *
 * @module
 */
import { DEFAULT_TASK_SETTINGS, type RunState, type TaskSettings } from "../../core/api/index.js";
import type { ScanReport } from "../../core/report/index.js";

export type Role = "administrator" | "operator" | "viewer";
export type RunMode = "manual" | "immediately" | "window";
/** What the operator last asked of the task as a whole. */
export type TaskState = "created" | "started" | "paused" | "stopped";
export type RunOrderKind = "start" | "pause" | "resume" | "stop";

/** Who made a change, for the audit log: `user:<name>`, `device:<id>`, `system`. */
export type Actor = string;

export interface Page {
  limit?: number;
  offset?: number;
}

export interface User {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
}

export interface UserWithHash extends User {
  passwordHash: string;
}

export interface Session {
  id: string;
  userId: string;
  csrfToken: string;
  expiresAt: string;
}

export interface DeviceGroup {
  id: string;
  name: string;
  parentId: string | null;
  createdAt: string;
}

export interface FleetCounts {
  devices: number;
  devicesOnline: number;
  /** Current runs (not the history of re-runs) by state. */
  runsByState: Record<string, number>;
}

export interface Device {
  id: string;
  hostname: string;
  os: string;
  agentVersion: string;
  groupId: string;
  enrolledAt: string;
  lastSeenAt: string;
  queuedResults: number;
  activeRuns: string[];
}

export interface EnrollmentToken {
  id: string;
  groupId: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
  revoked: boolean;
  uses: number;
}

export interface IocDiagnosticRecord {
  code: string;
  severity: "error" | "warning" | "info";
  message: string;
  line: number;
  column: number;
}

/** What the server found when it checked an IOC file. */
export interface IocValidation {
  usable: boolean;
  iocId: string;
  title: string;
  openiocVersion: string | null;
  items: number;
  supportedItems: number;
  diagnostics: IocDiagnosticRecord[];
}

export interface IocFile extends IocValidation {
  id: string;
  name: string;
  sha256: string;
  size: number;
  uploadedAt: string;
  uploadedBy: string;
  generated: boolean;
}

/** An IOC file to store: its bytes and what the server's validation found. */
export interface NewIocFile {
  name: string;
  content: Uint8Array;
  sha256: string;
  validation: IocValidation;
  /** True for the generated file of a stand-alone task. */
  generated?: boolean;
}

export type TaskTarget = { kind: "group"; groupId: string } | { kind: "devices"; deviceIds: string[] };

export interface NewTask {
  name: string;
  target: TaskTarget;
  iocFileIds: string[];
  settings: TaskSettings;
  runMode: RunMode;
  /** `hh:mm-hh:mm`, for run mode `window`. */
  window?: string;
  standalone?: boolean;
  /** Where a stand-alone task came from. */
  origin?: TaskOrigin;
}

/**
 * Where a stand-alone task came from, for the console: the sandbox detection that made it. The
 * store keeps it as given; the intake fills it from the report summary (src/formats/sandbox).
 */
export interface TaskOrigin {
  kind: "sandbox";
  sample: { name?: string; md5?: string; sha1?: string; sha256?: string; size?: number };
  verdict: string;
  format: string;
  score?: number;
  reportId?: string;
  detectedOn?: { deviceId?: string; hostname?: string };
}

export type RunCounts = Record<RunState, number>;

export interface Task {
  id: string;
  name: string;
  target: TaskTarget;
  iocFileIds: string[];
  settings: TaskSettings;
  runMode: RunMode;
  window: string | null;
  standalone: boolean;
  state: TaskState;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  deleteAfter: string | null;
  origin: TaskOrigin | null;
  /** Current runs (the newest per device) by state. */
  counts: RunCounts;
  /** Mean percent of the current runs; final runs count as 100. */
  progress: number;
}

export interface TaskRun {
  id: string;
  taskId: string;
  deviceId: string;
  hostname: string;
  state: RunState;
  percent: number;
  detail: string | null;
  reason: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  current: boolean;
  pendingOrder: RunOrderKind | null;
  detectionCount: number;
}

/** A run order handed to a device by `claimWork`. */
export interface ClaimedRun {
  runId: string;
  taskId: string;
  taskName: string;
  order: RunOrderKind;
  settings: TaskSettings;
  iocFiles: { id: string; name: string; sha256: string }[];
}

export interface AgentCommandRecord {
  id: string;
  deviceId: string;
  kind: "quarantine-restore" | "quarantine-delete";
  quarantineId: string;
  createdAt: string;
  createdBy: string;
  status: "pending" | "done" | "failed";
  detail: string | null;
  finishedAt: string | null;
}

export interface QuarantineEntry {
  deviceId: string;
  quarantineId: string;
  originalPath: string;
  sha256: string;
  size: number;
  quarantinedAt: string;
  scanId: string | null;
  iocId: string | null;
  state: "quarantined" | "restored";
  reportedAt: string;
}

export interface Detection {
  runId: string;
  taskId: string;
  deviceId: string;
  hostname: string;
  iocId: string;
  iocTitle: string;
  iocFile: string;
  document: string;
  objectId: string;
  actionable: boolean;
  matchedItems: string[];
  fields: Record<string, unknown>;
  actions: unknown[];
  foundAt: string;
}

/** Audit entries whose actor contains `actor` and whose action starts with `action` (both case-insensitive). */
export interface FindAudit extends Page {
  actor?: string;
  action?: string;
}

export interface FindDetections extends Page {
  taskId?: string;
  deviceId?: string;
  iocId?: string;
  sort?: "foundAt" | "iocId" | "hostname";
  order?: "asc" | "desc";
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: unknown;
}

export interface FleetSettings {
  /** Days runs and detections are kept after they finish. */
  resultRetentionDays: number;
  /** Days after creation a stand-alone task is deleted. */
  standaloneTaskDays: number;
}

export const DEFAULT_FLEET_SETTINGS: FleetSettings = { resultRetentionDays: 30, standaloneTaskDays: 30 };

export interface ListDevices extends Page {
  groupId?: string;
  /** Include devices of subgroups of `groupId`. */
  recursive?: boolean;
  /** Substring of the host name, case-insensitive. */
  search?: string;
}

export interface RunResultInput {
  state: "finished" | "finished-with-warning" | "failed" | "stopped";
  reason?: string;
  startedAt: string;
  finishedAt: string;
  report?: ScanReport;
  /** Of the whole posted body: a retry of the same body is recognised. */
  digest: string;
}

/** A sandbox integration token (its secret is shown once, at creation, and stored hashed). */
export interface SandboxToken {
  id: string;
  name: string;
  createdAt: string;
  createdBy: string;
  revoked: boolean;
  lastUsedAt: string | null;
  uses: number;
}

/** How the server answers a sandbox detection (`/sandbox/policy`). */
export interface SandboxPolicy {
  /** The group the stand-alone task targets: the detecting device's group, or a fixed group. */
  target: { kind: "device-group" } | { kind: "group"; groupId: string };
  settings: TaskSettings;
  runMode: RunMode;
  /** `hh:mm-hh:mm` for run mode `window`, else null. */
  window: string | null;
  /** Detections of the same sample for the same group within this many hours reuse the task. */
  dedupHours: number;
}

/** Report only, run at once on the detecting device's group, one task per sample and group per 24 h. */
export const DEFAULT_SANDBOX_POLICY: SandboxPolicy = {
  target: { kind: "device-group" },
  settings: DEFAULT_TASK_SETTINGS,
  runMode: "immediately",
  window: null,
  dedupHours: 24,
};

/** A detection a sandbox posted, as recorded whatever came of it. */
export interface SandboxDetection {
  id: string;
  receivedAt: string;
  tokenId: string;
  format: string | null;
  verdict: string | null;
  score: number | null;
  sample: { name: string | null; md5: string | null; sha1: string | null; sha256: string | null };
  reportId: string | null;
  deviceId: string | null;
  hostname: string | null;
  taskId: string | null;
  reused: boolean;
  generated: boolean;
  reason: string | null;
  items: number | null;
  dropped: number;
}

export type NewSandboxDetection = Omit<SandboxDetection, "id" | "receivedAt">;

/** What `createStandaloneTaskOnce` creates unless a task of the same key is reused. */
export interface StandaloneTaskOnce {
  /** The de-duplication key, e.g. `<groupId>|sha256:<hex>`. */
  key: string;
  /** A task of this key created at or after this time is reused. */
  since: string;
  iocFile: Omit<NewIocFile, "generated">;
  /** The task; its `iocFileIds` are replaced by the stored file's id, `standalone` is forced. */
  task: Omit<NewTask, "iocFileIds" | "standalone">;
}

/** Why a run operation was refused. */
export type RunAccess = "ok" | "not-found" | "forbidden";

export interface FleetStore {
  readonly dialect: "sqlite" | "postgres";
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;

  // users and sessions
  countAdministrators(): Promise<number>;
  createUser(input: { name: string; role: Role; passwordHash: string }, actor: Actor): Promise<User>;
  listUsers(): Promise<User[]>;
  getUser(id: string): Promise<User | undefined>;
  findUserByName(name: string): Promise<UserWithHash | undefined>;
  /** Throws {@link LastAdministratorError} rather than leave no administrator. */
  updateUser(id: string, change: { role?: Role; passwordHash?: string }, actor: Actor): Promise<User | undefined>;
  /** Throws {@link LastAdministratorError} rather than leave no administrator. */
  deleteUser(id: string, actor: Actor): Promise<boolean>;
  createSession(session: Session): Promise<void>;
  getSession(id: string): Promise<(Session & { user: User }) | undefined>;
  deleteSession(id: string): Promise<void>;
  /** Records a failed (or, until it is decided, an attempted) login for `key`; resolves to its id. */
  recordLoginFailure(key: string): Promise<string>;
  /** Forgets the attempt `id` recorded: one that was refused without being tried. */
  forgetLoginFailure(id: string): Promise<void>;
  /** Failed attempts for `key` at or after `since`, oldest first. */
  loginFailuresSince(key: string, since: string): Promise<string[]>;
  clearLoginFailures(key: string): Promise<void>;

  // groups and devices
  listGroups(): Promise<DeviceGroup[]>;
  getGroup(id: string): Promise<DeviceGroup | undefined>;
  createGroup(input: { name: string; parentId: string }, actor: Actor): Promise<DeviceGroup>;
  updateGroup(id: string, change: { name?: string; parentId?: string }, actor: Actor): Promise<DeviceGroup | undefined>;
  /** "not-empty" when it still holds groups or devices. */
  deleteGroup(id: string, actor: Actor): Promise<"deleted" | "not-found" | "not-empty">;
  /** `groupId` and every group below it. */
  groupSubtree(groupId: string): Promise<string[]>;
  listDevices(options?: ListDevices): Promise<{ devices: Device[]; total: number }>;
  getDevice(id: string): Promise<Device | undefined>;
  /** Devices whose host name is `hostname`, case-insensitive (several hosts may share one name; at most 100). */
  findDevicesByHostname(hostname: string): Promise<Device[]>;
  getDeviceCredentialHash(id: string): Promise<string | undefined>;
  moveDevice(id: string, groupId: string, actor: Actor): Promise<Device | undefined>;
  deleteDevice(id: string, actor: Actor): Promise<boolean>;
  recordHeartbeat(id: string, beat: { hostname: string; os: string; agentVersion: string; activeRuns: string[]; queuedResults: number }): Promise<void>;
  touchDevice(id: string): Promise<void>;

  // enrollment
  createEnrollmentToken(input: { tokenHash: string; groupId: string; expiresAt: string }, actor: Actor): Promise<EnrollmentToken>;
  listEnrollmentTokens(): Promise<EnrollmentToken[]>;
  revokeEnrollmentToken(id: string, actor: Actor): Promise<boolean>;
  /**
   * Enrolls a device with a valid token (known, not revoked, not expired); undefined when the
   * token is not valid.
   */
  enrollDevice(input: { tokenHash: string; deviceId: string; credentialHash: string; hostname: string; os: string; agentVersion: string }): Promise<Device | undefined>;

  // IOC files
  addIocFile(input: NewIocFile, actor: Actor): Promise<IocFile>;
  listIocFiles(): Promise<IocFile[]>;
  getIocFile(id: string): Promise<IocFile | undefined>;
  getIocFileContent(id: string): Promise<Uint8Array | undefined>;
  /** "in-use" when a task still refers to it. */
  deleteIocFile(id: string, actor: Actor): Promise<"deleted" | "not-found" | "in-use">;
  /** True when one of the device's runs uses the IOC file. */
  deviceMayReadIocFile(deviceId: string, iocFileId: string): Promise<boolean>;

  // tasks
  createTask(input: NewTask, actor: Actor): Promise<Task>;
  listTasks(options?: Page & { standalone?: boolean }): Promise<Task[]>;
  getTask(id: string): Promise<Task | undefined>;
  updateTask(id: string, change: { name?: string; settings?: TaskSettings; runMode?: RunMode; window?: string | null; iocFileIds?: string[] }, actor: Actor): Promise<Task | undefined>;
  deleteTask(id: string, actor: Actor): Promise<boolean>;
  /**
   * Starts the task: one new current run per target device (pending, or scheduled for a window
   * task), replacing earlier runs as current. Resolves to the affected device ids.
   */
  startTask(id: string, actor: Actor): Promise<string[] | undefined>;
  stopTask(id: string, actor: Actor): Promise<string[] | undefined>;
  pauseTask(id: string, actor: Actor): Promise<string[] | undefined>;
  resumeTask(id: string, actor: Actor): Promise<string[] | undefined>;
  /** New runs for the devices whose current run failed. */
  rerunFailed(id: string, actor: Actor): Promise<string[] | undefined>;
  listRuns(taskId: string, options?: Page & { state?: RunState }): Promise<TaskRun[]>;
  getRun(id: string): Promise<TaskRun | undefined>;

  // the agent side
  /**
   * Adds a run for every started group task whose group (or a subgroup) now holds the device and
   * that has no run for it yet (a device enrolled or moved into the group after the start).
   * Resolves to the number of runs added.
   */
  joinGroupTasks(deviceId: string): Promise<number>;
  /**
   * Hands the device its unacknowledged run orders and pending commands, each at most once per
   * `leaseMs` across every server instance (a lost answer is handed again after the lease).
   */
  claimWork(deviceId: string, leaseMs: number): Promise<{ runs: ClaimedRun[]; commands: AgentCommandRecord[] }>;
  runAccess(runId: string, deviceId: string): Promise<RunAccess>;
  recordProgress(runId: string, progress: { state: "running" | "paused"; percent: number; detail?: string; at: string }): Promise<void>;
  /** Stores a final result; `stored` is false when the same result had been stored already. */
  recordResult(runId: string, result: RunResultInput): Promise<{ stored: boolean; detections: number }>;
  replaceQuarantine(deviceId: string, entries: Omit<QuarantineEntry, "deviceId" | "reportedAt">[]): Promise<void>;
  listQuarantine(deviceId: string): Promise<QuarantineEntry[]>;
  createCommand(input: { deviceId: string; kind: AgentCommandRecord["kind"]; quarantineId: string }, actor: Actor): Promise<AgentCommandRecord>;
  listCommands(deviceId: string): Promise<AgentCommandRecord[]>;
  commandAccess(commandId: string, deviceId: string): Promise<RunAccess>;
  recordCommandResult(commandId: string, result: { status: "done" | "failed"; detail: string }): Promise<void>;

  // results
  findDetections(options?: FindDetections): Promise<{ detections: Detection[]; total: number }>;
  /** Detected objects found at or after `since`, per UTC day (`YYYY-MM-DD`), days with none left out, oldest first; counted in the database. */
  detectionsPerDay(since: string): Promise<{ day: string; count: number }[]>;

  // sandbox intake (issue 9)
  createSandboxToken(input: { name: string; tokenHash: string }, actor: Actor): Promise<SandboxToken>;
  listSandboxTokens(): Promise<SandboxToken[]>;
  revokeSandboxToken(id: string, actor: Actor): Promise<boolean>;
  /** The unrevoked token with this hash, its use counted; undefined otherwise. */
  useSandboxToken(tokenHash: string): Promise<SandboxToken | undefined>;
  getSandboxPolicy(): Promise<SandboxPolicy>;
  setSandboxPolicy(policy: SandboxPolicy, actor: Actor): Promise<SandboxPolicy>;
  /**
   * Reuses the stand-alone task made for `input.key` at or after `input.since` if it still
   * exists, else stores the generated IOC file and creates the task; one transaction that locks
   * the key's row, so concurrent calls with one key create one task.
   */
  createStandaloneTaskOnce(input: StandaloneTaskOnce, actor: Actor): Promise<{ task: Task; reused: boolean }>;
  recordSandboxDetection(input: NewSandboxDetection): Promise<SandboxDetection>;
  /** Deletes detections received before `before`; resolves to how many. */
  purgeSandboxDetectionsBefore(before: string): Promise<number>;
  /** Newest first. */
  listSandboxDetections(options?: Page & { taskId?: string }): Promise<{ detections: SandboxDetection[]; total: number }>;

  // audit and settings
  audit(entry: { actor: Actor; action: string; target: string; details?: unknown }): Promise<void>;
  listAudit(options?: FindAudit): Promise<{ entries: AuditEntry[]; total: number }>;
  getSettings(): Promise<FleetSettings>;
  updateSettings(change: Partial<FleetSettings>, actor: Actor): Promise<FleetSettings>;

  /**
   * Cluster-wide counts for the metrics endpoint: enrolled devices, devices seen at or after
   * `onlineSince`, and the current runs per state. One pass over devices and current runs.
   */
  fleetCounts(onlineSince: string): Promise<FleetCounts>;

  // periodic jobs
  /**
   * Runs `work` unless another instance is running the job `name` or ran it less than
   * `periodMs` ago; resolves to undefined when skipped.
   */
  runJob<T>(name: string, periodMs: number, work: () => Promise<T>): Promise<T | undefined>;
  /** Turns scheduled runs of window tasks whose window is open at `now` into pending ones. */
  openDueWindows(isOpen: (window: string) => boolean): Promise<string[]>;
  /** Deletes final runs (and their detections) finished before `before`, oldest first. */
  purgeRunsFinishedBefore(before: string): Promise<number>;
  /** Deletes stand-alone tasks whose `deleteAfter` is at or before `now`, with their runs and generated files. */
  purgeExpiredTasks(now: string): Promise<number>;
  purgeExpiredSessions(now: string): Promise<number>;

  close(): Promise<void>;
}

/**
 * A change of users refused because it would leave no administrator: checked in the change's own
 * transaction, with the administrators' rows locked, so two requests at once cannot each remove
 * one of the last two.
 */
export class LastAdministratorError extends Error {
  override readonly name = "LastAdministratorError";
}
