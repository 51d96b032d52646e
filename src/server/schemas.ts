/**
 * The console API's bodies, queries and answers as zod schemas (the agent's are in
 * src/core/api/agent-protocol.ts). The route table and the OpenAPI document use these.
 *
 * @module
 */
import { z } from "zod";
import { DEFAULT_TASK_SETTINGS, RunState, TaskSettings } from "../core/api/index.js";
import { WINDOW_PATTERN } from "./window.js";

const id = z.string().min(1).max(100);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * A name people read (group, user, task, token): no control characters (a NUL, an escape), and
 * well-formed UTF-16, since a lone surrogate is stored as U+FFFD and would differ from the reply.
 */
const name = z
  .string()
  .trim()
  .min(1)
  .max(255)
  // eslint-disable-next-line no-control-regex -- the control characters are what it refuses
  .refine((text) => !/[\u0000-\u001f\u007f]/.test(text), "must not contain control characters")
  .refine((text) => !LONE_SURROGATE.test(text), "must be well-formed Unicode (no lone surrogate)");
const limit = z.coerce.number().int().min(1).max(1000).default(50);
const offset = z.coerce.number().int().min(0).default(0);
const flag = z.enum(["true", "false"]).transform((v) => v === "true");

export const Role = z.enum(["administrator", "operator", "viewer"]);
/** At least 12 characters: the only password rule (NIST 800-63B: length, not composition). */
export const Password = z.string().min(12).max(1024);

export const PageQuery = z.strictObject({ limit, offset });

export const LoginBody = z.strictObject({ name: z.string().min(1).max(255), password: z.string().min(1).max(1024) });
export const UserOut = z.object({ id, name: z.string(), role: Role, createdAt: z.string() });
export const LoginOut = z.object({ user: UserOut, csrfToken: z.string(), expiresAt: z.string() });

export const CreateUserBody = z.strictObject({ name, role: Role, password: Password });
export const UpdateUserBody = z.strictObject({ role: Role.optional(), password: Password.optional() });

export const CreateGroupBody = z.strictObject({ name, parentId: id });
export const UpdateGroupBody = z.strictObject({ name: name.optional(), parentId: id.optional() });
export const GroupOut = z.object({ id, name: z.string(), parentId: z.string().nullable(), createdAt: z.string() });

export const DeviceQuery = z.strictObject({ limit, offset, groupId: id.optional(), recursive: flag.optional(), search: z.string().max(255).optional() });
export const MoveDeviceBody = z.strictObject({ groupId: id });
export const DeviceOut = z.object({
  id,
  hostname: z.string(),
  os: z.string(),
  agentVersion: z.string(),
  groupId: z.string(),
  enrolledAt: z.string(),
  lastSeenAt: z.string(),
  queuedResults: z.number(),
  activeRuns: z.array(z.string()),
});

export const CreateTokenBody = z.strictObject({ groupId: id, expiresInHours: z.number().int().min(1).max(24 * 365).default(24) });
export const TokenOut = z.object({ id, groupId: z.string(), createdAt: z.string(), createdBy: z.string(), expiresAt: z.string(), revoked: z.boolean(), uses: z.number() });

export const UploadIocBody = z.strictObject({
  files: z
    .array(z.strictObject({ name, content: z.string().min(1).max(15_000_000), encoding: z.enum(["utf8", "base64"]).default("utf8") }))
    .min(1)
    .max(100),
});
export const Diagnostic = z.object({ code: z.string(), severity: z.enum(["error", "warning", "info"]), message: z.string(), line: z.number(), column: z.number() });
export const IocFileOut = z.object({
  id,
  name: z.string(),
  sha256: z.string(),
  size: z.number(),
  uploadedAt: z.string(),
  uploadedBy: z.string(),
  generated: z.boolean(),
  usable: z.boolean(),
  iocId: z.string(),
  title: z.string(),
  openiocVersion: z.string().nullable(),
  items: z.number(),
  supportedItems: z.number(),
  diagnostics: z.array(Diagnostic),
});

