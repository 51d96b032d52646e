/**
 * The directory walk: iterative (a stack, never recursion), lstat-based, yielding the regular
 * files in scope one at a time so the caller's pace bounds memory.
 *
 * - Symbolic links are never followed: a link's target inside the scope is reached by its real
 *   path anyway, and not following linked folders makes loops impossible. Links are counted.
 * - Every folder is entered once, by (device, inode): overlapping scopes and bind mounts of the
 *   same file system do not walk a subtree twice or forever.
 * - Other file systems below a scope root are skipped unless `crossMounts`; pseudo file systems
 *   (proc, sysfs, cgroup, ...) always.
 * - FIFOs, sockets and devices are never opened, only counted (`filesNotRegular`).
 * - Files come in batches, a folder's at once (see {@link walkFileBatches}): the collector hands
 *   batches, not files, to its workers.
 * - The order is fixed, so that an interrupted walk can resume where it stopped: scope by scope;
 *   in each folder its files by name, then its subfolders by name, depth first. A position is the
 *   last file done (see {@link WalkPosition}); resuming skips everything up to it without listing
 *   the folders that lie wholly before it.
 *
 * @module
 */
import type { Dirent } from "node:fs";
import { opendir } from "node:fs/promises";
import { resolve } from "node:path";
import type { HostView } from "../types.js";
import { lstatBig } from "./fs-async.js";
import type { PseudoCheck } from "./mounts.js";
import { warnError, type Warn } from "./problems.js";
import { resolveHostPath } from "./scope-root.js";

/** A regular file (as the folder listing says) to look at. */
export interface WalkEntry {
  /** Where to open it on this machine. */
  readonly disk: string;
  /** Its path on the scanned host: the FullPath. */
  readonly host: string;
  /** It was named as a scope itself. */
  readonly explicit: boolean;
  /** The index of its scope in the walk's scopes. */
  readonly scope: number;
}

/**
 * Where a walk stands: every file of the scopes before `scope`, and of `scope` up to and including
 * the file `after` (a host path; null: none of it), is done, and so are the files in `done`
 * (finished out of order, beyond `after`).
 */
export interface WalkPosition {
  readonly scope: number;
  readonly after: string | null;
  readonly done: readonly string[];
}

export interface WalkSettings {
  readonly host: HostView;
  readonly scopes: readonly string[];
  readonly crossMounts: boolean;
  /** True for host paths an `--exclude` glob matches. */
  readonly excluded: (hostPath: string) => boolean;
  readonly hint: RegExp | undefined;
  readonly pseudo: PseudoCheck;
  readonly signal: AbortSignal | undefined;
  readonly warn: Warn;
  readonly count: (stat: string, by?: number) => void;
  /** Resume after this position instead of walking from the start. */
  readonly resume?: WalkPosition | undefined;
}

/** What is left of a folder when resuming: files after `file`, or subfolders from `folder` on. */
interface Cursor {
  /** Skip files named up to this (inclusive); undefined: no file is skipped. */
  readonly fileAfter?: string;
  /** Skip every file, and subfolders named before this one; it is entered with `inner`. */
  readonly folderFrom?: string;
}

interface Folder {
  readonly disk: string;
  readonly host: string;
  readonly dev: bigint;
}

/** A folder to walk and the scope it belongs to. */
interface Pending extends Folder {
  readonly scope: number;
}

/** Folder entries whose type is stat'ed at once (their lstats run in parallel). */
const STAT_BATCH = 16;
/** The most files in one batch of {@link walkFileBatches}. */
const MAX_BATCH = 256;

/** `base/name` without doubling a separator (the host root is "/", an image root may end in "/"). */
export function childPath(base: string, name: string): string {
  return base.endsWith("/") ? `${base}${name}` : `${base}/${name}`;
}

/** Yields the regular files of every scope, one at a time, in the walk's fixed order. */
export async function* walkFiles(s: WalkSettings): AsyncGenerator<WalkEntry> {
  for await (const batch of walkFileBatches(s)) yield* batch;
}

/**
 * Yields the regular files of every scope in the walk's fixed order, in batches: wanted files of
 * one folder (at most {@link MAX_BATCH}, never none), or a scope that is a file.
 */
