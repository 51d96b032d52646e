/**
 * Checkpoint files: one per interrupted scan, `<dir>/<scanId>.checkpoint.json`, replaced
 * atomically (write, fsync, rename, fsync the folder) so that a crash at any moment leaves the
 * previous checkpoint or the new one, never half of one.
 *
 * @module
 */
import { constants, unlinkSync } from "node:fs";
import { link, open, readdir, readFile, rename, rm, stat, unlink, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { RunnerState } from "./runner-state.js";
import { makeFolderSync } from "../../shared/make-folder.js";

/** What rebuilds the scan on resume: its settings as plain JSON. */
export interface ResumableSettings {
  readonly iocPaths: readonly string[];
  readonly root: string;
  readonly scopes: readonly string[];
  readonly excludes: readonly string[];
  readonly hint?: { readonly source: string; readonly flags: string };
  readonly crossMounts: boolean;
  readonly maxHashBytes?: number;
  readonly switches: Readonly<Record<string, "on" | "off">>;
  readonly mapEvents: boolean;
  readonly mapNetworkTerms: boolean;
  readonly criticalAreas: boolean;
  readonly clamavDatabase?: string;
  readonly action: "report" | "quarantine";
  readonly quarantineDir?: string;
  readonly protect: readonly string[];
  readonly hashCacheFile?: string;
  readonly idleOnly: boolean;
  readonly maxCpu?: number;
}

/** One checkpoint file. */
export interface ScanCheckpoint {
  readonly format: "iocscan-scan-checkpoint";
  readonly version: 1;
  readonly savedAt: string;
  readonly settings: ResumableSettings;
  readonly runner: RunnerState;
}

/** A checkpoint that cannot be read or used, with the file and the cause. */
export class CheckpointError extends Error {
  override readonly name = "CheckpointError";
}

/** What a scan id may be: it names a file in the checkpoint folder. */
export const SCAN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const SUFFIX = ".checkpoint.json";

/** The checkpoint file of a scan; refuses ids that could leave the folder. */
export function checkpointFile(dir: string, scanId: string): string {
  if (!SCAN_ID.test(scanId)) throw new CheckpointError(`"${scanId}" is not a scan id`);
  return join(dir, `${scanId}${SUFFIX}`);
}

/** The file that journals the actions of a scan (see action-journal.ts). */
export function actionJournalFile(dir: string, scanId: string): string {
  return checkpointFile(dir, scanId).replace(SUFFIX, ".actions.jsonl");
}

/** Replaces the scan's checkpoint durably; the first write takes the scan's lock (see {@link lockScan}). */
export async function writeCheckpoint(dir: string, checkpoint: ScanCheckpoint): Promise<void> {
  makeFolderSync(dir, 0o700);
  await lockScan(dir, checkpoint.runner.scanId);
  const file = checkpointFile(dir, checkpoint.runner.scanId);
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, "w", 0o600);
  try {
    await handle.writeFile(JSON.stringify(checkpoint));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  // The rename itself must reach the disk before the scan goes on past this point.
  const folder = await open(dir, "r");
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/**
 * Reads a scan's checkpoint to resume it; throws {@link CheckpointError} naming the file and the
 * cause. It takes the scan's lock first (unless `lock` is false, to list it), so that the scan
 * cannot run twice at once.
 */
export async function readCheckpoint(dir: string, scanId: string, options: { lock?: boolean } = {}): Promise<ScanCheckpoint> {
  const file = checkpointFile(dir, scanId);
  const text = await readTrusted(file);
  if (text === undefined) throw new CheckpointError(`no interrupted scan ${scanId} (no ${file})`);
  if (options.lock !== false) await lockScan(dir, scanId);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`${file}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  // The schema library is loaded here, not with the module: every scan writes checkpoints, few read one.
  const { Envelope } = await import("./checkpoint-envelope.js");
  const parsed = Envelope.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CheckpointError(`${file}: not a scan checkpoint (${issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid"})`);
  }
  if (parsed.data.runner.scanId !== scanId) throw new CheckpointError(`${file}: holds scan ${parsed.data.runner.scanId}, not ${scanId}`);
  return json as ScanCheckpoint;
}

/** The interrupted scans in `dir`, newest first. Unreadable files are listed with their problem. */
export async function listCheckpoints(dir: string): Promise<{ scanId: string; savedAt?: string; startedAt?: string; phase?: string; problem?: string }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const found = [];
  for (const name of names.filter((n) => n.endsWith(SUFFIX))) {
    const scanId = name.slice(0, -SUFFIX.length);
    try {
      const { savedAt, runner } = await readCheckpoint(dir, scanId, { lock: false });
      found.push({ scanId, savedAt, startedAt: runner.startedAt, phase: runner.phase });
    } catch (error) {
      found.push({ scanId, problem: error instanceof Error ? error.message : String(error) });
    }
  }
  return found.sort((a, b) => (b.savedAt ?? "").localeCompare(a.savedAt ?? ""));
}

/** Deletes a finished scan's checkpoint and action journal, and releases its lock. */
export async function removeCheckpoint(dir: string, scanId: string): Promise<void> {
  await rm(checkpointFile(dir, scanId), { force: true });
  await rm(actionJournalFile(dir, scanId), { force: true });
  await releaseScan(dir, scanId);
}

/**
 * Reads a file a scan with actions will trust: it decides which folders are scanned and whether
 * found files are quarantined, and what was quarantined already. So it must be a regular file
 * (not a link to one elsewhere) owned by this user (or root) that no one else may write, in a
 * folder no one else may write: otherwise another user could widen what a resumed scan touches.
 * Undefined when there is no such file.
 */
export async function readTrusted(file: string): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") throw new CheckpointError(`${file}: refused: it is a symbolic link`);
    throw new CheckpointError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new CheckpointError(`${file}: refused: not a regular file`);
    untrustedBecause(file, info, "file");
    const folder = dirname(file);
    untrustedBecause(folder, await stat(folder), "folder");
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
}

function untrustedBecause(path: string, stat: { uid: number; mode: number }, what: string): void {
  const me = process.geteuid?.();
  if (me === undefined) return;
  if (stat.uid !== me && stat.uid !== 0) throw new CheckpointError(`${path}: refused: the ${what} belongs to another user (uid ${stat.uid})`);
  if ((stat.mode & 0o022) !== 0) throw new CheckpointError(`${path}: refused: other users may write to the ${what} (mode ${(stat.mode & 0o777).toString(8)})`);
}

const held = new Set<string>();
/** The exit hook that releases what is held: one for the process, however many scans it runs (an agent). */
let releaseOnExit = false;

/**
 * Takes the scan's lock, `<dir>/<scanId>.lock` holding this process's id: a second process that
 * resumes (or runs) the same scan is refused while this one lives. A lock left by a process that
 * died (killed, the machine rebooted) is taken over. This process may take it again: an agent
 * resumes the scans it interrupted itself.
 */
export async function lockScan(dir: string, scanId: string): Promise<void> {
  const file = checkpointFile(dir, scanId).replace(SUFFIX, ".lock");
  if (held.has(file)) return;
  for (let attempt = 0; attempt < 3; attempt++) {
    const temporary = `${file}.${process.pid}.tmp`;
    const handle = await open(temporary, "w", 0o600);
    try {
      await handle.writeFile(`${process.pid}\n`);
    } finally {
      await handle.close();
    }
    try {
      await link(temporary, file);
      held.add(file);
      if (!releaseOnExit) {
        releaseOnExit = true;
        process.on("exit", releaseAllSync);
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
    const owner = Number.parseInt(await readFile(file, "utf8").catch(() => ""), 10);
    if (owner === process.pid) {
      held.add(file);
      return;
    }
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new CheckpointError(`scan ${scanId} is running in process ${owner} (its lock ${file}); wait for it to stop, or stop it`);
    }
    // Left by a process that is gone.
    await unlink(file).catch(() => undefined);
  }
  throw new CheckpointError(`cannot take the lock ${file} of scan ${scanId}`);
}

async function releaseScan(dir: string, scanId: string): Promise<void> {
  const file = checkpointFile(dir, scanId).replace(SUFFIX, ".lock");
  if (!held.delete(file)) return;
  await rm(file, { force: true });
}

function releaseAllSync(): void {
  for (const file of held) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
  held.clear();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
