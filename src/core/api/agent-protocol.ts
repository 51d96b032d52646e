/**
 * The agent <-> server protocol (`/api/v1/agent/...`): the one contract `iocscan agent` and
 * `iocscan server` are built against. Schemas validate both directions: the server never trusts
 * an agent's body, the agent never trusts a server's answer.
 *
 * Authentication: `POST /enroll` takes an enrollment token and returns the device's credential;
 * every other call carries `Authorization: Bearer <deviceId>.<secret>`. A device can read only
 * its own runs and commands and write only its own results (403 otherwise).
 *
 * Endpoints (all JSON unless noted; errors are `{ error: { code, message, details? } }`):
 * - `POST /api/v1/agent/enroll`            {@link EnrollRequest} -> {@link EnrollResponse} (201)
 * - `POST /api/v1/agent/heartbeat`         {@link Heartbeat} -> {@link HeartbeatResponse}
 * - `GET  /api/v1/agent/work?wait=SECONDS` long poll (wait 0..60, default 30) -> {@link WorkResponse};
 *   answers at once when there is work, else when work arrives or `wait` ends (then empty lists);
 *   at most {@link MAX_WORK_ITEMS} runs and as many commands per answer.
 * - `GET  /api/v1/agent/ioc-files/:id`     the IOC file's bytes (`application/xml`), only for a
 *   file of one of the device's runs.
 * - `POST /api/v1/agent/runs/:runId/progress` {@link RunProgress} -> 204
 * - `POST /api/v1/agent/runs/:runId/result`   {@link RunResult} -> {@link RunResultResponse};
 *   idempotent: the same result posted twice stores one copy (detections are keyed by run, IOC and
 *   object), so an agent may retry until it gets an answer.
 * - `POST /api/v1/agent/quarantine`        {@link QuarantineInventory} -> 204: the device's whole
 *   quarantine store, replacing what the server knew.
 * - `POST /api/v1/agent/commands/:id/result` {@link CommandResult} -> 204
 *
 * @module
 */
import { z } from "zod";

/** The prefix of every agent endpoint. */
export const AGENT_API_PREFIX = "/api/v1/agent";

/** Longest long poll a server holds, in seconds. */
export const MAX_WAIT_SECONDS = 60;

const text = (max: number) => z.string().min(1).max(max);
/**
 * An id the agent puts into a request path (`runs/:runId/...`): any text but "." and "..", which
 * a URL parser resolves away (also written %2E), turning the path into another endpoint's.
 */
const pathId = (max: number) => text(max).refine((id) => id !== "." && id !== "..", { message: 'An id cannot be "." or ".."' });
const isoDate = z.iso.datetime({ offset: true });

