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
import { constants } from "node:fs";
import { resolve } from "node:path";
import { pathText } from "../../shared/path-text.js";
import type { HostView } from "../types.js";
import { FileWorkers, type FileStat, type Listing, type StatResult } from "./file-workers.js";
import type { Digests } from "./options.js";
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
  /** Its lstat, taken when its folder was listed (absent for a scope that is a file). */
  readonly listed?: StatResult | undefined;
  /**
   * Set on the entry that stands for a folder's files left out by the size gate (not a file):
   * how many. It comes after the folder's files, named as its last file (`host`), so that once
   * it is done the walk's position lies past all of them; they count as seen then.
   */
  readonly gated?: number;
  /** With `gated`: how many of them {@link WalkSettings.ruleOut} left out, and why. */
  readonly ruledOut?: RuledOut;
  /** Its digests, computed by the worker that listed it (FileWorkers.hashWhileListing). */
  readonly digests?: Digests | undefined;
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
  /** Where folders are listed; absent: a worker of the walk's own. */
  readonly workers?: FileWorkers | undefined;
  /**
   * A folder's listing may bring its first subfolders' (never across devices or links). Only
   * without exclusions: an excluded folder is never read, not even ahead.
   */
  readonly listAhead?: boolean;
  /**
   * The workers leave out files their size gate rules out (FileWorkers' sizeGate); each folder's
   * are yielded as one entry with `gated` set, for the caller to count. Only where every listed
   * file would be wanted: no `--exclude`, no `--hint`, and not in the folders on a resumed walk's
   * way to its position.
   */
  readonly gate?: boolean;
  /**
   * Rules out a listed file of a gated folder by its digests, as computed by the worker that
   * listed it (`listed`: FileWorkers.hashWhileListing) or as the hash cache has them: "hashed" or
   * "cached" when no IOC can match a file with these digests, undefined to keep it. Files ruled
   * out are left out like the size gate's, counted with the folder's `gated` entry.
   */
  readonly ruleOut?: (stat: FileStat, listed: Digests | undefined) => "hashed" | "cached" | undefined;
  /**
   * True while the walk's consumer is paused (`--idle-only`, `--max-cpu`): listings answered then
   * do not ask for more, so a paused scan reads no further than the requests under way.
   */
  readonly held?: () => boolean;
}

/** What {@link WalkSettings.ruleOut} left out of a folder: files hashed while listed (and their bytes), files the hash cache knew. */
export interface RuledOut {
  hashed: number;
  bytes: number;
  cached: number;
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

/**
 * Listing requests the walk keeps under way: `hashing` when the listings hash their files
 * (FileWorkers.hashWhileListing). Each of those keeps a worker busy for a while: more are asked,
 * so that no worker waits while the walk waits for the one listing it needs next.
 */
const PREFETCH = { listing: 4, hashing: 6 };
/**
 * Folders asked ahead and not taken yet, answered or not: what the walk reads ahead of its
 * position besides what came ahead (with hashing listings, 16 x 128 small files; more did not
 * make tree B faster). Listings that do not hash are asked {@link ASK_FOLDERS} at a time.
 */
const MAX_ASKED = { listing: 64, hashing: 16 };
/**
 * Folders one request asks for (besides those it lists ahead): a wide folder of small leaf
 * folders (/usr/share/doc) then costs a round trip per sixteen of them, not per folder. Listings
 * that hash their files are asked one by one: each keeps a worker busy a while, and the walk's
 * requests spread over the workers (tree B hashing every file: 15 % slower in sixteens).
 */
const ASK_FOLDERS = { listing: 16, hashing: 1 };
/** How far down the stack {@link Listings.prefetch} looks for folders to list. */
const PREFETCH_DEPTH = 64;
const S_IFMT = BigInt(constants.S_IFMT);
const S_IFDIR = BigInt(constants.S_IFDIR);
/** The most files in one batch of {@link walkFileBatches}. */
const MAX_BATCH = 256;

/** Subfolders a worker lists ahead with a folder, in walk order, and the files they may hold. */
const LIST_AHEAD = 64;
const LIST_AHEAD_FILES = 2048;
/**
 * Listings held that came ahead, and the files they hold: past either, folders are asked for
 * alone. Many small folders come a few messages at a time (tree B's 500 folders: a listing walk
 * 5 % faster than with 16 and 64), the files held stay bounded whatever the folders hold.
 */
const MAX_HELD_AHEAD = 256;
const MAX_HELD_AHEAD_FILES = 16_384;

/**
 * Folder listings asked of the workers ahead of the walk: the next few folders on the stack are
 * listed while this one's files are collected, and with `listAhead` a folder's listing brings
 * those of its first subfolders (walk order) in the same message, so the walk rarely waits for a
 * round trip to a worker.
 */
class Listings {
  private readonly asked = new Map<Pending, Promise<Listing>>();
  /** Listings that came ahead, by disk path; each taken once. */
  private readonly ahead = new Map<string, Listing>();
  /** Files of the listings in {@link ahead}. */
  private aheadFiles = 0;
  /** Requests not answered yet. */
  private listing = 0;
  /** What the walk last asked {@link prefetch} with: asked again when a listing is answered. */
  private again: (() => void) | undefined;
  /** {@link PREFETCH} for this walk's listings. */
  private readonly underWay: number;
  /** {@link ASK_FOLDERS} and {@link MAX_ASKED} for this walk's listings. */
  private readonly askFolders: number;
  private readonly maxAsked: number;
  private stopped = false;

