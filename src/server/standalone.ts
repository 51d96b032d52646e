/**
 * Stand-alone tasks (created by the sandbox intake, issue 9): flagged as such, their one IOC
 * file is generated (never uploaded), custom IOC files are refused, and the retention job deletes
 * them `standaloneTaskDays` (30) days after creation.
 *
 * @module
 */
import type { TaskSettings } from "../core/api/index.js";
import type { FleetStore, RunMode, Task, TaskTarget } from "../store/fleet/index.js";
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
}

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
  const validation = validateIocFile(options.ioc.content);
  if (!validation.usable) {
    const first = validation.diagnostics.find((d) => d.severity === "error");
    throw new RangeError(`Cannot create stand-alone task "${options.name}": the generated IOC file is unusable${first ? ` (${first.code}: ${first.message})` : ""}`);
  }
  const file = await store.addIocFile({ name: options.ioc.name, content: options.ioc.content, sha256: sha256Hex(options.ioc.content), validation, generated: true }, options.actor);
  const task = await store.createTask(
    {
      name: options.name,
      target: options.target,
      iocFileIds: [file.id],
      settings: options.settings,
      runMode: options.runMode,
      ...(options.window === undefined ? {} : { window: options.window }),
      standalone: true,
    },
    options.actor,
  );
  if (options.runMode === "immediately") {
    const runs = await store.listRuns(task.id, { limit: 1000 });
    await notifier.notify(runs.map((r) => r.deviceId));
  }
  return task;
}