export async function* walkFileBatches(s: WalkSettings): AsyncGenerator<WalkEntry[]> {
  const visited = new Set<string>();
  const resume = s.resume;
  const done = new Set(resume?.done ?? []);
  for (const [index, scope] of s.scopes.entries()) {
    if (s.signal?.aborted) return;
    const root = await openScope(s, scope, visited, index);
    // A scope done before the position is not walked again, but its root is marked visited (by
    // opening it) so that a later scope naming the same folder (/lib -> /usr/lib) stays skipped.
    if (root === undefined || (resume !== undefined && index < resume.scope)) continue;
    const after = resume !== undefined && index === resume.scope ? resume.after : null;
    if ("explicit" in root) {
      if (after === null && !done.has(root.host)) yield [root];
      continue;
    }
    const stack: Pending[] = [root];
    for (let folder = stack.pop(); folder !== undefined; folder = stack.pop()) {
      if (s.signal?.aborted) return;
      const names = await readFolder(s, folder, stack, visited, cursorIn(folder.host, after));
      // Built a batch at a time: a folder of a million files holds a million names, not entries.
      for (let start = 0; start < names.length; start += MAX_BATCH) {
        const batch: WalkEntry[] = [];
        for (const name of names.slice(start, start + MAX_BATCH)) {
          const host = childPath(folder.host, name);
          if (wantedFile(s, host) && !done.has(host)) batch.push({ disk: childPath(folder.disk, name), host, explicit: false, scope: folder.scope });
        }
        if (batch.length > 0) yield batch;
      }
    }
  }
}

/** What of `folder` lies after the position `after` (a file below some folder of the scope). */
function cursorIn(folder: string, after: string | null): Cursor | undefined {
  if (after === null) return undefined;
  const prefix = folder.endsWith("/") ? folder : `${folder}/`;
  if (!after.startsWith(prefix)) return undefined;
  const rest = after.slice(prefix.length);
  const slash = rest.indexOf("/");
  return slash < 0 ? { fileAfter: rest } : { folderFrom: rest.slice(0, slash) };
}

function wantedFile(s: WalkSettings, hostPath: string): boolean {
  return !s.excluded(hostPath) && (s.hint === undefined || s.hint.test(hostPath));
}

/** Resolves a scope root once and says what it is: a folder to walk, a file, or nothing. */
async function openScope(s: WalkSettings, scope: string, visited: Set<string>, index: number): Promise<Pending | WalkEntry | undefined> {
  const asked = scope.startsWith("/") || !s.host.live ? scope : resolve(scope);
  let host: string;
  try {
    host = await resolveHostPath(s.host, asked);
  } catch (error) {
    warnError(s.warn, error, "cannot open scope", asked, true);
    return undefined;
  }
  const disk = s.host.toDisk(host);
  let stat;
  try {
    stat = await lstatBig(disk);
  } catch (error) {
    warnError(s.warn, error, "cannot open scope", host, true);
    return undefined;
  }
  if (stat.isFile()) {
    // Named twice (or once directly and once through a link): one record.
    const id = `file ${stat.dev}:${stat.ino}`;
    if (visited.has(id) || !wantedFile(s, host)) return undefined;
    visited.add(id);
    return { disk, host, explicit: true, scope: index };
  }
  if (!stat.isDirectory()) {
    s.count("filesNotRegular");
    s.warn({ code: "not-regular", message: "not a regular file or folder (FIFO, socket or device): never opened", path: host });
    return undefined;
  }
  if (s.excluded(host)) return undefined;
  if (await s.pseudo.isPseudo(host, disk)) {
    s.warn({ code: "pseudo-fs", message: "on a pseudo file system (proc, sysfs, ...): never walked", path: host });
    return undefined;
  }
  const id = `${stat.dev}:${stat.ino}`;
  if (visited.has(id)) return undefined; // already walked as part of an earlier scope
  visited.add(id);
  return { disk, host, dev: stat.dev, scope: index };
}

type Kind = "file" | "folder" | "symlink" | "special" | "unknown";

