/**
 * Opening a quarantine store: the folder (0700, local file system only), its key, the repair of an
 * interrupted run, and retention.
 *
 * @module
 */
import { realpathSync } from "node:fs";
import { homedir } from "node:os";
import { chmod, lstat, readdir, realpath, unlink } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { needsBytes, pathFromBytes } from "../../shared/path-text.js";
import { ENTRY_SUFFIX, readEntryMeta } from "./_entry-file.js";
import { fsPath } from "../../shared/fs-path.js";
import { attachKeys, keysOf, loadOrCreateKeys } from "./_keys.js";
import { refuseNetworkFs } from "./_network-fs.js";
import { removeAbandonedRestore } from "./_pending-restore.js";
import { RESTORED_SUFFIX, isTemporaryInFlight } from "./_names.js";
import { errorCode, fsyncDir } from "./_sync.js";
import { purge } from "./purge.js";
import type { OpenQuarantineOptions, QuarantineStore, RepairReport, RetentionOptions } from "./types.js";
import { makeFolderSync } from "../../shared/make-folder.js";

export const DEFAULT_RETENTION: Required<RetentionOptions> = { olderThanDays: 30, maxBytes: 1024 ** 3 };

/**
 * The default store folder: `$IOCSCAN_STATE_DIR/quarantine` when that is set (absolute), else
 * `/var/lib/iocscan/quarantine` for root, else `$XDG_STATE_HOME/iocscan/quarantine` or
 * `~/.local/state/iocscan/quarantine`.
 */
export function defaultQuarantineDir(env: NodeJS.ProcessEnv = process.env, uid = process.geteuid?.() ?? -1): string {
  const override = env["IOCSCAN_STATE_DIR"];
  if (override !== undefined && isAbsolute(override)) return join(override, "quarantine");
  if (uid === 0) return "/var/lib/iocscan/quarantine";
  const state = env["XDG_STATE_HOME"];
  const base = state !== undefined && isAbsolute(state) ? state : join(homedir(), ".local", "state");
  return join(base, "iocscan", "quarantine");
}

/**
 * Opens (creating if needed) the store, repairs what an interrupted run left, and applies retention.
 *
 * @example
 * const store = await openQuarantine({ dir: "/tmp/q", retention: false });
 * const receipt = await quarantineFile(store, "/srv/evil.bin", { iocId: "…", iocTitle: "…", scanId: "…" });
 */
export async function openQuarantine(options: OpenQuarantineOptions = {}): Promise<QuarantineStore> {
  const dir = await prepareDir(resolve(options.dir ?? defaultQuarantineDir()));
  const keys = await loadOrCreateKeys(dir);
  const retention = options.retention === false ? false : { ...DEFAULT_RETENTION, ...options.retention };
  const store: QuarantineStore = { dir, retention, repair: { removedTemporary: [], damaged: [] } };
  attachKeys(store, keys);
  const repaired: QuarantineStore = { ...store, repair: await repairStore(store) };
  attachKeys(repaired, keys);
  if (retention !== false) await purge(repaired, retention);
  return repaired;
}

/** True when `path` is the store folder or inside it: the scan must never act on those. */
export function isInsideStore(store: QuarantineStore, path: string): boolean {
  const inside = (target: string): boolean => target === store.dir || target.startsWith(store.dir + sep);
  const target = resolve(path);
  if (inside(target)) return true;
  // The same folder reached through a symbolic link (store.dir has its links resolved).
  try {
    // A path with a name that is not UTF-8 resolves through its bytes (src/shared/path-text.ts).
    return inside(needsBytes(target) ? pathFromBytes(realpathSync(fsPath(target), { encoding: "buffer" })) : realpathSync(target));
  } catch {
    return false;
  }
}

async function prepareDir(wanted: string): Promise<string> {
  const firstCreated = makeFolderSync(wanted, 0o700);
  // A new folder is durable only once its parent is flushed; entries in it would otherwise be lost with it.
  if (firstCreated !== undefined) {
    for (let folder = wanted; folder !== dirname(firstCreated); folder = dirname(folder)) await fsyncDir(dirname(folder));
  }
  const dir = await realpath(wanted);
  const info = await lstat(dir);
  if (!info.isDirectory()) throw new Error(`Cannot use "${dir}" as the quarantine store: not a folder`);
  const uid = process.geteuid?.();
  if (uid !== undefined && info.uid !== uid) throw new Error(`Cannot use "${dir}" as the quarantine store: owned by uid ${info.uid}, not by this user (uid ${uid})`);
  if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
  await refuseNetworkFs(dir);
  return dir;
}

/**
 * Undoes what a killed process left. Temporary files (`.tmp-PID-…`) of dead processes are removed:
 * an original is deleted only after its entry was renamed into place and verified, so a temporary
 * file never holds the only copy. Entries that cannot be read are reported, never deleted.
 */
async function repairStore(store: QuarantineStore): Promise<RepairReport> {
  const removedTemporary: string[] = [];
  const damaged: string[] = [];
  const names = await readdir(store.dir);
  const entries = new Set(names.filter((name) => name.endsWith(ENTRY_SUFFIX)));
  for (const name of names) {
    const path = join(store.dir, name);
    if (name.startsWith(".tmp-")) {
      if (isTemporaryInFlight(name)) continue;
      await removeAbandonedRestore(name, path);
      await removeIfPresent(path);
      removedTemporary.push(name);
    } else if (name.endsWith(RESTORED_SUFFIX) && !entries.has(name.slice(0, -RESTORED_SUFFIX.length) + ENTRY_SUFFIX)) {
      await removeIfPresent(path);
    } else if (entries.has(name)) {
      const read = await readEntryMeta(path, keysOf(store).mac).catch((error: unknown) => ({ ok: false as const, reason: String(error) }));
      if (!read.ok) damaged.push(`${name}: ${read.reason}`);
    }
  }
  return { removedTemporary, damaged };
}

async function removeIfPresent(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (errorCode(error) !== "ENOENT") throw error;
  });
}
