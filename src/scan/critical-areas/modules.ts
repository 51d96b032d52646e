/**
 * The kernel-modules area: the loaded list (/proc/modules) against /sys/module, where a
 * loadable module present in sysfs (it has `initstate` or `sections`) but missing from
 * /proc/modules is `hidden-kernel-module`; and the files of the loaded modules.
 *
 * Module names and file paths are read as bytes (memory form, src/shared/path-text.ts), so a
 * module file whose path is not UTF-8 is found and opened; findings name it in text form.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import { release } from "node:os";
import { indexModuleFiles } from "../../collectors/module/module-files.js";
import { fsPath } from "../../shared/fs-path.js";
import { pathText } from "../../shared/path-text.js";
import type { AreaContext } from "./area-context.js";
import { addFile, listDir, readMemoryText } from "./host-files.js";

const AREA = "kernel-modules" as const;

/** Module names of a /proc/modules text. */
export function loadedModules(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const name = line.split(" ")[0] ?? "";
    if (name !== "") names.add(name);
  }
  return names;
}

async function readText(ctx: AreaContext, hostPath: string): Promise<string | undefined> {
  return readMemoryText(ctx, hostPath).catch(() => undefined);
}

async function exists(ctx: AreaContext, hostPath: string): Promise<boolean> {
  return stat(fsPath(ctx.host.toDisk(hostPath))).then(
    () => true,
    () => false,
  );
}

/** The kernel release of the host: its /proc/sys/kernel/osrelease, else this machine's, else the only /lib/modules folder. */
async function kernelRelease(ctx: AreaContext): Promise<string | undefined> {
  const proc = (await readText(ctx, "/proc/sys/kernel/osrelease"))?.trim();
  if (proc !== undefined && proc !== "") return proc;
  if (ctx.host.live) return release();
  const dirs = await listDir(ctx, "/lib/modules");
  return dirs.length === 1 ? dirs[0] : undefined;
}

/** Scans the kernel modules of the host view. */
export async function scanModules(ctx: AreaContext): Promise<void> {
  const first = await readText(ctx, "/proc/modules");
  if (first === undefined) {
    ctx.area(AREA).note = "no /proc/modules: a kernel without module support, or an image without /proc";
    return;
  }
  const loaded = loadedModules(first);
  ctx.sawObjects(AREA, loaded.size);
  ctx.count("modulesLoaded", loaded.size);

  // Loadable modules in sysfs; built-in ones appear there too, but without initstate/sections.
  const suspects: string[] = [];
  for (const name of await listDir(ctx, "/sys/module")) {
    if (ctx.stopped()) return;
    if (loaded.has(name)) continue;
    if ((await exists(ctx, `/sys/module/${name}/initstate`)) || (await exists(ctx, `/sys/module/${name}/sections`))) suspects.push(name);
  }
  if (suspects.length > 0) {
    // A module loaded between the two reads is not hidden: read the list again.
    const again = loadedModules((await readText(ctx, "/proc/modules")) ?? "");
    for (const name of suspects) {
      if (again.has(name)) continue;
      const state = (await readText(ctx, `/sys/module/${name}/initstate`))?.trim();
      ctx.flag({
        area: AREA,
        name: "hidden-kernel-module",
        objectId: pathText(name),
        document: "ModuleItem",
        detail: `kernel module "${pathText(name)}" is in /sys/module${state !== undefined ? ` (initstate ${state})` : ""} but missing from /proc/modules: a module hiding itself from lsmod`,
      });
    }
  }

  const version = await kernelRelease(ctx);
  if (version === undefined) {
    ctx.area(AREA).note = "kernel release unknown: module files not checked";
    return;
  }
  const files = await indexModuleFiles(ctx.collectorContext([], "ModuleItem"), version, () => ctx.stopped());
  for (const name of [...loaded, ...suspects]) {
    if (ctx.stopped()) return;
    const file = files.get(name);
    if (file !== undefined) await addFile(ctx, AREA, file, `file of kernel module ${pathText(name)}`);
  }
}

