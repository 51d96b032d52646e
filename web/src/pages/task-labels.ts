import type { Task } from "../api/types.js";

/** "Manually", "Immediately", "Daily window 22:00-06:00 UTC". */
export function runModeLabel(task: Pick<Task, "runMode" | "window">): string {
  if (task.runMode === "window") return `Daily window ${task.window ?? "?"} UTC`;
  return task.runMode === "manual" ? "Manually" : "Immediately";
}
