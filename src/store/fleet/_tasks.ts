/**
 * Tasks and the operations on them (start, stop, pause, resume, re-run failed), which create and
 * steer the per-device runs. An operation never talks to an agent: it sets a run's
 * `pending_order`, which the agent's next poll picks up (see _agent.ts).
 *
 * @module
 */
import type { RunState, TaskSettings } from "../../core/api/index.js";
import { auditIn, newId, page, parseJson, type Db, type FleetContext } from "./_context.js";
import { subtreeOf } from "./_devices.js";
import type { Actor, FleetStore, NewTask, RunCounts, RunMode, Task, TaskOrigin, TaskRun, TaskState } from "./fleet-store.js";
import type { TaskRunsTable, TasksTable } from "./schema.js";

export const FINAL_STATES: readonly RunState[] = ["finished", "finished-with-warning", "failed", "stopped"];
const ALL_STATES: readonly RunState[] = ["pending", "scheduled", "running", "paused", "finished", "finished-with-warning", "failed", "stopped"];

const emptyCounts = (): RunCounts => Object.fromEntries(ALL_STATES.map((s) => [s, 0])) as RunCounts;

async function loadTasks(db: Db, rows: TasksTable[]): Promise<Task[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [targets, files, stats] = await Promise.all([
    db.selectFrom("task_targets").select(["task_id", "device_id"]).where("task_id", "in", ids).orderBy("device_id").execute(),
    db.selectFrom("task_ioc_files").select(["task_id", "ioc_file_id"]).where("task_id", "in", ids).orderBy("position").execute(),
    db
      .selectFrom("task_runs")
      .select((eb) => ["task_id", "state", eb.fn.countAll().as("n"), eb.fn.sum<number>("percent").as("percent")])
      .where("task_id", "in", ids)
      .where("current", "=", 1)
      .groupBy(["task_id", "state"])
      .execute(),
  ]);
  return rows.map((r) => {
    const counts = emptyCounts();
    let percentSum = 0;
    let runs = 0;
    for (const s of stats.filter((x) => x.task_id === r.id)) {
      const n = Number(s.n);
      counts[s.state as RunState] += n;
      runs += n;
      percentSum += FINAL_STATES.includes(s.state as RunState) ? 100 * n : Number(s.percent);
    }
    return {
      id: r.id,
      name: r.name,
      target:
        r.target_kind === "group"
          ? { kind: "group" as const, groupId: r.target_group_id ?? "" }
          : { kind: "devices" as const, deviceIds: targets.filter((t) => t.task_id === r.id).map((t) => t.device_id) },
      iocFileIds: files.filter((f) => f.task_id === r.id).map((f) => f.ioc_file_id),
      settings: parseJson<TaskSettings>(r.settings),
      runMode: r.run_mode as RunMode,
      window: r.run_window,
      standalone: Number(r.standalone) === 1,
      state: r.state as TaskState,
      createdAt: r.created_at,
      createdBy: r.created_by,
      updatedAt: r.updated_at,
      deleteAfter: r.delete_after,
      origin: r.origin === null ? null : parseJson<TaskOrigin>(r.origin),
      counts,
      progress: runs === 0 ? 0 : Math.round((percentSum / runs) * 10) / 10,
    };
  });
}

export const toRun = (r: TaskRunsTable & { hostname: string | null }): TaskRun => ({
  id: r.id,
  taskId: r.task_id,
  deviceId: r.device_id,
  hostname: r.hostname ?? "",
  state: r.state as RunState,
  percent: Number(r.percent),
  detail: r.detail,
  reason: r.reason,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  createdAt: r.created_at,
  current: Number(r.current) === 1,
  pendingOrder: r.pending_order as TaskRun["pendingOrder"],
  detectionCount: Number(r.detection_count),
});

/** The devices a task targets now. */
async function targetDevices(trx: Db, task: TasksTable): Promise<string[]> {
  if (task.target_kind === "group") {
    const groups = await subtreeOf(trx, task.target_group_id ?? "");
    if (groups.length === 0) return [];
    return (await trx.selectFrom("devices").select("id").where("group_id", "in", groups).orderBy("id").execute()).map((d) => d.id);
  }
  return (
    await trx.selectFrom("task_targets as t").innerJoin("devices as d", "d.id", "t.device_id").select("d.id").where("t.task_id", "=", task.id).orderBy("d.id").execute()
  ).map((d) => d.id);
}

