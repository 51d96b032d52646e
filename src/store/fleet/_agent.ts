/**
 * The agent's side: claiming work, progress, results (idempotent), the quarantine inventory and
 * the console's commands for it.
 *
 * Orders are level-triggered: a run keeps its `pending_order` until the agent's progress or
 * result acknowledges it, and a poll hands it out at most once per lease (a conditional UPDATE,
 * so exactly one of several concurrent polls on several server instances wins it). An answer
 * lost on the way is therefore handed out again after the lease, and the agent ignores a start
 * for a run it already holds.
 *
 * @module
 */
import type { TaskSettings } from "../../core/api/index.js";
import type { ReportDetection, ScanReport } from "../../core/report/index.js";
import { auditIn, newId, parseJson, type FleetContext } from "./_context.js";
import { subtreeOf } from "./_devices.js";
import { FINAL_STATES, newRunRow } from "./_tasks.js";
import type { AgentCommandRecord, ClaimedRun, FleetStore, QuarantineEntry, RunOrderKind } from "./fleet-store.js";
import type { AgentCommandsTable, QuarantineEntriesTable, RunDetectionsTable } from "./schema.js";

const toCommand = (r: AgentCommandsTable): AgentCommandRecord => ({
  id: r.id,
  deviceId: r.device_id,
  kind: r.kind as AgentCommandRecord["kind"],
  quarantineId: r.quarantine_id,
  createdAt: r.created_at,
  createdBy: r.created_by,
  status: r.status as AgentCommandRecord["status"],
  detail: r.detail,
  finishedAt: r.finished_at,
});

const toEntry = (r: QuarantineEntriesTable): QuarantineEntry => ({
  deviceId: r.device_id,
  quarantineId: r.quarantine_id,
  originalPath: r.original_path,
  sha256: r.sha256,
  size: Number(r.size),
  quarantinedAt: r.quarantined_at,
  scanId: r.scan_id,
  iocId: r.ioc_id,
  state: r.state as QuarantineEntry["state"],
  reportedAt: r.reported_at,
});

/** The rows a report's detections become, one per (IOC, object); repeats collapse into one. */
export function runDetectionRows(report: ScanReport, run: { id: string; task_id: string; device_id: string }, foundAt: string): RunDetectionsTable[] {
  const rows = new Map<string, RunDetectionsTable>();
  const add = (d: ReportDetection): void => {
    const objects = d.objects.length > 0 ? d.objects : [undefined];
    for (const object of objects) {
      const row: RunDetectionsTable = {
        run_id: run.id,
        ioc_id: d.iocId,
        document: object?.document ?? "",
        object_id: object?.id ?? "",
        task_id: run.task_id,
        device_id: run.device_id,
        ioc_title: d.iocTitle,
        ioc_file: d.iocFile,
        actionable: object?.actionable ? 1 : 0,
        matched_items: JSON.stringify(d.matchedItems),
        fields: JSON.stringify(object?.fields ?? {}),
        actions: JSON.stringify(object === undefined ? d.actions : d.actions.filter((a) => a.objectId === undefined || a.objectId === object.id)),
        found_at: foundAt,
      };
      rows.set(JSON.stringify([row.ioc_id, row.document, row.object_id]), row);
    }
  };
  report.detections.forEach(add);
  report.criticalAreas?.detections.forEach(add);
  return [...rows.values()];
}

type AgentPart = Pick<
  FleetStore,
  | "joinGroupTasks"
  | "claimWork"
  | "runAccess"
  | "recordProgress"
  | "recordResult"
  | "replaceQuarantine"
  | "listQuarantine"
  | "createCommand"
  | "listCommands"
  | "commandAccess"
  | "recordCommandResult"
>;

