/**
 * Finding a loaded module's file: /lib/modules/RELEASE/modules.dep names every installed module
 * (`kernel/drivers/net/dummy.ko.xz: deps...`); without it the tree is walked. A module name uses
 * `_` where its file name may use `-` (`snd-hda-intel.ko` is `snd_hda_intel`).
 *
 * Shared by the ModuleItem collector and the Critical Areas Scan. Paths are in memory form
 * (shared/path-text.ts): a module file whose name is not UTF-8 is found by its bytes; links are
 * resolved inside an image, never on this machine.
 *
 * @module
 */
import { lstat, readdir, readFile } from "node:fs/promises";
import { posix } from "node:path";
import { fsPath, memoryText } from "../../shared/fs-path.js";
import { pathText } from "../../shared/path-text.js";
import { isGone, readWarning } from "../_shared/errors.js";
import { diskPathOf, resolveHostPath } from "../_shared/image-path.js";
import type { CollectorContext } from "../types.js";

const MODULE_FILE = /\.ko(\.xz|\.zst|\.gz)?$/;

/** Folders below /lib/modules/RELEASE walked at most when there is no modules.dep. */
const MAX_MODULE_DEPTH = 16;

/** The module name a file provides (`/x/snd-hda-intel.ko.zst` → `snd_hda_intel`). */
export function moduleNameOf(path: string): string | undefined {
  const base = posix.basename(path);
  return MODULE_FILE.test(base) ? base.replace(MODULE_FILE, "").replaceAll("-", "_") : undefined;
}

/**
 * Module name → host path (memory form) of its file, for kernel `release` of the host view: the
 * lines of modules.dep, else the module files of that tree (not through linked folders, such as
 * `build` → the kernel headers). `stopped` ends the walk early.
 */
export async function indexModuleFiles(context: CollectorContext, release: string, stopped: () => boolean = () => false): Promise<Map<string, string>> {
  const dir = `/lib/modules/${release}`;
  const files = new Map<string, string>();
  const add = (path: string): void => {
    const name = moduleNameOf(path);
    if (name !== undefined && !files.has(name)) files.set(name, path);
  };
  const dep = await readModulesDep(context, `${dir}/modules.dep`);
  if (dep !== undefined) {
    for (const line of dep.split(/\r?\n/)) {
      const file = line.slice(0, line.indexOf(":"));
      if (file !== "") add(file.startsWith("/") ? file : `${dir}/${file}`);
    }
    return files;
  }
  const stack: [string, number][] = [[dir, 0]];
  for (let next = stack.pop(); next !== undefined && !stopped(); next = stack.pop()) {
    const [folder, depth] = next;
    for (const name of await listNames(context, folder)) {
      const path = `${folder}/${name}`;
      add(path);
      if (depth < MAX_MODULE_DEPTH && moduleNameOf(path) === undefined) {
        const real = await resolveHostPath(context.host, path, { keepLast: true }).catch(() => path);
        const info = await lstat(fsPath(context.host.toDisk(real))).catch(() => undefined);
        if (info?.isDirectory() === true) stack.push([path, depth + 1]);
      }
    }
  }
  return files;
}

/** modules.dep's text in memory form; undefined when it does not exist or cannot be read (warned). */
async function readModulesDep(context: CollectorContext, hostPath: string): Promise<string | undefined> {
  try {
    return memoryText(await readFile(fsPath(await diskPathOf(context.host, hostPath))));
  } catch (error) {
    if (!isGone(error)) context.warn(readWarning(error, "read file", pathText(hostPath)));
    return undefined;
  }
}

/** A folder's entry names in memory form; empty when it is absent or unreadable. */
async function listNames(context: CollectorContext, hostDir: string): Promise<string[]> {
  try {
    return (await readdir(fsPath(await diskPathOf(context.host, hostDir)), { encoding: "buffer" })).map(memoryText).sort();
  } catch {
    return [];
  }
}
