/**
 * Finding unit files the way systemd does, inside the host view: the unit folders in precedence
 * order, symlinks resolved inside the image (masked, aliased and linked units), drop-in folders,
 * and the `*.wants/` links that make a unit enabled.
 *
 * @module
 */
import { lstat, readlink } from "node:fs/promises";
import { posix } from "node:path";
import { diskPathOf } from "../_shared/image-path.js";
import { listHostDir } from "../_shared/read.js";
import type { CollectorContext } from "../types.js";

/** Highest precedence first (systemd.unit(5), "System Unit Search Path"). */
export const UNIT_DIRS = ["/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"] as const;

/** Where a unit name leads. */
export type UnitLocation =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "masked" }
  /** A symlink to a unit of another name: that unit is reported under its own name. */
  | { readonly kind: "alias" };

/** A host path's link target, resolved as a host path, or undefined when it is not a link. */
async function hostLinkTarget(context: CollectorContext, hostPath: string): Promise<string | undefined> {
  const disk = await diskPathOf(context.host, hostPath, { keepLast: true });
  const info = await lstat(disk).catch(() => undefined);
  if (info?.isSymbolicLink() !== true) return undefined;
  const target = await readlink(disk);
  // Resolve as a host path so an image's absolute links stay inside the image.
  return posix.resolve(posix.dirname(hostPath), target);
}

/** Where `name`, found in `dir`, leads. */
export async function locateUnit(context: CollectorContext, dir: string, name: string): Promise<UnitLocation> {
  const path = `${dir}/${name}`;
  const target = await hostLinkTarget(context, path).catch(() => undefined);
  if (target === undefined) return { kind: "file", path };
  if (target === "/dev/null") return { kind: "masked" };
  return posix.basename(target) === name ? { kind: "file", path: target } : { kind: "alias" };
}

/** Unit names (`*.service`) of each unit folder, highest precedence first, each name once. */
export async function listServiceUnits(context: CollectorContext): Promise<Map<string, string>> {
  const dirOf = new Map<string, string>();
  for (const dir of UNIT_DIRS) {
    for (const name of await listHostDir(context, dir)) if (name.endsWith(".service") && !dirOf.has(name)) dirOf.set(name, dir);
  }
  return dirOf;
}

/** Drop-in files of a unit (`NAME.d/*.conf`): a file name in a higher folder hides the same name below; applied by name. */
export async function listDropIns(context: CollectorContext, name: string): Promise<string[]> {
  const byName = new Map<string, string>();
  for (const dir of UNIT_DIRS) {
    for (const file of await listHostDir(context, `${dir}/${name}.d`)) {
      if (file.endsWith(".conf") && !byName.has(file)) byName.set(file, `${dir}/${name}.d/${file}`);
    }
  }
  return [...byName.keys()].sort().map((file) => byName.get(file) ?? "");
}

/**
 * Unit names that are enabled: links in /etc/systemd/system/*.wants and *.requires (what
 * `systemctl enable` creates). An instance link `getty@tty1.service` enables `getty@.service` too.
 */
export async function listEnabledUnits(context: CollectorContext): Promise<Set<string>> {
  const enabled = new Set<string>();
  const root = "/etc/systemd/system";
  for (const entry of await listHostDir(context, root)) {
    if (!entry.endsWith(".wants") && !entry.endsWith(".requires")) continue;
    for (const name of await listHostDir(context, `${root}/${entry}`)) {
      enabled.add(name);
      const template = /^(.+@)[^@]*(\.[a-z]+)$/.exec(name);
      if (template?.[1] !== undefined) enabled.add(`${template[1]}${template[2] ?? ""}`);
    }
  }
  return enabled;
}
