/**
 * Paths no action may ever touch, whatever an IOC says: deleting the dynamic loader, libc, the
 * init system or a login shell would take the host down with the malware. Matches are reported
 * as "skipped: protected".
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import picomatch from "picomatch";
import type { HostView } from "../collectors/types.js";

/** Globs of host paths protected by default. */
export const DEFAULT_PROTECTED_GLOBS: readonly string[] = [
  // the dynamic loader and the C library, wherever the distribution puts them
  "/{lib,lib64,lib32,usr/lib,usr/lib64,usr/lib32}/**/ld-linux*.so*",
  "/{lib,lib64,lib32,usr/lib,usr/lib64,usr/lib32}/ld-linux*.so*",
  "/{lib,lib64,usr/lib,usr/lib64}/**/ld-musl*.so*",
  "/{lib,lib64,lib32,usr/lib,usr/lib64,usr/lib32}/**/libc.so*",
  "/{lib,lib64,lib32,usr/lib,usr/lib64,usr/lib32}/**/libc-*.so",
  // the init system
  "/sbin/init",
  "/usr/sbin/init",
  "/{lib,usr/lib}/systemd/systemd",
];

/** Decides whether a host path is protected. */
export interface ProtectedPaths {
  isProtected(hostPath: string): boolean;
}

/** The default globs, the shells listed in the host's /etc/shells, and `extra` globs. */
export async function loadProtectedPaths(host: HostView, extra: readonly string[] = []): Promise<ProtectedPaths> {
  const shells = await readFile(host.toDisk("/etc/shells"), "utf8")
    .then((text) => text.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("/")))
    .catch(() => [] as string[]);
  const matchers = [...DEFAULT_PROTECTED_GLOBS, ...shells, ...extra].map((glob) => picomatch(glob, { dot: true }));
  return { isProtected: (hostPath) => matchers.some((match) => match(hostPath)) };
}