  /** `held`: while true (the scan is paused), nothing more is asked ahead of the walk. */
  constructor(
    private readonly workers: FileWorkers,
    private readonly held: () => boolean,
  ) {
    this.underWay = PREFETCH[workers.hashingWhileListing ? "hashing" : "listing"];
    this.askFolders = ASK_FOLDERS[workers.hashingWhileListing ? "hashing" : "listing"];
    this.maxAsked = MAX_ASKED[workers.hashingWhileListing ? "hashing" : "listing"];
  }

  take(folder: Pending, listAhead: boolean, gate: boolean): Promise<Listing> {
    // Sent by a worker's stream before the walk got here: no round trip. (A worker streams only
    // for a walk that is not resumed, and so lists every folder ahead with the same gate.)
    const streamed = listAhead ? this.workers.takeListed(folder.disk) : undefined;
    // A folder asked for may also have come ahead with another's listing (both were under way):
    // the copy that came ahead is taken too, or it would stay held, and once MAX_HELD_AHEAD are
    // held no listing brings any more ahead. So is one that was streamed: its entries go back.
    const ahead = this.takeAhead(folder) ?? (streamed && Promise.resolve(streamed));
    const listing = ahead ?? this.asked.get(folder) ?? this.ask([folder], listAhead, gate);
    this.asked.delete(folder);
    return listing;
  }

  /**
   * Asks for the listings of the folders walked next, from the top of `stack`, while fewer than
   * {@link PREFETCH} requests are under way and {@link MAX_ASKED} folders are asked and not taken;
   * the top one (walked next) in any case. Folders that came ahead are passed over, down to
   * {@link PREFETCH_DEPTH} deep: a listing that hashes its files keeps a worker busy for a while,
   * and every worker should have one. Folders that may be listed ahead go up to
   * {@link ASK_FOLDERS} to a request. Asked again each time a listing is answered, unless held.
   */
  prefetch(stack: readonly Pending[], listAhead: (folder: Pending) => boolean, gate: (folder: Pending) => boolean): void {
    if (this.stopped) return;
    this.again = () => {
      if (!this.held()) this.prefetch(stack, listAhead, gate);
    };
    const bottom = Math.max(0, stack.length - PREFETCH_DEPTH);
    const top = stack.length - 1;
    const next = stack[top];
    const urgent = next !== undefined && !this.asked.has(next) && !this.ahead.has(next.disk) && !this.workers.holdsListed(next.disk);
    // Asked in batches: not one folder each time the walk takes one.
    if (!urgent && (this.listing >= this.underWay || this.asked.size + this.askFolders > this.maxAsked)) return;
    let batch: Pending[] = [];
    let batchGate = false;
    const send = (): void => {
      // Each folder's promise is kept in `asked`, its failure handled there.
      if (batch.length > 0) void this.ask(batch, true, batchGate);
      batch = [];
    };
    for (let i = top; i >= bottom && (i === top || (this.listing < this.underWay && this.asked.size + batch.length < this.maxAsked)); i--) {
      const folder = stack[i] as Pending;
      if (this.asked.has(folder) || this.ahead.has(folder.disk) || this.workers.holdsListed(folder.disk)) continue;
      const gated = gate(folder);
      if (!listAhead(folder)) {
        // On a resumed walk's way to its position: alone, nothing ahead.
        send();
        void this.ask([folder], false, gated);
        continue;
      }
      if (batch.length === this.askFolders || (batch.length > 0 && gated !== batchGate)) send();
      batchGate = gated;
      batch.push(folder);
    }
    send();
  }