export const EnrollRequest = z.strictObject({
  token: text(200),
  hostname: text(255),
  os: z.string().max(255),
  agentVersion: text(50),
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const EnrollResponse = z.strictObject({
  deviceId: text(100),
  /** `<deviceId>.<secret>`: sent as the bearer token; the server keeps only a hash. */
  credential: text(500),
  /** The group the token placed the device in. */
  groupId: text(100),
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;

/** What the agent is doing, for the console's device list. */
export const Heartbeat = z.strictObject({
  agentVersion: text(50),
  hostname: text(255),
  os: z.string().max(255),
  /** Runs the agent holds and has not yet reported a final result for. */
  activeRuns: z.array(text(100)).max(1000),
  /** Results queued on disk while the server was unreachable. */
  queuedResults: z.number().int().min(0),
});
export type Heartbeat = z.infer<typeof Heartbeat>;

export const HeartbeatResponse = z.strictObject({ serverTime: isoDate });
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;

/** Per-document switch of a task (`FileItem: "off"`); absent documents follow the IOCs. */
export const DocumentSwitch = z.enum(["on", "off"]);

/** The IOC Scan settings of a task (the product's "Application settings -> IOC Scan settings"). */
export const TaskSettings = z.strictObject({
  /** "Move copy to Quarantine, delete object" when `quarantine`. */
  action: z.enum(["report", "quarantine"]),
  /** "Run Critical Areas Scan" after a detection. */
  criticalAreas: z.boolean(),
  /** "Run only when the computer is idle". */
  idleOnly: z.boolean(),
  /** Folders to walk; empty = the default critical areas plus paths named by the IOCs. */
  scopes: z.array(text(4096)).max(100),
  /** Globs of host paths never walked. */
  excludes: z.array(text(4096)).max(100),
  switches: z.record(z.string().max(100), DocumentSwitch),
  /** CPU share the scan may use when not idle-only, 1..100; absent = no limit. */
  maxCpu: z.number().int().min(1).max(100).optional(),
});
export type TaskSettings = z.infer<typeof TaskSettings>;

/** The settings a new task gets unless it says otherwise (report only, as DESIGN.md section 6). */
export const DEFAULT_TASK_SETTINGS: TaskSettings = {
  action: "report",
  criticalAreas: false,
  idleOnly: false,
  scopes: [],
  excludes: [],
  switches: {},
};

export const IocFileRef = z.strictObject({
  id: pathId(100),
  name: text(255),
  /** Hex SHA-256 of the bytes `GET ioc-files/:id` returns; the agent checks it. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type IocFileRef = z.infer<typeof IocFileRef>;

/**
 * What the server wants done with one run of a task on this device. `start`: run it (again, if
 * it ran before: a re-run has a new runId); `pause`/`resume`: hold or continue it (the agent keeps
 * its checkpoint); `stop`: abandon it and report it stopped.
 */
export const RunOrder = z.strictObject({
  runId: pathId(100),
  taskId: text(100),
  taskName: text(255),
  order: z.enum(["start", "pause", "resume", "stop"]),
  settings: TaskSettings,
  iocFiles: z.array(IocFileRef).min(1).max(1000),
});
export type RunOrder = z.infer<typeof RunOrder>;

/** A console command for the device's quarantine store. */
export const AgentCommand = z.strictObject({
  id: pathId(100),
  kind: z.enum(["quarantine-restore", "quarantine-delete"]),
  quarantineId: text(200),
});
export type AgentCommand = z.infer<typeof AgentCommand>;

/** Most run orders and most commands in one work answer (the server sends at most 100 of each). */
export const MAX_WORK_ITEMS = 100;

export const WorkResponse = z.strictObject({
  runs: z.array(RunOrder).max(MAX_WORK_ITEMS),
  commands: z.array(AgentCommand).max(MAX_WORK_ITEMS),
});
export type WorkResponse = z.infer<typeof WorkResponse>;

/** The states of a task's run on one device. */
export const RunState = z.enum(["pending", "scheduled", "running", "paused", "finished", "finished-with-warning", "failed", "stopped"]);
export type RunState = z.infer<typeof RunState>;

export const RunProgress = z.strictObject({
  state: z.enum(["running", "paused"]),
  /** 0..100; an estimate. */
  percent: z.number().min(0).max(100),
  /** Why paused: "computer in use", "paused by the server", ... */
  detail: z.string().max(1000).optional(),
  at: isoDate,
});
export type RunProgress = z.infer<typeof RunProgress>;

/**
 * A run's final result. `report` is the scan report (DESIGN.md section 5), present for finished
 * runs and for failed runs that produced a partial one; the server validates it with its own
 * schema and keys its detections by (runId, iocId, object document and id).
 */
export const RunResult = z.strictObject({
  state: z.enum(["finished", "finished-with-warning", "failed", "stopped"]),
  /** Failed/stopped: why, in one sentence. */
  reason: z.string().max(2000).optional(),
  startedAt: isoDate,
  finishedAt: isoDate,
  report: z.unknown().optional(),
});
export type RunResult = z.infer<typeof RunResult>;

export const RunResultResponse = z.strictObject({
  /** False when this exact result had been stored already (a retried upload). */
  stored: z.boolean(),
  detections: z.number().int().min(0),
});
export type RunResultResponse = z.infer<typeof RunResultResponse>;

/** One entry of the device's quarantine store, as `iocscan quarantine list --format json` shows it. */
export const QuarantineEntryReport = z.strictObject({
  quarantineId: text(200),
  originalPath: text(4096),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().min(0),
  quarantinedAt: isoDate,
  scanId: z.string().max(100).optional(),
  iocId: z.string().max(255).optional(),
  state: z.enum(["quarantined", "restored"]),
});
export type QuarantineEntryReport = z.infer<typeof QuarantineEntryReport>;

export const QuarantineInventory = z.strictObject({
  entries: z.array(QuarantineEntryReport).max(100_000),
});
export type QuarantineInventory = z.infer<typeof QuarantineInventory>;

export const CommandResult = z.strictObject({
  status: z.enum(["done", "failed"]),
  detail: z.string().max(2000),
});
export type CommandResult = z.infer<typeof CommandResult>;
