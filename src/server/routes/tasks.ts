/**
 * `/tasks`: group tasks with IOC files, settings and a run mode; the operations start, stop,
 * pause, resume and re-run on failed devices; per-device runs. Every operation wakes the polls of
 * the devices it concerns.
 *
 * @module
 */
import { z } from "zod";
import { DEFAULT_TASK_SETTINGS } from "../../core/api/index.js";
import type { FleetStore, Task } from "../../store/fleet/index.js";
import type { ServerContext } from "../context.js";
import { HttpError, notFound } from "../http-error.js";
import { route, type AnyRoute } from "../route.js";
import { CreateTaskBody, OperationOut, pageOf, RunOut, RunQuery, TaskListQuery, TaskOut, UpdateTaskBody } from "../schemas.js";
import { isInWindow } from "../window.js";

const bad = (field: string, message: string): HttpError => new HttpError(400, "invalid-request", `Invalid body: "${field}": ${message}`, { details: { issues: [{ path: field, code: "custom", message }] } });

/** Refuses IOC file ids that are unknown, unusable or generated for a stand-alone task. */
async function checkIocFiles(store: FleetStore, ids: readonly string[]): Promise<void> {
  for (const [index, id] of ids.entries()) {
    const file = await store.getIocFile(id);
    if (file === undefined) throw bad(`iocFileIds.${index}`, `no IOC file "${id}"`);
    if (!file.usable) throw bad(`iocFileIds.${index}`, `IOC file "${file.name}" is unusable`);
    if (file.generated) throw bad(`iocFileIds.${index}`, `IOC file "${file.name}" belongs to a stand-alone task`);
  }
}

