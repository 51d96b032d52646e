/**
 * The hash cache's files: a folder of one file per device, each replaced whole (written aside,
 * renamed over), so a crash leaves the old file or the new one, never a mix. Not fsynced (that
 * took most of a second here, at the end of every scan): a file torn by a power cut fails its
 * CRC and is rebuilt, which only costs reading those files again.
 *
 * The folder must be this user's and writable by nobody else, and so must every file read from
 * it (trusted-folder.ts): its digests decide which files a scan reads, so another user able to
 * write them could make a planted file look clean.
 *
 * @module
 */
import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { DeviceTable, HEADER_BYTES } from "./device-table.js";
import { openTrustedFile, untrustedFolder } from "./trusted-folder.js";
import { makeFolderSync } from "../../shared/make-folder.js";

export const deviceFile = (folder: string, dev: bigint): string => join(folder, `dev-${BigInt.asUintN(64, dev).toString(16).padStart(16, "0")}.bin`);

/** Creates the folder (mode 0700) if needed; throws if it is not safe to trust (trusted-folder.ts). */
export function prepareFolder(folder: string): void {
  makeFolderSync(folder, 0o700);
  const untrusted = untrustedFolder(folder);
  if (untrusted !== undefined) throw new Error(`${folder} is not safe to trust: ${untrusted}`);
  // The SQLite cache of earlier versions sat beside the folder, named after it.
  if (basename(folder) === "hash-cache") for (const suffix of ["", "-wal", "-shm"]) rmSync(join(dirname(folder), `hash-cache.db${suffix}`), { force: true });
}

/**
 * The device's table, or undefined when it has none or its file cannot be used (then rebuilt):
 * a link, another user's file or one others may write, one larger than `maxBytes` (read into
 * memory whole: a 4 GB file must not be), or one that fails DeviceTable.read's checks.
 */
export function readDeviceTable(folder: string, dev: bigint, maxBytes: number): DeviceTable | undefined {
  // Absent is the normal case; unreadable shows up when the write fails.
  const file = openTrustedFile(deviceFile(folder, dev));
  if (file === undefined) return undefined;
  try {
    if (file.size < HEADER_BYTES || file.size > maxBytes) return undefined;
    // A buffer of its own: 8-byte aligned for the table's typed views, no copy.
    const bytes = Buffer.allocUnsafeSlow(file.size);
    for (let at = 0; at < bytes.length; ) {
      const read = readSync(file.fd, bytes, at, bytes.length - at, at);
      if (read === 0) return undefined;
      at += read;
    }
    const table = DeviceTable.read(bytes, dev);
    return typeof table === "string" ? undefined : table;
  } catch {
    return undefined;
  } finally {
    closeSync(file.fd);
  }
}

let writes = 0;

/** Replaces the device's file with `bytes` (mode 0600). */
export function writeDeviceFile(folder: string, dev: bigint, bytes: Buffer): void {
  const file = deviceFile(folder, dev);
  const aside = `${file}.${process.pid}.${writes++}.tmp`;
  const fd = openSync(aside, "wx", 0o600);
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
  } catch (error) {
    closeSync(fd);
    rmSync(aside, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(aside, file);
  } catch (error) {
    rmSync(aside, { force: true });
    throw error;
  }
}
