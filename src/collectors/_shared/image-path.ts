/**
 * Symlinks inside an image under `--root` point at the image's own `/`: `/etc/os-release →
 * /usr/lib/os-release`, `/lib → /usr/lib`. Opening `toDisk(path)` would let the kernel follow such
 * a link out of the image into this machine's files, and report the analyst's own /etc/passwd as
 * the suspect's. So for an image every link is resolved here, inside the root.
 *
 * @module
 */
import { lstat } from "node:fs/promises";
import { posix } from "node:path";
import { fsPath, readlinkMemory } from "../../shared/fs-path.js";
import { pathText } from "../../shared/path-text.js";
import type { HostView } from "../types.js";

/** Linux's own limit (MAXSYMLINKS). */
const MAX_LINKS = 40;

/**
 * `hostPath` with every symlink resolved inside the image (live hosts: unchanged). A missing
 * component ends the walk: opening the result then fails with ENOENT as it should. Paths are in
 * memory form (shared/path-text.ts): names that are not UTF-8 are looked at, and link targets
 * read, by their bytes.
 */
export async function resolveHostPath(host: HostView, hostPath: string, options: { keepLast?: boolean } = {}): Promise<string> {
  if (host.live) return hostPath;
  const full = posix.resolve("/", hostPath);
  const parts = (options.keepLast === true ? posix.dirname(full) : full).split("/").filter((p) => p !== "");
  let current = "/";
  let links = 0;
  for (let part = parts.shift(); part !== undefined; part = parts.shift()) {
    const candidate = posix.join(current, part);
    const info = await lstat(fsPath(host.toDisk(candidate))).catch(() => undefined);
    if (info?.isSymbolicLink() !== true) {
      current = candidate;
      if (info === undefined) return posix.join(current, ...parts, ...(options.keepLast === true ? [posix.basename(full)] : []));
      continue;
    }
    if (++links > MAX_LINKS) throw Object.assign(new Error(`Cannot resolve "${pathText(hostPath)}": too many symbolic links`), { code: "ELOOP" });
    const target = await readlinkMemory(host.toDisk(candidate));
    parts.unshift(...target.split("/").filter((p) => p !== ""));
    if (target.startsWith("/")) current = "/";
  }
  return options.keepLast === true && full !== "/" ? posix.join(current, posix.basename(full)) : current;
}

/** The path to open on this machine for `hostPath`, links resolved inside the image. */
export async function diskPathOf(host: HostView, hostPath: string, options: { keepLast?: boolean } = {}): Promise<string> {
  return host.toDisk(await resolveHostPath(host, hostPath, options));
}
