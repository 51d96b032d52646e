/**
 * The boot-sectors area: the first 64 KiB of each disk listed in /sys/block (MBR or protective
 * MBR, GPT header and the boot loader's first stage in the gap after it), read from /dev/DISK,
 * and the boot loader files under /boot.
 *
 * @module
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { fsPath } from "../../shared/fs-path.js";
import { pathText } from "../../shared/path-text.js";
import type { AreaContext } from "./area-context.js";
import { addFile, filesBelow, listDir, readMemoryText } from "./host-files.js";

const AREA = "boot-sectors" as const;
/** Bytes read from the start of each disk. */
export const BOOT_BYTES = 64 * 1024;
/** Block devices that are no boot disk: loop and RAM disks, optical and floppy drives, network block devices. */
const NOT_A_DISK = /^(loop|ram|zram|sr|fd|nbd)\d*/;

/** The partition-table kind the first bytes of a disk show. */
export function partitionTable(bytes: Buffer): "GPT" | "MBR" | "none" {
  if (bytes.length >= 520 && bytes.toString("latin1", 512, 520) === "EFI PART") return "GPT";
  if (bytes.length >= 4104 && bytes.toString("latin1", 4096, 4104) === "EFI PART") return "GPT";
  if (bytes.length >= 512 && bytes[510] === 0x55 && bytes[511] === 0xaa) return "MBR";
  return "none";
}

async function readStart(disk: string): Promise<Buffer> {
  // O_NONBLOCK: a device that is not ready must not hang the scan.
  const handle = await open(fsPath(disk), constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const buffer = Buffer.alloc(BOOT_BYTES);
    let filled = 0;
    while (filled < BOOT_BYTES) {
      const { bytesRead } = await handle.read(buffer, filled, BOOT_BYTES - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** Scans the disks' first sectors and /boot. */
export async function scanBoot(ctx: AreaContext): Promise<void> {
  const tables: string[] = [];
  for (const name of await listDir(ctx, "/sys/block")) {
    if (ctx.stopped()) return;
    if (NOT_A_DISK.test(name)) continue;
    const size = (await readMemoryText(ctx, `/sys/block/${name}/size`).catch(() => "")).trim();
    if (size === "0") continue; // an empty card reader, a detached device
    ctx.sawObjects(AREA);
    ctx.count("disksSeen");
    // Memory form (names from the listing); `id` is its text form, as reports show it.
    const device = `/dev/${name}`;
    const id = pathText(device);
    let bytes: Buffer;
    try {
      bytes = await readStart(ctx.host.toDisk(device));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "error";
      ctx.warn({
        code: code === "EACCES" || code === "EPERM" ? "permission-denied" : code === "ENOENT" ? "not-found" : "read-error",
        message: `boot sectors: cannot read the first sectors of ${id} (${code})${code === "EACCES" || code === "EPERM" ? ": run as root to cover it" : ""}`,
        path: id,
      });
      continue;
    }
    if (bytes.length === 0) continue;
    ctx.count("bootSectorsRead");
    const table = partitionTable(bytes);
    tables.push(`${pathText(name)}: ${table}`);
    ctx.addObject({ area: AREA, id, fullPath: device, source: { kind: "bytes", bytes }, reason: `first ${bytes.length} bytes of disk ${pathText(name)} (partition table: ${table})` });
  }
  if (tables.length > 0) ctx.area(AREA).note = `disks: ${tables.join(", ")}`;
  for (const path of await filesBelow(ctx, "/boot", 4, ctx.limits.maxFilesPerArea)) {
    if (ctx.stopped()) return;
    ctx.sawObjects(AREA);
    await addFile(ctx, AREA, path, "boot loader file");
  }
}