export function agentPart({ db, write, now }: FleetContext): AgentPart {
  return {
    async joinGroupTasks(deviceId) {
      const device = await db.selectFrom("devices").select("group_id").where("id", "=", deviceId).executeTakeFirst();
      if (device === undefined) return 0;
      const missing = await db
        .selectFrom("tasks as t")
        .select(["t.id", "t.run_mode", "t.target_group_id"])
        .where("t.state", "=", "started")
        .where("t.target_kind", "=", "group")
        .where((eb) => eb.not(eb.exists(eb.selectFrom("task_runs as r").select("r.id").whereRef("r.task_id", "=", "t.id").where("r.device_id", "=", deviceId))))
        .execute();
      let joined = 0;
      for (const task of missing) {
        if (!(await subtreeOf(db, task.target_group_id ?? "")).includes(device.group_id)) continue;
        // The partial unique index (one current run per task and device) makes a concurrent join a no-op.
        const done = await db.insertInto("task_runs").values(newRunRow(task, deviceId, now())).onConflict((oc) => oc.doNothing()).executeTakeFirst();
        joined += Number(done.numInsertedOrUpdatedRows ?? 0);
      }
      return joined;
    },
    async claimWork(deviceId, leaseMs) {
      const at = now();
      const cutoff = new Date(Date.parse(at) - leaseMs).toISOString();
      const candidates = await db
        .selectFrom("task_runs as r")
        .innerJoin("tasks as t", "t.id", "r.task_id")
        .select(["r.id", "r.task_id", "r.pending_order", "t.name", "t.settings", "t.state as task_state"])
        .where("r.device_id", "=", deviceId)
        .where("r.pending_order", "is not", null)
        .where((eb) => eb.or([eb("r.order_sent_at", "is", null), eb("r.order_sent_at", "<", cutoff)]))
        .orderBy("r.created_at")
        .limit(100)
        .execute();
      const runs: ClaimedRun[] = [];
      for (const c of candidates) {
        // A paused task's runs that were never started wait for resume.
        if (c.pending_order === "start" && c.task_state !== "started") continue;
        const won = await db
          .updateTable("task_runs")
          .set({ order_sent_at: at })
          .where("id", "=", c.id)
          .where("pending_order", "=", c.pending_order)
          .where((eb) => eb.or([eb("order_sent_at", "is", null), eb("order_sent_at", "<", cutoff)]))
          .executeTakeFirst();
        if (Number(won.numUpdatedRows) === 0) continue;
        const files = await db
          .selectFrom("task_ioc_files as l")
          .innerJoin("ioc_files as f", "f.id", "l.ioc_file_id")
          .select(["f.id", "f.name", "f.sha256"])
          .where("l.task_id", "=", c.task_id)
          .orderBy("l.position")
          .execute();
        runs.push({ runId: c.id, taskId: c.task_id, taskName: c.name, order: c.pending_order as RunOrderKind, settings: parseJson<TaskSettings>(c.settings), iocFiles: files });
      }
      const pending = await db
        .selectFrom("agent_commands")
        .selectAll()
        .where("device_id", "=", deviceId)
        .where("status", "=", "pending")
        .where((eb) => eb.or([eb("sent_at", "is", null), eb("sent_at", "<", cutoff)]))
        .orderBy("created_at")
        .limit(100)
        .execute();
      const commands: AgentCommandRecord[] = [];
      for (const c of pending) {
        const won = await db
          .updateTable("agent_commands")
          .set({ sent_at: at })
          .where("id", "=", c.id)
          .where("status", "=", "pending")
          .where((eb) => eb.or([eb("sent_at", "is", null), eb("sent_at", "<", cutoff)]))
          .executeTakeFirst();
        if (Number(won.numUpdatedRows) > 0) commands.push(toCommand(c));
      }
      return { runs, commands };
    },
    async runAccess(runId, deviceId) {
      const row = await db.selectFrom("task_runs").select("device_id").where("id", "=", runId).executeTakeFirst();
      return row === undefined ? "not-found" : row.device_id === deviceId ? "ok" : "forbidden";
    },
    async recordProgress(runId, progress) {
      const at = now();
      // Progress acknowledges the orders it answers: running answers start and resume, paused
      // answers pause (and start: an idle-only run may pause before its first percent).
      const answered = progress.state === "running" ? ["start", "resume"] : ["start", "pause"];
      await write(async (trx) => {
        const run = await trx.selectFrom("task_runs").select(["state", "started_at", "pending_order"]).where("id", "=", runId).executeTakeFirst();
        if (run === undefined || FINAL_STATES.includes(run.state as never)) return;
        await trx
          .updateTable("task_runs")
          .set({
            state: progress.state,
            percent: progress.percent,
            detail: progress.detail ?? null,
            started_at: run.started_at ?? progress.at,
            pending_order: run.pending_order !== null && answered.includes(run.pending_order) ? null : run.pending_order,
            updated_at: at,
          })
          .where("id", "=", runId)
          .execute();
      });
    },
    async recordResult(runId, result) {
      const at = now();
      return write(async (trx) => {
        // This UPDATE comes first: on PostgreSQL its row lock makes a concurrent upload of the same
        // run wait, and the waiting one then sees the digest and stores nothing.
        const run = await trx
          .updateTable("task_runs")
          .set({ result_digest: result.digest, updated_at: at })
          .where("id", "=", runId)
          .where((eb) => eb.or([eb("result_digest", "is", null), eb("result_digest", "<>", result.digest)]))
          .returning(["id", "task_id", "device_id"])
          .executeTakeFirst();
        if (run === undefined) {
          const stored = await trx.selectFrom("task_runs").select("detection_count").where("id", "=", runId).executeTakeFirst();
          return { stored: false, detections: Number(stored?.detection_count ?? 0) };
        }
        const rows = result.report === undefined ? [] : runDetectionRows(result.report, run, result.finishedAt);
        await trx.deleteFrom("run_detections").where("run_id", "=", runId).execute();
        for (let i = 0; i < rows.length; i += 200) await trx.insertInto("run_detections").values(rows.slice(i, i + 200)).execute();
        await trx
          .updateTable("task_runs")
          .set({
            state: result.state,
            reason: result.reason ?? null,
            started_at: result.startedAt,
            finished_at: result.finishedAt,
            percent: result.state === "finished" || result.state === "finished-with-warning" ? 100 : undefined,
            pending_order: null,
            detection_count: rows.length,
          })
          .where("id", "=", runId)
          .execute();
        return { stored: true, detections: rows.length };
      });
    },
    async replaceQuarantine(deviceId, entries) {
      const at = now();
      const rows: QuarantineEntriesTable[] = entries.map((e) => ({
        device_id: deviceId,
        quarantine_id: e.quarantineId,
        original_path: e.originalPath,
        sha256: e.sha256,
        size: e.size,
        quarantined_at: e.quarantinedAt,
        scan_id: e.scanId,
        ioc_id: e.iocId,
        state: e.state,
        reported_at: at,
      }));
      const unique = [...new Map(rows.map((r) => [r.quarantine_id, r])).values()];
      await write(async (trx) => {
        await trx.deleteFrom("quarantine_entries").where("device_id", "=", deviceId).execute();
        for (let i = 0; i < unique.length; i += 500) await trx.insertInto("quarantine_entries").values(unique.slice(i, i + 500)).execute();
      });
    },
    async listQuarantine(deviceId) {
      return (await db.selectFrom("quarantine_entries").selectAll().where("device_id", "=", deviceId).orderBy("quarantined_at", "desc").orderBy("quarantine_id").execute()).map(toEntry);
    },
    createCommand(input, actor) {
      const at = now();
      const row: AgentCommandsTable = {
        id: newId(),
        device_id: input.deviceId,
        kind: input.kind,
        quarantine_id: input.quarantineId,
        created_at: at,
        created_by: actor,
        status: "pending",
        detail: null,
        sent_at: null,
        finished_at: null,
      };
      return write(async (trx) => {
        await trx.insertInto("agent_commands").values(row).execute();
        await auditIn(trx, at, { actor, action: `command.${input.kind}`, target: `device:${input.deviceId}`, details: { commandId: row.id, quarantineId: input.quarantineId } });
        return toCommand(row);
      });
    },
    async listCommands(deviceId) {
      return (await db.selectFrom("agent_commands").selectAll().where("device_id", "=", deviceId).orderBy("created_at", "desc").orderBy("id").execute()).map(toCommand);
    },
    async commandAccess(commandId, deviceId) {
      const row = await db.selectFrom("agent_commands").select("device_id").where("id", "=", commandId).executeTakeFirst();
      return row === undefined ? "not-found" : row.device_id === deviceId ? "ok" : "forbidden";
    },
    async recordCommandResult(commandId, result) {
      const at = now();
      await write(async (trx) => {
        const done = await trx
          .updateTable("agent_commands")
          .set({ status: result.status, detail: result.detail, finished_at: at })
          .where("id", "=", commandId)
          .where("status", "=", "pending")
          .returning("device_id")
          .executeTakeFirst();
        if (done !== undefined) await auditIn(trx, at, { actor: `device:${done.device_id}`, action: "command.result", target: `command:${commandId}`, details: result });
      });
    },
  };
}
