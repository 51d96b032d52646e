/**
 * The {@link HostView} of a live host or of a mounted image under `--root`.
 *
 * @module
 */
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import type { HostView } from "./types.js";

/** Creates the view of the host whose `/` is `root` on this machine ("/" for this computer). */
export function createHostView(root = "/"): HostView {
  const diskRoot = resolve(root);
  const live = diskRoot === "/";
  return {
    root: diskRoot,
    live,
    toDisk(hostPath: string): string {
      if (live) return resolve("/", hostPath);
      // Resolve inside the image first, so ".." can never climb out of it.
      return join(diskRoot, resolve("/", hostPath));
    },
    toHost(diskPath: string): string {
      if (live) return diskPath;
      const inside = relative(diskRoot, diskPath);
      if (inside === "" ) return "/";
      if (inside.startsWith("..") || isAbsolute(inside)) return diskPath;
      return `/${inside.split(sep).join("/")}`;
    },
  };
}
export { diskPathOf, resolveHostPath } from "./_shared/image-path.js";