  private takeAhead(folder: Pending): Promise<Listing> | undefined {
    const listing = this.ahead.get(folder.disk);
    if (listing === undefined) return undefined;
    this.ahead.delete(folder.disk);
    this.aheadFiles -= listing.files.length;
    return Promise.resolve(listing);
  }

  /**
   * The walk is over (done, stopped early or failed): listings answered from now on ask for no
   * more, since the workers are about to close, and a request then would start a worker anew.
   */
  stop(): void {
    this.again = undefined;
    this.stopped = true;
  }

  /**
   * Asks one worker for the listings of `folders` (and, with `listAhead`, of their first
   * subfolders): each folder's promise is in {@link asked} until taken; returns the first's.
   */
  private ask(folders: readonly Pending[], listAhead: boolean, gate: boolean): Promise<Listing> {
    const ahead = listAhead && this.ahead.size < MAX_HELD_AHEAD && this.aheadFiles < MAX_HELD_AHEAD_FILES ? LIST_AHEAD : 0;
    this.listing++;
    const reply = this.workers
      .listAhead(
        folders.map((folder) => ({ path: folder.disk, dev: folder.dev })),
        ahead,
        LIST_AHEAD_FILES,
        gate,
      )
      .then((listings) => {
        for (const { path, listing } of listings.slice(folders.length)) {
          this.aheadFiles += listing.files.length - (this.ahead.get(path)?.files.length ?? 0);
          this.ahead.set(path, listing);
        }
        return listings;
      })
      .finally(() => {
        this.listing--;
        this.again?.();
      });
    const each = folders.map((folder, k) => {
      const listing = reply.then((listings) => (listings[k] as { listing: Listing }).listing);
      // A walk stopped early never takes it: its failure (workers closed) must not go unhandled.
      listing.catch(() => undefined);
      this.asked.set(folder, listing);
      return listing;
    });
    return each[0] as Promise<Listing>;
  }
}

/** `base/name` without doubling a separator (the host root is "/", an image root may end in "/"). */
export function childPath(base: string, name: string): string {
  return base.endsWith("/") ? `${base}${name}` : `${base}/${name}`;
}

/** Yields the regular files of every scope, one at a time, in the walk's fixed order. */
export async function* walkFiles(s: WalkSettings): AsyncGenerator<WalkEntry> {
  for await (const batch of walkFileBatches(s)) for (const entry of batch) if (entry.gated === undefined) yield entry;
}

/**
 * Yields the regular files of every scope in the walk's fixed order, in batches: wanted files of
 * one folder (at most {@link MAX_BATCH}, never none), or a scope that is a file.
 */
export async function* walkFileBatches(s: WalkSettings): AsyncGenerator<WalkEntry[]> {
  const own = s.workers === undefined ? new FileWorkers(1) : undefined;
  const listings = new Listings(s.workers ?? (own as FileWorkers), s.held ?? (() => false));
  try {
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
      // Not ahead into what a resumed walk skips: the folders on the way to its position.
      const listAhead = (folder: Pending): boolean => s.listAhead === true && cursorIn(folder.host, after) === undefined;
      // A folder on a resumed walk's way to its position is listed whole: its files before the
      // position were counted by the interrupted run.
      const gate = (folder: Pending): boolean => s.gate === true && cursorIn(folder.host, after) === undefined;
      for (let folder = stack.pop(); folder !== undefined; folder = stack.pop()) {
        if (s.signal?.aborted) return;
        const listing = await listings.take(folder, listAhead(folder), gate(folder));
        const files = await readFolder(s, folder, listing, stack, visited, cursorIn(folder.host, after));
        listings.prefetch(stack, listAhead, gate);
        // Built a batch at a time: a folder of a million files holds a million names, not entries.
        const hostBase = childPath(folder.host, "");
        const diskBase = childPath(folder.disk, "");
        const skipDone = done.size > 0;
        const ruleOut = gate(folder) ? s.ruleOut : undefined;
        const ruledOut: RuledOut = { hashed: 0, bytes: 0, cached: 0 };
        for (let start = 0; start < files.length; start += MAX_BATCH) {
          const batch: WalkEntry[] = [];
          for (let i = start; i < Math.min(files.length, start + MAX_BATCH); i++) {
            const { name, listed, digests } = files[i] as Listing["files"][number];
            const host = hostBase + name;
            if (!wantedFile(s, host) || (skipDone && done.has(host))) continue;
            if (ruleOut !== undefined && listed !== undefined && "stat" in listed) {
              const by = ruleOut(listed.stat, digests);
              if (by === "hashed") {
                ruledOut.hashed++;
                ruledOut.bytes += Number(listed.stat.size);
                continue;
              }
              if (by === "cached") {
                ruledOut.cached++;
                continue;
              }
            }
            // One shape for every entry (listed or not): this runs per file.
            batch.push({ disk: diskBase + name, host, explicit: false, scope: folder.scope, listed, digests });
          }
          if (batch.length > 0) yield batch;
        }
        // The folder's last file by name (gated or not): once done, the position passes them all.
        const through = listing.gatedThrough ?? listing.files.at(-1)?.name;
        const left = ruledOut.hashed + ruledOut.cached;
        if ((listing.gated > 0 || left > 0) && through !== undefined) {
          yield [{ disk: diskBase + through, host: hostBase + through, explicit: false, scope: folder.scope, gated: listing.gated + left, ...(left > 0 ? { ruledOut } : {}) }];
        }
      }
    }
  } finally {
    listings.stop();
    await own?.close();
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
  return !s.excluded(hostPath) && (s.hint === undefined || s.hint.test(pathText(hostPath)));
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

/**
 * Takes one folder's listing: returns its files in walk order (each with the lstat the worker
 * took), and pushes its subfolders (after checking exclusions, mounts and loops) so they are
 * walked by name. With a cursor, what lies before the position is skipped.
 */
async function readFolder(s: WalkSettings, folder: Pending, listing: Listing, stack: Pending[], visited: Set<string>, cursor: Cursor | undefined): Promise<Listing["files"]> {
  if (listing.error !== undefined) {
    warnError(s.warn, listing.error, "cannot list folder", folder.host);
    return [];
  }
  s.count("dirsSeen");
  if (listing.symlinks > 0) s.count("symlinksSkipped", listing.symlinks);
  if (listing.special > 0) s.count("filesNotRegular", listing.special);
  for (const { name, error } of listing.unknown) warnError(s.warn, error, "cannot stat", childPath(folder.host, name));
  const fileAfter = cursor?.fileAfter;
  const files = cursor?.folderFrom !== undefined ? [] : fileAfter === undefined ? listing.files : listing.files.filter(({ name }) => name > fileAfter);
  const from = cursor?.folderFrom;
  const children: Pending[] = [];
  for (const { name, listed } of listing.folders) {
    if (from !== undefined && name < from) continue;
    const host = childPath(folder.host, name);
    if (s.excluded(host)) {
      s.count("dirsExcluded");
      continue;
    }
    if ("error" in listed) {
      // Gone since the listing (vanished), or a folder we may list but not search (mode r--).
      warnError(s.warn, listed.error, "cannot stat folder", host);
      continue;
    }
    const child = await keptFolder(s, folder, host, childPath(folder.disk, name), listed.stat, visited);
    if (child !== undefined) children.push(child);
  }
  // Pushed in reverse so they are walked by name.
  for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Pending);
  return files;
}

/** A subfolder to walk: a folder on the walk's file systems, not walked before. */
async function keptFolder(s: WalkSettings, parent: Pending, host: string, disk: string, stat: FileStat, visited: Set<string>): Promise<Pending | undefined> {
  // Replaced by something else since the listing.
  if ((stat.mode & S_IFMT) !== S_IFDIR) return undefined;
  if (stat.dev !== parent.dev) {
    if (!s.crossMounts) {
      s.count("mountsSkipped");
      return undefined;
    }
    if (await s.pseudo.isPseudo(host, disk)) {
      s.count("pseudoMountsSkipped");
      return undefined;
    }
  }
  const id = `${stat.dev}:${stat.ino}`;
  if (visited.has(id)) {
    s.count("dirsRevisited");
    return undefined;
  }
  visited.add(id);
  return { host, disk, dev: stat.dev, scope: parent.scope };
}