const IocTreeItemOut = z.object({
  kind: z.literal("item"),
  id: z.string(),
  document: z.string(),
  search: z.string(),
  condition: z.string(),
  content: z.string(),
  contentType: z.string(),
  negate: z.boolean(),
  preserveCase: z.boolean(),
  line: z.number(),
});
/** One node of an IOC file's indicator tree (`GET /ioc-files/:id/tree`): an AND/OR indicator or an item. */
export type IocTreeNode = z.infer<typeof IocTreeItemOut> | { kind: "indicator"; id: string; operator: "AND" | "OR"; children: IocTreeNode[] };
export const IocTreeNodeOut: z.ZodType<IocTreeNode> = z.lazy(() =>
  z.discriminatedUnion("kind", [z.object({ kind: z.literal("indicator"), id: z.string(), operator: z.enum(["AND", "OR"]), children: z.array(IocTreeNodeOut) }), IocTreeItemOut]),
);
export const IocTreeOut = z.object({ iocId: z.string(), title: z.string(), version: z.string(), criteria: IocTreeNodeOut.nullable() });

const RunWindow = z.string().regex(WINDOW_PATTERN, "Expected a daily window hh:mm-hh:mm (UTC)");
export const TaskTarget = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("group"), groupId: id }),
  z.strictObject({ kind: z.literal("devices"), deviceIds: z.array(id).min(1).max(100_000) }),
]);
export const RunMode = z.enum(["manual", "immediately", "window"]);

export const CreateTaskBody = z
  .strictObject({
    name,
    target: TaskTarget,
    iocFileIds: z.array(id).min(1).max(1000),
    settings: TaskSettings.optional(),
    runMode: RunMode.default("manual"),
    window: RunWindow.optional(),
  })
  .refine((t) => (t.runMode === "window") === (t.window !== undefined), { path: ["window"], message: "A window is required for run mode \"window\" and allowed only there" });

export const UpdateTaskBody = z.strictObject({
  name: name.optional(),
  settings: TaskSettings.optional(),
  runMode: RunMode.optional(),
  window: RunWindow.nullable().optional(),
  iocFileIds: z.array(id).min(1).max(1000).optional(),
});

/** Where a stand-alone task came from (the sandbox detection that made it). */
export const TaskOrigin = z.object({
  kind: z.literal("sandbox"),
  sample: z.object({ name: z.string().optional(), md5: z.string().optional(), sha1: z.string().optional(), sha256: z.string().optional(), size: z.number().optional() }),
  verdict: z.string(),
  format: z.string(),
  score: z.number().optional(),
  reportId: z.string().optional(),
  detectedOn: z.object({ deviceId: z.string().optional(), hostname: z.string().optional() }).optional(),
});

export const TaskOut = z.object({
  id,
  name: z.string(),
  target: TaskTarget,
  iocFileIds: z.array(z.string()),
  settings: TaskSettings,
  runMode: RunMode,
  window: z.string().nullable(),
  standalone: z.boolean(),
  state: z.enum(["created", "started", "paused", "stopped"]),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  /** Stand-alone tasks: when the retention job deletes them (created + `standaloneTaskDays`). */
  deleteAfter: z.string().nullable(),
  origin: TaskOrigin.nullable(),
  counts: z.record(RunState, z.number()),
  progress: z.number(),
});
export const TaskListQuery = z.strictObject({ limit, offset, standalone: flag.optional() });
export const RunQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100), offset, state: RunState.optional() });
export const RunOut = z.object({
  id,
  taskId: z.string(),
  deviceId: z.string(),
  hostname: z.string(),
  state: RunState,
  percent: z.number(),
  detail: z.string().nullable(),
  reason: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  createdAt: z.string(),
  current: z.boolean(),
  pendingOrder: z.string().nullable(),
  detectionCount: z.number(),
});
export const OperationOut = z.object({ task: TaskOut, devices: z.number() });

export const DetectionQuery = z.strictObject({
  limit,
  offset,
  taskId: id.optional(),
  deviceId: id.optional(),
  iocId: z.string().min(1).max(255).optional(),
  sort: z.enum(["foundAt", "iocId", "hostname"]).optional(),
  order: z.enum(["asc", "desc"]).optional(),
  format: z.enum(["json", "csv"]).default("json"),
});
export const DetectionOut = z.object({
  runId: z.string(),
  taskId: z.string(),
  deviceId: z.string(),
  hostname: z.string(),
  iocId: z.string(),
  iocTitle: z.string(),
  iocFile: z.string(),
  document: z.string(),
  objectId: z.string(),
  actionable: z.boolean(),
  matchedItems: z.array(z.string()),
  fields: z.record(z.string(), z.unknown()),
  actions: z.array(z.unknown()),
  foundAt: z.string(),
});

