/**
 * Finding a loaded module's file: /lib/modules/RELEASE/modules.dep names every installed module
 * (`kernel/drivers/net/dummy.ko.xz: deps...`); without it the tree is walked. A module name uses
 * `_` where its file name may use `-` (`snd-hda-intel.ko` is `snd_hda_intel`).
 *
 * @module
 */
import { readdir } from "node:fs/promises";
import { posix } from "node:path";
import { isGone } from "../_shared/errors.js";
import { linesOf, readHostText } from "../_shared/read.js";
import type { CollectorContext } from "../types.js";

const MODULE_FILE = /\.ko(\.xz|\.zst|\.gz)?$/;

/** The module name a file provides (`/x/snd-hda-intel.ko.zst` → `snd_hda_intel`). */
export function moduleNameOf(path: string): string | undefined {
  const base = posix.basename(path);
  return MODULE_FILE.test(base) ? base.replace(MODULE_FILE, "").replaceAll("-", "_") : undefined;
}

/** Module name → host path of its file, for kernel `release` of the host view. */
export async function indexModuleFiles(context: CollectorContext, release: string): Promise<Map<string, string>> {
  const dir = `/lib/modules/${release}`;
  const files = new Map<string, string>();
  const add = (path: string): void => {
    const name = moduleNameOf(path);
    if (name !== undefined && !files.has(name)) files.set(name, path);
  };
  const dep = await readHostText(context, `${dir}/modules.dep`);
  if (dep !== undefined) {
    for (const line of linesOf(dep)) {
      const file = line.slice(0, line.indexOf(":"));
      if (file !== "") add(file.startsWith("/") ? file : `${dir}/${file}`);
    }
    return files;
  }
  try {
    for (const entry of await readdir(context.host.toDisk(dir), { recursive: true })) add(`${dir}/${entry}`);
  } catch (error) {
    if (!isGone(error)) throw error;
  }
  return files;
}