function kindOf(entry: Dirent): Kind {
  if (entry.isFile()) return "file";
  if (entry.isDirectory()) return "folder";
  if (entry.isSymbolicLink()) return "symlink";
  if (entry.isFIFO() || entry.isSocket() || entry.isCharacterDevice() || entry.isBlockDevice()) return "special";
  return "unknown"; // DT_UNKNOWN: some file systems do not say; lstat will
}

/**
 * Lists one folder: returns the names of its files in walk order, and pushes its subfolders
 * (after checking mounts and loops) so they are walked by name. With a cursor, what lies before
 * the position is skipped.
 */
async function readFolder(s: WalkSettings, folder: Pending, stack: Pending[], visited: Set<string>, cursor: Cursor | undefined): Promise<string[]> {
  let dir;
  try {
    dir = await opendir(folder.disk, { bufferSize: 128 });
  } catch (error) {
    warnError(s.warn, error, "cannot list folder", folder.host);
    return [];
  }
  s.count("dirsSeen");
  const files: string[] = [];
  const subfolders: string[] = [];
  const unknown: string[] = [];
  try {
    for await (const entry of dir) {
      switch (kindOf(entry)) {
        case "file":
          files.push(entry.name);
          break;
        case "folder":
          if (s.excluded(childPath(folder.host, entry.name))) s.count("dirsExcluded");
          else subfolders.push(entry.name);
          break;
        case "symlink":
          s.count("symlinksSkipped");
          break;
        case "special":
          s.count("filesNotRegular");
          break;
        case "unknown":
          unknown.push(entry.name);
      }
    }
  } catch (error) {
    warnError(s.warn, error, "folder listing stopped", folder.host);
  }
  for (const name of unknown) {
    const host = childPath(folder.host, name);
    const stat = await lstatBig(childPath(folder.disk, name)).catch((error: unknown) => warnError(s.warn, error, "cannot stat", host));
    if (stat === undefined) continue;
    if (stat.isDirectory()) {
      if (s.excluded(host)) s.count("dirsExcluded");
      else subfolders.push(name);
    } else if (stat.isFile()) files.push(name);
    else if (stat.isSymbolicLink()) s.count("symlinksSkipped");
    else s.count("filesNotRegular");
  }
  // Code-unit order: the same on every run for the same names, whatever the file system lists.
  files.sort();
  subfolders.sort();
  const fileAfter = cursor?.fileAfter;
  const left = cursor?.folderFrom !== undefined ? [] : fileAfter === undefined ? files : files.filter((name) => name > fileAfter);
  const from = cursor?.folderFrom;
  const children = await statFolders(s, folder, from === undefined ? subfolders : subfolders.filter((name) => name >= from), visited);
  // Pushed in reverse so they are walked by name.
  for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Pending);
  return left;
}

/** lstats subfolders in small parallel batches; keeps those on the walk's file systems, once. */
async function statFolders(s: WalkSettings, parent: Pending, names: readonly string[], visited: Set<string>): Promise<Pending[]> {
  const kept: Pending[] = [];
  for (let start = 0; start < names.length; start += STAT_BATCH) {
    const batch = names.slice(start, start + STAT_BATCH).map(async (name) => {
      const host = childPath(parent.host, name);
      const disk = childPath(parent.disk, name);
      try {
        return { host, disk, stat: await lstatBig(disk) };
      } catch (error) {
        // Gone since the listing (vanished), or a folder we may list but not search (mode r--).
        warnError(s.warn, error, "cannot stat folder", host);
        return undefined;
      }
    });
    for (const found of await Promise.all(batch)) {
      if (found === undefined || !found.stat.isDirectory()) continue;
      const { host, disk, stat } = found;
      if (stat.dev !== parent.dev) {
        if (!s.crossMounts) {
          s.count("mountsSkipped");
          continue;
        }
        if (await s.pseudo.isPseudo(host, disk)) {
          s.count("pseudoMountsSkipped");
          continue;
        }
      }
      const id = `${stat.dev}:${stat.ino}`;
      if (visited.has(id)) {
        s.count("dirsRevisited");
        continue;
      }
      visited.add(id);
      kept.push({ host, disk, dev: stat.dev, scope: parent.scope });
    }
  }
  return kept;
}