export const DashboardOut = z.object({
  devices: z.object({ total: z.number(), online: z.number(), offline: z.number(), onlineWithinMinutes: z.number() }),
  detectionsPerDay: z.array(z.object({ day: z.string(), count: z.number() })),
  activeTasks: z.array(TaskOut),
  recentDetections: z.array(DetectionOut),
});

export const QuarantineOut = z.object({
  deviceId: z.string(),
  quarantineId: z.string(),
  originalPath: z.string(),
  sha256: z.string(),
  size: z.number(),
  quarantinedAt: z.string(),
  scanId: z.string().nullable(),
  iocId: z.string().nullable(),
  state: z.enum(["quarantined", "restored"]),
  reportedAt: z.string(),
});
export const CommandOut = z.object({
  id,
  deviceId: z.string(),
  kind: z.enum(["quarantine-restore", "quarantine-delete"]),
  quarantineId: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  status: z.enum(["pending", "done", "failed"]),
  detail: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const AuditQuery = z.strictObject({ limit, offset, actor: z.string().max(255).optional(), action: z.string().max(255).optional() });
export const AuditOut = z.object({ id, at: z.string(), actor: z.string(), action: z.string(), target: z.string(), details: z.unknown() });
export const SettingsOut = z.object({ resultRetentionDays: z.number(), standaloneTaskDays: z.number() });
export const UpdateSettingsBody = z.strictObject({
  resultRetentionDays: z.number().int().min(1).max(3650).optional(),
  standaloneTaskDays: z.number().int().min(1).max(3650).optional(),
});

export const CreateSandboxTokenBody = z.strictObject({ name });
export const SandboxTokenOut = z.object({ id, name: z.string(), createdAt: z.string(), createdBy: z.string(), revoked: z.boolean(), lastUsedAt: z.string().nullable(), uses: z.number() });

export const SandboxPolicy = z
  .strictObject({
    target: z.discriminatedUnion("kind", [z.strictObject({ kind: z.literal("device-group") }), z.strictObject({ kind: z.literal("group"), groupId: id })]).default({ kind: "device-group" }),
    settings: TaskSettings.default(DEFAULT_TASK_SETTINGS),
    runMode: RunMode.default("immediately"),
    window: RunWindow.nullable().default(null),
    /** 0 turns de-duplication off. */
    dedupHours: z.number().int().min(0).max(24 * 90).default(24),
  })
  .refine((p) => (p.runMode === "window") === (p.window !== null), { path: ["window"], message: "A window is required for run mode \"window\" and allowed only there" });

export const SandboxFormatIn = z.enum(["auto", "cape", "cuckoo3", "triage", "vmray", "generic"]);
export const SandboxDetectionBody = z.strictObject({
  /** The sandbox's report, as JSON. */
  report: z.record(z.string(), z.unknown()),
  format: SandboxFormatIn.default("auto"),
  /** Where the threat was detected: a device id, or its host name; else the report's own (generic format). */
  device: z.strictObject({ id: id.optional(), hostname: z.string().min(1).max(255).optional() }).optional(),
});
export const SandboxDetectionOut = z.object({
  id,
  receivedAt: z.string(),
  tokenId: z.string(),
  format: z.string().nullable(),
  verdict: z.string().nullable(),
  score: z.number().nullable(),
  sample: z.object({ name: z.string().nullable(), md5: z.string().nullable(), sha1: z.string().nullable(), sha256: z.string().nullable() }),
  reportId: z.string().nullable(),
  deviceId: z.string().nullable(),
  hostname: z.string().nullable(),
  taskId: z.string().nullable(),
  reused: z.boolean(),
  generated: z.boolean(),
  reason: z.string().nullable(),
  items: z.number().nullable(),
  dropped: z.number(),
});
export const SandboxDetectionQuery = z.strictObject({ limit, offset, taskId: id.optional() });
/** The intake's answer: the task (created: 201, reused: 200), or no task and the reason (200). */
export const SandboxIntakeOut = z.object({
  generated: z.boolean(),
  reused: z.boolean(),
  task: TaskOut.nullable(),
  reason: z.string().nullable(),
  ioc: z.object({ fileName: z.string(), items: z.number() }).nullable(),
  dropped: z.array(z.object({ kind: z.string(), value: z.string(), reason: z.string() })),
  detection: SandboxDetectionOut,
});

export const WaitQuery = z.strictObject({ wait: z.coerce.number().int().min(0).max(60).default(30) });

/** `{ items, total }` pages. */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number() });
