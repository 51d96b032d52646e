/**
 * Stand-alone tasks (created by the sandbox intake, issue 9): flagged as such, their one IOC
 * file is generated (never uploaded), custom IOC files are refused, and the retention job deletes
 * them `standaloneTaskDays` (30) days after creation.
 *
 * @module
 */
import type { TaskSettings } from "../core/api/index.js";
import type { FleetStore, IocValidation, RunMode, Task, TaskOrigin, TaskTarget } from "../store/fleet/index.js";
import type { Notifier } from "./notifier.js";
import { sha256Hex, validateIocFile } from "./ioc-validation.js";

export interface StandaloneTaskOptions {
  name: string;
  /** The generated OpenIOC document. */
  ioc: { name: string; content: Uint8Array };
  target: TaskTarget;
  settings: TaskSettings;
  runMode: RunMode;
  window?: string;
  /** For the audit log, e.g. `sandbox:<report id>`. */
  actor: string;
  /** Where it came from, shown with the task. */
  origin?: TaskOrigin;
}

/** The generated file's validation; a RangeError naming the first error when it is not usable. */
function validateGenerated(options: StandaloneTaskOptions): IocValidation {
  const validation = validateIocFile(options.ioc.content);
  if (!validation.usable) {
    const first = validation.diagnostics.find((d) => d.severity === "error");
    throw new RangeError(`Cannot create stand-alone task "${options.name}": the generated IOC file is unusable${first ? ` (${first.code}: ${first.message})` : ""}`);
  }
  return validation;
}

/** Wakes the long polls of the devices of a task that started at once. */
async function wakeRuns(store: FleetStore, notifier: Notifier, task: Task): Promise<void> {
  if (task.runMode !== "immediately") return;
  const runs = await store.listRuns(task.id, { limit: 1000 });
  await notifier.notify(runs.map((r) => r.deviceId));
}

const taskFields = (options: StandaloneTaskOptions) => ({
  name: options.name,
  target: options.target,
  settings: options.settings,
  runMode: options.runMode,
  ...(options.window === undefined ? {} : { window: options.window }),
  ...(options.origin === undefined ? {} : { origin: options.origin }),
});

/**
 * Stores the generated IOC file and creates the stand-alone task; throws a RangeError when the
 * generated file is not usable.
 *
 * @example
 * ```ts
 * const task = await createStandaloneTask(store, notifier, { name: "Sandbox: evil.exe", ioc: { name: "evil.ioc", content }, target: { kind: "devices", deviceIds: [id] }, settings, runMode: "immediately", actor: "sandbox:42" });
 * ```
 */
export async function createStandaloneTask(store: FleetStore, notifier: Notifier, options: StandaloneTaskOptions): Promise<Task> {
  const validation = validateGenerated(options);
  const file = await store.addIocFile({ name: options.ioc.name, content: options.ioc.content, sha256: sha256Hex(options.ioc.content), validation, generated: true }, options.actor);
  const task = await store.createTask({ ...taskFields(options), iocFileIds: [file.id], standalone: true }, options.actor);
  await wakeRuns(store, notifier, task);
  return task;
}

/**
 * Like {@link createStandaloneTask}, but reuses the task created for the same `reuse.key` at or
 * after `reuse.since` (if it still exists) instead of making another; concurrent calls with one
 * key create one task (the store locks the key in the creating transaction).
 *
 * @example
 * ```ts
 * const { task, reused } = await createStandaloneTaskOnce(store, notifier, { ...options, reuse: { key: `${groupId}|sha256:${hash}`, since } });
 * ```
 */
export async function createStandaloneTaskOnce(
  store: FleetStore,
  notifier: Notifier,
  options: StandaloneTaskOptions & { reuse: { key: string; since: string } },
): Promise<{ task: Task; reused: boolean }> {
  const validation = validateGenerated(options);
  const outcome = await store.createStandaloneTaskOnce(
    {
      key: options.reuse.key,
      since: options.reuse.since,
      iocFile: { name: options.ioc.name, content: options.ioc.content, sha256: sha256Hex(options.ioc.content), validation },
      task: taskFields(options),
    },
    options.actor,
  );
  if (!outcome.reused) await wakeRuns(store, notifier, outcome.task);
  return outcome;
}