/**
 * Ends the given runs: one the agent never received is stopped at once; one it may be working on
 * gets a stop order, which the agent answers with a `stopped` result.
 */
async function stopRuns(trx: Db, at: string, runs: readonly Pick<TaskRunsTable, "id" | "state" | "order_sent_at">[]): Promise<void> {
  const never = runs.filter((r) => r.state === "scheduled" || (r.state === "pending" && r.order_sent_at === null)).map((r) => r.id);
  const held = runs.filter((r) => !never.includes(r.id)).map((r) => r.id);
  if (never.length > 0) {
    await trx.updateTable("task_runs").set({ state: "stopped", pending_order: null, reason: "Stopped before the device started it", finished_at: at, updated_at: at }).where("id", "in", never).execute();
  }
  if (held.length > 0) {
    await trx.updateTable("task_runs").set({ pending_order: "stop", order_sent_at: null, updated_at: at }).where("id", "in", held).execute();
  }
}

/** The row of a new current run of `task` on a device: pending with a start order, or scheduled for a window task. */
export function newRunRow(task: Pick<TasksTable, "id" | "run_mode">, deviceId: string, at: string): TaskRunsTable {
  const window = task.run_mode === "window";
  return {
    id: newId(),
    task_id: task.id,
    device_id: deviceId,
    state: window ? "scheduled" : "pending",
    percent: 0,
    detail: null,
    reason: null,
    started_at: null,
    finished_at: null,
    created_at: at,
    updated_at: at,
    current: 1,
    pending_order: window ? null : "start",
    order_sent_at: null,
    result_digest: null,
    detection_count: 0,
  };
}

async function newRuns(trx: Db, task: TasksTable, deviceIds: readonly string[], at: string): Promise<void> {
  const rows = deviceIds.map((deviceId) => newRunRow(task, deviceId, at));
  for (let i = 0; i < rows.length; i += 200) await trx.insertInto("task_runs").values(rows.slice(i, i + 200)).execute();
}

/** Deletes a task with its runs, detections and links; its generated IOC files go too. */
export async function deleteTaskRows(trx: Db, id: string): Promise<boolean> {
  const generated = await trx
    .selectFrom("task_ioc_files as t")
    .innerJoin("ioc_files as f", "f.id", "t.ioc_file_id")
    .select("f.id")
    .where("t.task_id", "=", id)
    .where("f.generated", "=", 1)
    .execute();
  const gone = await trx.deleteFrom("tasks").where("id", "=", id).executeTakeFirst();
  await trx.deleteFrom("run_detections").where("task_id", "=", id).execute();
  await trx.deleteFrom("task_runs").where("task_id", "=", id).execute();
  await trx.deleteFrom("task_targets").where("task_id", "=", id).execute();
  await trx.deleteFrom("task_ioc_files").where("task_id", "=", id).execute();
  if (generated.length > 0) await trx.deleteFrom("ioc_files").where("id", "in", generated.map((g) => g.id)).execute();
  return Number(gone.numDeletedRows) > 0;
}

/** Loads one task (undefined when unknown). */
export async function loadTask(on: Db, id: string): Promise<Task | undefined> {
  const row = await on.selectFrom("tasks").selectAll().where("id", "=", id).executeTakeFirst();
  return row && (await loadTasks(on, [row]))[0];
}

const currentRuns = (trx: Db, taskId: string, states: readonly RunState[]) =>
  trx.selectFrom("task_runs").select(["id", "device_id", "state", "order_sent_at", "pending_order"]).where("task_id", "=", taskId).where("current", "=", 1).where("state", "in", states).execute();

/** Starts the task's runs: one new current run per target device, replacing open ones. Resolves to the devices concerned. */
async function startRuns(trx: Db, task: TasksTable, at: string): Promise<string[]> {
  const open = await currentRuns(trx, task.id, ["pending", "scheduled", "running", "paused"]);
  await stopRuns(trx, at, open);
  await trx.updateTable("task_runs").set({ current: 0 }).where("task_id", "=", task.id).where("current", "=", 1).execute();
  const devices = await targetDevices(trx, task);
  await newRuns(trx, task, devices, at);
  await trx.updateTable("tasks").set({ state: "started", updated_at: at }).where("id", "=", task.id).execute();
  return [...new Set([...devices, ...open.map((r) => r.device_id)])];
}

