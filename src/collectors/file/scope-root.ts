/**
 * A scope root that is (or passes through) a symbolic link is resolved once, before the walk,
 * so `/lib` on a merged-/usr system is walked as `/usr/lib`. Resolution stays inside the scanned
 * host: under `--root`, an absolute link target names a path in the image, not on this machine.
 *
 * @module
 */
import { lstat, readlink } from "node:fs/promises";
import type { HostView } from "../types.js";

/** As the kernel's MAXSYMLINKS: more links than this on one path is a loop. */
const MAX_LINKS = 40;

/** A resolution that went round in circles. */
export class SymlinkLoopError extends Error {
  readonly code = "ELOOP";
}

/** The host path with every symbolic link resolved, like realpath(3) but inside `host`. */
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
    const stat = await lstat(host.toDisk(candidate));
    if (!stat.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw new SymlinkLoopError(`too many symbolic links resolving ${hostPath}`);
    const target = await readlink(host.toDisk(candidate));
    if (target.startsWith("/")) resolved = [];
    pending = [...target.split("/").filter((p) => p !== ""), ...pending];
  }
  return `/${resolved.join("/")}`;
}
