/**
 * VolumeItem from /proc/self/mounts plus statfs(2): mount point, device, file system, sizes and
 * whether it is mounted read-only.
 *
 * @module
 */
import { LINUX_COLLECTED } from "../../core/vocabulary/index.js";
import { statfs } from "node:fs/promises";
import { readWarning } from "../_shared/errors.js";
import { linesOf, readHostText } from "../_shared/read.js";
import { createIdGuard, toRecord } from "../_shared/record.js";
import { defineCollector } from "../define.js";
import type { CollectorContext, HostRecord } from "../types.js";

/** One line of /proc/self/mounts. */
export interface MountEntry {
  readonly device: string;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly options: readonly string[];
}

/** The kernel escapes space, tab, newline and backslash in mounts as 3-digit octal (`\040`). */
function unescapeMount(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parses /proc/self/mounts (fstab format). */
export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of linesOf(text)) {
    const [device, mountPoint, fsType, options] = line.trim().split(/\s+/);
    if (device === undefined || mountPoint === undefined || fsType === undefined) continue;
    out.push({ device: unescapeMount(device), mountPoint: unescapeMount(mountPoint), fsType, options: (options ?? "").split(",") });
  }
  return out;
}

/** A hung network mount must not hang the scan: statfs gives up after this. */
const STATFS_TIMEOUT_MS = 5_000;

/** Total and available bytes of the file system at `diskPath`. */
async function sizesOf(diskPath: string): Promise<{ total: number; free: number }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`statfs did not answer within ${STATFS_TIMEOUT_MS} ms`)), STATFS_TIMEOUT_MS);
    timer.unref();
  });
  try {
    const s = await Promise.race([statfs(diskPath), timeout]);
    // bavail, not bfree: what an ordinary user can still write, as Windows reports free space.
    return { total: s.blocks * s.bsize, free: s.bavail * s.bsize };
  } finally {
    clearTimeout(timer);
  }
}

/** The VolumeItem collector. */
export const volumeCollector = defineCollector({
  name: "volume",
  document: "VolumeItem",
  platforms: ["linux"],
  liveOnly: true,
  // Exactly the terms the vocabulary says iocscan collects (a registry test keeps them equal).
  fields: LINUX_COLLECTED["VolumeItem"] ?? [],
  permission: "fs.read",
  description: "Mounted file systems from /proc/self/mounts, with sizes from statfs",
  async *collect(context: CollectorContext): AsyncGenerator<HostRecord> {
    const text = await readHostText(context, "/proc/self/mounts");
    const wantSizes = context.fields.has("TotalSize") || context.fields.has("FreeSize");
    const guard = createIdGuard();
    for (const mount of text === undefined ? [] : parseMounts(text)) {
      if (context.signal?.aborted === true) return;
      let sizes: { total: number; free: number } | undefined;
      if (wantSizes) {
        try {
          sizes = await sizesOf(context.host.toDisk(mount.mountPoint));
        } catch (error) {
          context.warn(readWarning(error, "get the size of the file system at", mount.mountPoint));
        }
      }
      const fields = {
        MountPoint: mount.mountPoint,
        DevicePath: mount.device,
        FileSystemName: mount.fsType,
        TotalSize: sizes?.total,
        FreeSize: sizes?.free,
        "Flags/ReadOnly": mount.options.includes("ro"),
      };
      yield guard(toRecord("VolumeItem", fields, mount.mountPoint));
    }
  },
});
