/**
 * Checkpoint files: one per interrupted scan, `<dir>/<scanId>.checkpoint.json`, replaced
 * atomically (write, fsync, rename, fsync the folder) so that a crash at any moment leaves the
 * previous checkpoint or the new one, never half of one.
 *
 * @module
 */
import { open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
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

/** Replaces the scan's checkpoint durably. */
export async function writeCheckpoint(dir: string, checkpoint: ScanCheckpoint): Promise<void> {
  makeFolderSync(dir, 0o700);
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

/** Reads a scan's checkpoint; throws {@link CheckpointError} naming the file and the cause. */
export async function readCheckpoint(dir: string, scanId: string): Promise<ScanCheckpoint> {
  const file = checkpointFile(dir, scanId);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new CheckpointError(`no interrupted scan ${scanId} (no ${file})`);
    throw new CheckpointError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
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
      const { savedAt, runner } = await readCheckpoint(dir, scanId);
      found.push({ scanId, savedAt, startedAt: runner.startedAt, phase: runner.phase });
    } catch (error) {
      found.push({ scanId, problem: error instanceof Error ? error.message : String(error) });
    }
  }
  return found.sort((a, b) => (b.savedAt ?? "").localeCompare(a.savedAt ?? ""));
}

/** Deletes a finished scan's checkpoint and action journal. */
export async function removeCheckpoint(dir: string, scanId: string): Promise<void> {
  await rm(checkpointFile(dir, scanId), { force: true });
  await rm(actionJournalFile(dir, scanId), { force: true });
}
