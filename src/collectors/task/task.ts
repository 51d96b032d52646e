/**
 * TaskItem from cron: /etc/crontab, /etc/cron.d/*, and the user crontabs in
 * /var/spool/cron/crontabs (Debian) and /var/spool/cron (Red Hat) of the host view.
 *
 * @module
 */
import { LINUX_COLLECTED } from "../../core/vocabulary/index.js";
import { lstat } from "node:fs/promises";
import { diskPathOf } from "../_shared/image-path.js";
import { listHostDir, readHostText } from "../_shared/read.js";
import { toRecord } from "../_shared/record.js";
import { defineCollector } from "../define.js";
import type { CollectorContext, HostRecord } from "../types.js";
import { parseCrontab, type CrontabSource } from "./crontab.js";

/** Regular files of a host folder (cron ignores the rest, and so do we). */
async function filesIn(context: CollectorContext, hostDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await listHostDir(context, hostDir)) {
    // cron skips editor backups and package-manager leftovers (run-parts naming rules).
    if (name.startsWith(".") || name.endsWith("~") || /\.dpkg-(old|dist|new)$/.test(name)) continue;
    const path = `${hostDir}/${name}`;
    const info = await lstat(await diskPathOf(context.host, path, { keepLast: true })).catch(() => undefined);
    if (info?.isFile() === true) out.push(path);
  }
  return out;
}

/** Every crontab of the host view. */
async function crontabs(context: CollectorContext): Promise<CrontabSource[]> {
  const system: CrontabSource[] = [{ path: "/etc/crontab" }, ...(await filesIn(context, "/etc/cron.d")).map((path) => ({ path }))];
  const user = [...(await filesIn(context, "/var/spool/cron/crontabs")), ...(await filesIn(context, "/var/spool/cron"))].map((path) => ({
    path,
    user: path.slice(path.lastIndexOf("/") + 1),
  }));
  return [...system, ...user];
}

/** The TaskItem collector. */
export const taskCollector = defineCollector({
  name: "task",
  document: "TaskItem",
  platforms: ["linux"],
  liveOnly: false,
  // Exactly the terms the vocabulary says iocscan collects (a registry test keeps them equal).
  fields: LINUX_COLLECTED["TaskItem"] ?? [],
  permission: "fs.read",
  description: "Scheduled commands from the system and user crontabs",
  async *collect(context: CollectorContext): AsyncGenerator<HostRecord> {
    for (const source of await crontabs(context)) {
      if (context.signal?.aborted === true) return;
      const text = await readHostText(context, source.path);
      if (text === undefined) continue;
      for (const fields of parseCrontab(text, source)) yield toRecord("TaskItem", fields, source.path);
    }
  },
});
