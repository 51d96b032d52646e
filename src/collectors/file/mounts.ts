/**
 * Which file systems a walk must never enter: the kernel's pseudo file systems (proc, sysfs,
 * cgroup, ...), whose "files" are live kernel state, can block on read, or are unbounded. On a
 * live host the mount table names them; under `--root` it describes this machine, not the image,
 * so only the file system's magic number (statfs) is asked there.
 *
 * @module
 */
import { readFile, statfs } from "node:fs/promises";
import type { HostView } from "../types.js";

const PSEUDO_TYPES: ReadonlySet<string> = new Set([
  "proc", "sysfs", "devtmpfs", "devpts", "debugfs", "tracefs", "securityfs", "pstore", "bpf",
  "configfs", "fusectl", "mqueue", "hugetlbfs", "autofs", "binfmt_misc", "nsfs", "selinuxfs",
  "efivarfs", "rpc_pipefs",
]);

/** statfs f_type of the pseudo file systems that have their own magic (devtmpfs shares tmpfs's). */
const PSEUDO_MAGICS: ReadonlySet<number> = new Set([
  0x9fa0, // proc
  0x62656572, // sysfs
  0x1cd1, // devpts
  0x27e0eb, // cgroup
  0x63677270, // cgroup2
  0x64626720, // debugfs
  0x74726163, // tracefs
  0x73636673, // securityfs
  0x6165676c, // pstore
  0xcafe4a11, // bpf
  0x62656570, // configfs
  0x65735543, // fusectl
  0x19800202, // mqueue
  0x958458f6, // hugetlbfs
  0x0187, // autofs
  0x42494e4d, // binfmt_misc
  0x6e736673, // nsfs
  0xf97cff8c, // selinuxfs
  0xde5e81e4, // efivarfs
]);

/** A file system type from /proc/self/mounts that is never walked. */
export function isPseudoType(type: string): boolean {
  return PSEUDO_TYPES.has(type) || type.startsWith("cgroup");
}

/** Mount point → file system type; a later mount over the same point wins, as in the kernel. */
export function parseMounts(text: string): Map<string, string> {
  const mounts = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [, point, type] = line.split(" ");
    if (point === undefined || type === undefined) continue;
    // Spaces, tabs, newlines and backslashes in mount points are written as octal escapes.
    mounts.set(point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))), type);
  }
  return mounts;
}

/** Decides whether a folder lies on a pseudo file system. */
export interface PseudoCheck {
  /** `hostPath` is a mount point or a scope root; `diskPath` is where it is on this machine. */
  isPseudo(hostPath: string, diskPath: string): Promise<boolean>;
}

/** Reads the mount table once (live hosts only) and answers from it, then from statfs. */
export async function createPseudoCheck(host: HostView): Promise<PseudoCheck> {
  let mounts = new Map<string, string>();
  if (host.live) {
    try {
      mounts = parseMounts(await readFile("/proc/self/mounts", "utf8"));
    } catch {
      // No /proc (a chroot without it): statfs still answers below.
    }
  }
  const typeAt = (hostPath: string): string | undefined => {
    // The longest mount point containing the path.
    for (let path = hostPath; ; path = path.slice(0, Math.max(path.lastIndexOf("/"), 1))) {
      const type = mounts.get(path);
      if (type !== undefined || path === "/") return type;
    }
  };
  return {
    async isPseudo(hostPath, diskPath) {
      const type = host.live ? typeAt(hostPath) : undefined;
      if (type !== undefined && isPseudoType(type)) return true;
      try {
        return PSEUDO_MAGICS.has(Number((await statfs(diskPath)).type));
      } catch {
        return false;
      }
    },
  };
}