export function taskRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, notifier } = ctx;
  const requireTask = async (id: string): Promise<Task> => {
    const task = await store.getTask(id);
    if (task === undefined) throw notFound("task", id);
    return task;
  };
  /** Opens the windows that are open now, so a window task started inside its window starts at once. */
  const openWindows = async (): Promise<string[]> => store.openDueWindows((w) => isInWindow(w, ctx.now()));

  const operation = (verb: "start" | "stop" | "pause" | "resume" | "rerun-failed", summary: string): AnyRoute =>
    route({
      method: "post",
      path: `/tasks/:id/${verb}`,
      access: "operator",
      summary,
      response: { status: 200, schema: OperationOut },
      async handle({ c, params, user }) {
        const id = params["id"] ?? "";
        const actor = `user:${user?.name ?? ""}`;
        const operate = {
          start: () => store.startTask(id, actor),
          stop: () => store.stopTask(id, actor),
          pause: () => store.pauseTask(id, actor),
          resume: () => store.resumeTask(id, actor),
          "rerun-failed": () => store.rerunFailed(id, actor),
        }[verb];
        const devices = await operate();
        if (devices === undefined) throw notFound("task", id);
        const opened = verb === "start" || verb === "rerun-failed" || verb === "resume" ? await openWindows() : [];
        await notifier.notify([...devices, ...opened]);
        return c.json({ task: await requireTask(id), devices: devices.length });
      },
    });

  return [
    route({
      method: "get",
      path: "/tasks",
      access: "viewer",
      summary: "List tasks with counts of device runs per state and overall progress",
      query: TaskListQuery,
      response: { status: 200, schema: z.object({ items: z.array(TaskOut) }) },
      async handle({ c, query }) {
        return c.json({ items: await store.listTasks({ limit: query.limit, offset: query.offset, ...(query.standalone === undefined ? {} : { standalone: query.standalone }) }) });
      },
    }),
    route({
      method: "post",
      path: "/tasks",
      access: "operator",
      summary: "Create a task for a group (with its subgroups) or a list of devices; run mode immediately starts it",
      body: CreateTaskBody,
      response: { status: 201, schema: TaskOut },
      async handle({ c, body, user }) {
        if (body.target.kind === "group" && (await store.getGroup(body.target.groupId)) === undefined) throw bad("target.groupId", `no group "${body.target.groupId}"`);
        if (body.target.kind === "devices") {
          for (const [index, deviceId] of body.target.deviceIds.entries()) {
            if ((await store.getDevice(deviceId)) === undefined) throw bad(`target.deviceIds.${index}`, `no device "${deviceId}"`);
          }
        }
        await checkIocFiles(store, body.iocFileIds);
        const task = await store.createTask(
          {
            name: body.name,
            target: body.target,
            iocFileIds: body.iocFileIds,
            settings: body.settings ?? DEFAULT_TASK_SETTINGS,
            runMode: body.runMode,
            ...(body.window === undefined ? {} : { window: body.window }),
          },
          `user:${user?.name ?? ""}`,
        );
        if (body.runMode === "immediately") {
          const runs = await store.listRuns(task.id, { limit: 1000 });
          await notifier.notify(runs.map((r) => r.deviceId));
        }
        return c.json(task, 201);
      },
    }),
    route({
      method: "get",
      path: "/tasks/:id",
      access: "viewer",
      summary: "Show a task with its counts per state",
      response: { status: 200, schema: TaskOut },
      async handle({ c, params }) {
        return c.json(await requireTask(params["id"] ?? ""));
      },
    }),
    route({
      method: "patch",
      path: "/tasks/:id",
      access: "operator",
      summary: "Change a task's name, settings, run mode, window or IOC files (applies to runs started afterwards)",
      body: UpdateTaskBody,
      response: { status: 200, schema: TaskOut },
      async handle({ c, body, params, user }) {
        const task = await requireTask(params["id"] ?? "");
        if (body.iocFileIds !== undefined) {
          if (task.standalone) throw bad("iocFileIds", "a stand-alone task runs only its generated IOC file");
          await checkIocFiles(store, body.iocFileIds);
        }
        const runMode = body.runMode ?? task.runMode;
        const window = body.window === undefined ? task.window : body.window;
        if ((runMode === "window") !== (window !== null)) throw bad("window", 'A window is required for run mode "window" and allowed only there');
        const updated = await store.updateTask(
          task.id,
          {
            ...(body.name === undefined ? {} : { name: body.name }),
            ...(body.settings === undefined ? {} : { settings: body.settings }),
            ...(body.runMode === undefined ? {} : { runMode: body.runMode }),
            ...(body.window === undefined && body.runMode === undefined ? {} : { window }),
            ...(body.iocFileIds === undefined ? {} : { iocFileIds: body.iocFileIds }),
          },
          `user:${user?.name ?? ""}`,
        );
        return c.json(updated);
      },
    }),
    route({
      method: "delete",
      path: "/tasks/:id",
      access: "operator",
      summary: "Delete a task with its runs and detections (held runs are told to stop first)",
      response: { status: 204 },
      async handle({ c, params, user }) {
        const id = params["id"] ?? "";
        const actor = `user:${user?.name ?? ""}`;
        const stopped = await store.stopTask(id, actor);
        if (stopped === undefined) throw notFound("task", id);
        await store.deleteTask(id, actor);
        await notifier.notify(stopped);
        return c.body(null, 204);
      },
    }),
    operation("start", "Start the task: a new run on every target device (replacing the previous runs)"),
    operation("stop", "Stop the task's unfinished runs"),
    operation("pause", "Pause the task's running runs; pending ones wait"),
    operation("resume", "Resume a paused task"),
    operation("rerun-failed", "Run the task again on the devices whose run failed"),
    route({
      method: "get",
      path: "/tasks/:id/runs",
      access: "viewer",
      summary: "The task's current run per device: state, percent, start, finish, reason",
      query: RunQuery,
      response: { status: 200, schema: pageOf(RunOut) },
      async handle({ c, params, query }) {
        const task = await requireTask(params["id"] ?? "");
        const items = await store.listRuns(task.id, { limit: query.limit, offset: query.offset, ...(query.state === undefined ? {} : { state: query.state }) });
        const total = query.state === undefined ? Object.values(task.counts).reduce((a, b) => a + b, 0) : task.counts[query.state];
        return c.json({ items, total });
      },
    }),
  ];
}
