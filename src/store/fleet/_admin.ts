/**
 * Detections queries, the audit log, settings and the periodic jobs' queries.
 *
 * @module
 */
import { sql } from "kysely";
import { auditIn, page, parseJson, type Db, type FleetContext, type FleetDriver } from "./_context.js";
import { deleteTaskRows, FINAL_STATES } from "./_tasks.js";
import { DEFAULT_FLEET_SETTINGS, type Detection, type FleetSettings, type FleetStore } from "./fleet-store.js";

const PURGE_BATCH = 500;

/** A LIKE pattern matching `text` literally (escape character `\`). */
const likeEscape = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

type AdminPart = Pick<
  FleetStore,
  "findDetections" | "detectionsPerDay" | "fleetCounts" | "audit" | "listAudit" | "getSettings" | "updateSettings" | "runJob" | "openDueWindows" | "purgeRunsFinishedBefore" | "purgeExpiredTasks"
>;

export function adminPart({ db, write, now }: FleetContext, driver: FleetDriver): AdminPart {
  const getSettings = async (on: Db = db): Promise<FleetSettings> => {
    const rows = await on.selectFrom("settings").selectAll().execute();
    const settings = { ...DEFAULT_FLEET_SETTINGS };
    for (const r of rows) if (r.key in settings) settings[r.key as keyof FleetSettings] = Number(parseJson<number>(r.value));
    return settings;
  };
  return {
    async fleetCounts(onlineSince) {
      const devices = await db
        .selectFrom("devices")
        .select((eb) => [eb.fn.countAll().as("all"), eb.fn.count(eb.case().when("last_seen_at", ">=", onlineSince).then(1).end()).as("online")])
        .executeTakeFirstOrThrow();
      const runs = await db.selectFrom("task_runs").select((eb) => ["state", eb.fn.countAll().as("n")]).where("current", "=", 1).groupBy("state").execute();
      return { devices: Number(devices.all), devicesOnline: Number(devices.online), runsByState: Object.fromEntries(runs.map((r) => [r.state, Number(r.n)])) };
    },
    async findDetections(options = {}) {
      const { limit, offset } = page(options);
      let query = db.selectFrom("run_detections as x").leftJoin("devices as d", "d.id", "x.device_id");
      if (options.taskId !== undefined) query = query.where("x.task_id", "=", options.taskId);
      if (options.deviceId !== undefined) query = query.where("x.device_id", "=", options.deviceId);
      if (options.iocId !== undefined) query = query.where("x.ioc_id", "=", options.iocId);
      const total = await query.select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
      const column = options.sort === "iocId" ? "x.ioc_id" : options.sort === "hostname" ? "d.hostname" : "x.found_at";
      const order = options.order ?? (options.sort === undefined || options.sort === "foundAt" ? "desc" : "asc");
      const rows = await query
        .selectAll("x")
        .select("d.hostname")
        .orderBy(column, order)
        .orderBy("x.run_id")
        .orderBy("x.ioc_id")
        .orderBy("x.document")
        .orderBy("x.object_id")
        .limit(limit)
        .offset(offset)
        .execute();
      const detections: Detection[] = rows.map((r) => ({
        runId: r.run_id,
        taskId: r.task_id,
        deviceId: r.device_id,
        hostname: r.hostname ?? "",
        iocId: r.ioc_id,
        iocTitle: r.ioc_title,
        iocFile: r.ioc_file,
        document: r.document,
        objectId: r.object_id,
        actionable: Number(r.actionable) === 1,
        matchedItems: parseJson<string[]>(r.matched_items),
        fields: parseJson<Record<string, unknown>>(r.fields),
        actions: parseJson<unknown[]>(r.actions),
        foundAt: r.found_at,
      }));
      return { detections, total: Number(total.n) };
    },
    async detectionsPerDay(since) {
      // Stored times are ISO 8601 UTC strings, so the first ten characters are the UTC day.
      const day = sql<string>`substr(found_at, 1, 10)`;
      const rows = await db
        .selectFrom("run_detections")
        .select((eb) => [day.as("day"), eb.fn.countAll().as("n")])
        .where("found_at", ">=", since)
        .groupBy(day)
        .orderBy(day)
        .execute();
      return rows.map((r) => ({ day: r.day, count: Number(r.n) }));
    },
    async audit(entry) {
      await auditIn(db, now(), entry);
    },
    async listAudit(options = {}) {
      const { limit, offset } = page(options);
      let query = db.selectFrom("audit_log");
      // lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
      if (options.actor !== undefined) query = query.where(sql<boolean>`lower(actor) like ${`%${likeEscape(options.actor.toLowerCase())}%`} escape '\\'`);
      if (options.action !== undefined) query = query.where(sql<boolean>`lower(action) like ${`${likeEscape(options.action.toLowerCase())}%`} escape '\\'`);
      const total = await query.select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
      const rows = await query.selectAll().orderBy("at", "desc").orderBy("id", "desc").limit(limit).offset(offset).execute();
      return { entries: rows.map((r) => ({ ...r, details: parseJson<unknown>(r.details) })), total: Number(total.n) };
    },
    getSettings: () => getSettings(),
    updateSettings(change, actor) {
      const at = now();
      return write(async (trx) => {
        for (const [key, value] of Object.entries(change)) {
          if (value === undefined) continue;
          await trx
            .insertInto("settings")
            .values({ key, value: JSON.stringify(value) })
            .onConflict((oc) => oc.column("key").doUpdateSet({ value: JSON.stringify(value) }))
            .execute();
        }
        await auditIn(trx, at, { actor, action: "settings.update", target: "settings", details: change });
        return getSettings(trx);
      });
    },
    async runJob(name, periodMs, work) {
      const outcome = await driver.withJobLock(name, async () => {
        const at = now();
        const last = await db.selectFrom("job_runs").select("last_run_at").where("name", "=", name).executeTakeFirst();
        if (last !== undefined && Date.parse(last.last_run_at) + periodMs > Date.parse(at)) return { ran: false as const };
        await db
          .insertInto("job_runs")
          .values({ name, last_run_at: at })
          .onConflict((oc) => oc.column("name").doUpdateSet({ last_run_at: at }))
          .execute();
        return { ran: true as const, value: await work() };
      });
      return outcome.ran && outcome.value.ran ? outcome.value.value : undefined;
    },
    openDueWindows(isOpen) {
      const at = now();
      return write(async (trx) => {
        const waiting = await trx
          .selectFrom("tasks as t")
          .innerJoin("task_runs as r", "r.task_id", "t.id")
          .select(["t.id", "t.run_window"])
          .distinct()
          .where("t.run_mode", "=", "window")
          .where("t.state", "=", "started")
          .where("r.state", "=", "scheduled")
          .where("r.current", "=", 1)
          .execute();
        const due = waiting.filter((t) => t.run_window !== null && isOpen(t.run_window)).map((t) => t.id);
        if (due.length === 0) return [];
        const opened = await trx
          .updateTable("task_runs")
          .set({ state: "pending", pending_order: "start", order_sent_at: null, updated_at: at })
          .where("task_id", "in", due)
          .where("state", "=", "scheduled")
          .where("current", "=", 1)
          .returning("device_id")
          .execute();
        return [...new Set(opened.map((r) => r.device_id))];
      });
    },
    async purgeRunsFinishedBefore(before) {
      let deleted = 0;
      for (;;) {
        const count = await write(async (trx) => {
          const oldest = await trx
            .selectFrom("task_runs")
            .select("id")
            .where("finished_at", "<", before)
            .where("state", "in", FINAL_STATES)
            .orderBy("finished_at")
            .orderBy("id")
            .limit(PURGE_BATCH)
            .execute();
          if (oldest.length === 0) return 0;
          const ids = oldest.map((r) => r.id);
          await trx.deleteFrom("run_detections").where("run_id", "in", ids).execute();
          return Number((await trx.deleteFrom("task_runs").where("id", "in", ids).executeTakeFirst()).numDeletedRows);
        });
        deleted += count;
        if (count < PURGE_BATCH) return deleted;
      }
    },
    async purgeExpiredTasks(at) {
      const expired = await db.selectFrom("tasks").select("id").where("standalone", "=", 1).where("delete_after", "<=", at).orderBy("delete_after").execute();
      let deleted = 0;
      for (const { id } of expired) {
        const gone = await write(async (trx) => {
          if (!(await deleteTaskRows(trx, id))) return false;
          await auditIn(trx, at, { actor: "system", action: "task.expire", target: `task:${id}` });
          return true;
        });
        if (gone) deleted++;
      }
      return deleted;
    },
  };
}