/**
 * Creates a task with its audit entry inside the caller's write transaction (started at once for
 * run mode `immediately`); a stand-alone task is deleted `standaloneDays` after `at`.
 */
export async function insertTask(trx: Db, input: NewTask, actor: Actor, at: string, standaloneDays: number): Promise<Task> {
  const row: TasksTable = {
    id: newId(),
    name: input.name,
    target_kind: input.target.kind,
    target_group_id: input.target.kind === "group" ? input.target.groupId : null,
    settings: JSON.stringify(input.settings),
    run_mode: input.runMode,
    run_window: input.runMode === "window" ? (input.window ?? null) : null,
    standalone: input.standalone ? 1 : 0,
    state: "created",
    created_at: at,
    created_by: actor,
    updated_at: at,
    delete_after: input.standalone ? new Date(Date.parse(at) + standaloneDays * 86_400_000).toISOString() : null,
    origin: input.origin === undefined ? null : JSON.stringify(input.origin),
  };
  await trx.insertInto("tasks").values(row).execute();
  if (input.target.kind === "devices" && input.target.deviceIds.length > 0) {
    const unique = [...new Set(input.target.deviceIds)];
    for (let i = 0; i < unique.length; i += 500) {
      await trx.insertInto("task_targets").values(unique.slice(i, i + 500).map((device_id) => ({ task_id: row.id, device_id }))).execute();
    }
  }
  const files = [...new Set(input.iocFileIds)];
  if (files.length > 0) await trx.insertInto("task_ioc_files").values(files.map((ioc_file_id, position) => ({ task_id: row.id, ioc_file_id, position }))).execute();
  await auditIn(trx, at, { actor, action: "task.create", target: `task:${row.id}`, details: { name: row.name, runMode: row.run_mode, standalone: input.standalone === true } });
  if (input.runMode === "immediately") await startRuns(trx, row, at);
  const task = await loadTask(trx, row.id);
  if (task === undefined) throw new Error(`Cannot read back task "${row.id}"`);
  return task;
}

type TaskPart = Pick<
  FleetStore,
  "createTask" | "listTasks" | "getTask" | "updateTask" | "deleteTask" | "startTask" | "stopTask" | "pauseTask" | "resumeTask" | "rerunFailed" | "listRuns" | "getRun"
>;

