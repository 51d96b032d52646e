/**
 * A scope root that is (or passes through) a symbolic link is resolved once, before the walk,
 * so `/lib` on a merged-/usr system is walked as `/usr/lib`. Resolution stays inside the scanned
 * host: under `--root`, an absolute link target names a path in the image, not on this machine.
 *
 * @module
 */
import { lstat } from "node:fs/promises";
import { fsPath, readlinkMemory } from "../../shared/fs-path.js";
import { pathText } from "../../shared/path-text.js";
import type { HostView } from "../types.js";

/** As the kernel's MAXSYMLINKS: more links than this on one path is a loop. */
const MAX_LINKS = 40;

/** A resolution that went round in circles. */
export class SymlinkLoopError extends Error {
  readonly code = "ELOOP";
}

/**
 * The host path with every symbolic link resolved, like realpath(3) but inside `host`. Paths are
 * in memory form (shared/path-text.ts): a component whose name is not UTF-8 is looked at through
 * its bytes, and a link's target is read as bytes.
 */
export async function resolveHostPath(host: HostView, hostPath: string): Promise<string> {
  let pending = hostPath.split("/").filter((part) => part !== "");
  let resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === ".") continue;
    if (part === "..") {
      resolved.pop();
      continue;
    }
    const candidate = `/${[...resolved, part].join("/")}`;
    const stat = await lstat(fsPath(host.toDisk(candidate)));
    if (!stat.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw new SymlinkLoopError(`too many symbolic links resolving ${pathText(hostPath)}`);
    const target = await readlinkMemory(host.toDisk(candidate));
    if (target.startsWith("/")) resolved = [];
    pending = [...target.split("/").filter((p) => p !== ""), ...pending];
  }
  return `/${resolved.join("/")}`;
}