export function taskPart({ db, write, now }: FleetContext, settings: () => Promise<{ standaloneTaskDays: number }>): TaskPart {
  const getTask = (id: string, on: Db = db): Promise<Task | undefined> => loadTask(on, id);

  /** Runs `operate` on the task's row in a write transaction, with its audit entry; undefined for an unknown task. */
  const operation = (id: string, action: string, actor: Actor, operate: (trx: Db, task: TasksTable, at: string) => Promise<string[]>) => {
    const at = now();
    return write(async (trx) => {
      const task = await trx.selectFrom("tasks").selectAll().where("id", "=", id).executeTakeFirst();
      if (task === undefined) return undefined;
      const devices = await operate(trx, task, at);
      await auditIn(trx, at, { actor, action: `task.${action}`, target: `task:${id}`, details: { devices: devices.length } });
      return devices;
    });
  };

  return {
    async createTask(input, actor) {
      const at = now();
      const standaloneDays = input.standalone ? (await settings()).standaloneTaskDays : 0;
      return write((trx) => insertTask(trx, input, actor, at, standaloneDays));
    },
    async listTasks(options = {}) {
      const { limit, offset } = page(options);
      let query = db.selectFrom("tasks").selectAll();
      if (options.standalone !== undefined) query = query.where("standalone", "=", options.standalone ? 1 : 0);
      const rows = await query.orderBy("created_at", "desc").orderBy("id").limit(limit).offset(offset).execute();
      return loadTasks(db, rows);
    },
    getTask: (id) => getTask(id),
    updateTask(id, change, actor) {
      const at = now();
      return write(async (trx) => {
        const set: Partial<TasksTable> = { updated_at: at };
        if (change.name !== undefined) set.name = change.name;
        if (change.settings !== undefined) set.settings = JSON.stringify(change.settings);
        if (change.runMode !== undefined) set.run_mode = change.runMode;
        if (change.window !== undefined) set.run_window = change.window;
        const done = await trx.updateTable("tasks").set(set).where("id", "=", id).executeTakeFirst();
        if (Number(done.numUpdatedRows) === 0) return undefined;
        if (change.iocFileIds !== undefined) {
          await trx.deleteFrom("task_ioc_files").where("task_id", "=", id).execute();
          const files = [...new Set(change.iocFileIds)];
          if (files.length > 0) await trx.insertInto("task_ioc_files").values(files.map((ioc_file_id, position) => ({ task_id: id, ioc_file_id, position }))).execute();
        }
        await auditIn(trx, at, { actor, action: "task.update", target: `task:${id}`, details: change });
        return getTask(id, trx);
      });
    },
    deleteTask(id, actor) {
      const at = now();
      return write(async (trx) => {
        if (!(await deleteTaskRows(trx, id))) return false;
        await auditIn(trx, at, { actor, action: "task.delete", target: `task:${id}` });
        return true;
      });
    },
    startTask: (id, actor) => operation(id, "start", actor, startRuns),
    stopTask: (id, actor) =>
      operation(id, "stop", actor, async (trx, task, at) => {
        const open = await currentRuns(trx, task.id, ["pending", "scheduled", "running", "paused"]);
        await stopRuns(trx, at, open);
        await trx.updateTable("tasks").set({ state: "stopped", updated_at: at }).where("id", "=", task.id).execute();
        return open.map((r) => r.device_id);
      }),
    pauseTask: (id, actor) =>
      operation(id, "pause", actor, async (trx, task, at) => {
        // Runs not yet handed out simply wait: `claimWork` hands no start order of a paused task.
        const active = await currentRuns(trx, task.id, ["running"]);
        if (active.length > 0) await trx.updateTable("task_runs").set({ pending_order: "pause", order_sent_at: null, updated_at: at }).where("id", "in", active.map((r) => r.id)).execute();
        await trx.updateTable("tasks").set({ state: "paused", updated_at: at }).where("id", "=", task.id).execute();
        return active.map((r) => r.device_id);
      }),
    resumeTask: (id, actor) =>
      operation(id, "resume", actor, async (trx, task, at) => {
        const held = await currentRuns(trx, task.id, ["running", "paused", "pending"]);
        const toResume = held.filter((r) => r.state === "paused" || r.pending_order === "pause");
        // A pause order the agent never received is simply withdrawn; a paused run gets a resume.
        const withdrawn = toResume.filter((r) => r.state !== "paused" && r.pending_order === "pause" && r.order_sent_at === null).map((r) => r.id);
        const resumed = toResume.filter((r) => !withdrawn.includes(r.id)).map((r) => r.id);
        if (withdrawn.length > 0) await trx.updateTable("task_runs").set({ pending_order: null, updated_at: at }).where("id", "in", withdrawn).execute();
        if (resumed.length > 0) await trx.updateTable("task_runs").set({ pending_order: "resume", order_sent_at: null, updated_at: at }).where("id", "in", resumed).execute();
        await trx.updateTable("tasks").set({ state: "started", updated_at: at }).where("id", "=", task.id).execute();
        return held.map((r) => r.device_id);
      }),
    rerunFailed: (id, actor) =>
      operation(id, "rerun-failed", actor, async (trx, task, at) => {
        const failed = await currentRuns(trx, task.id, ["failed"]);
        if (failed.length === 0) return [];
        await trx.updateTable("task_runs").set({ current: 0 }).where("id", "in", failed.map((r) => r.id)).execute();
        const devices = failed.map((r) => r.device_id);
        await newRuns(trx, task, devices, at);
        await trx.updateTable("tasks").set({ state: "started", updated_at: at }).where("id", "=", task.id).execute();
        return devices;
      }),
    async listRuns(taskId, options = {}) {
      const { limit, offset } = page(options, 100);
      let query = db.selectFrom("task_runs as r").leftJoin("devices as d", "d.id", "r.device_id").selectAll("r").select("d.hostname").where("r.task_id", "=", taskId).where("r.current", "=", 1);
      if (options.state !== undefined) query = query.where("r.state", "=", options.state);
      const rows = await query.orderBy("d.hostname").orderBy("r.id").limit(limit).offset(offset).execute();
      return rows.map(toRun);
    },
    async getRun(id) {
      const row = await db.selectFrom("task_runs as r").leftJoin("devices as d", "d.id", "r.device_id").selectAll("r").select("d.hostname").where("r.id", "=", id).executeTakeFirst();
      return row && toRun(row);
    },
  };
}
