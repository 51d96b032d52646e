/**
 * The file system work of a scan on worker threads, in batches, each with synchronous calls:
 * `list` reads a folder and lstats its entries (and, asked to, its first subfolders in walk
 * order: one message per subtree), `stat` lstats a batch of paths, `hash` opens,
 * reads and hashes a batch of files. The main thread then handles one message per folder or
 * batch (about 64 files) instead of one thread-pool round trip per lstat and one message per
 * file, and hashing runs on every core. The number of workers bounds the parallel I/O.
 *
 * The worker's program is in worker-program.ts.
 *
 * @module
 */
import { channel } from "node:diagnostics_channel";
import { constants } from "node:fs";
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import type { DigestAlgorithm, Digests } from "./options.js";
import { ListedAhead } from "./listed-ahead.js";
import { filtersPaths, sameFilter, type PathFilterSpec } from "./path-filter.js";
import { DIGEST_HEX_LENGTH, STAT_FIELDS, STREAM_WINDOW, listenUnreferenced, startFileWorkerThread, type LaunchedStream } from "./worker-program.js";

/**
 * One file's lstat, as far as FileItem uses it; bigint like `BigIntStats` (inode numbers may use
 * all 64 bits, times are nanoseconds), so a `BigIntStats` fits where this is asked for.
 */
export interface FileStat {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mode: bigint;
  readonly uid: bigint;
  readonly gid: bigint;
  readonly size: bigint;
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  /** 0 when the file system records no birth time. */
  readonly birthtimeNs: bigint;
}

/** What one path of a `stat` batch turned out to be. */
export type StatResult = { readonly stat: FileStat; readonly kind: "file" | "symlink" | "other" } | { readonly error: WorkerFsError };

/** A file to hash: exactly `size` bytes of `path` (the size its lstat saw). */
export interface HashJob {
  readonly path: string;
  readonly size: number;
  readonly algorithms: readonly DigestAlgorithm[];
}

export type HashResult = { readonly digests: Digests } | { readonly error: WorkerFsError };

/**
 * One folder as a worker read it: its files and subfolders by name (code-unit order), each with
 * its lstat (a file's is the one its record uses), and what else it held.
 */
export interface Listing {
  /** The folder could not be read: nothing else is set. */
  readonly error?: WorkerFsError;
  /**
   * Without `listed` in a folder of over LIST_STAT_LIMIT files (worker-program.ts): the caller
   * stats them. With `digests` when the worker hashed the file as it listed it
   * ({@link FileWorkers.hashWhileListing}).
   */
  readonly files: readonly ListedFile[];
  /** Files left out by the size gate (see {@link FileWorkers}): seen, and ruled out by their size. */
  readonly gated: number;
  /** With `gated`: the folder's last file name (gated or not), which the walk's position may pass. */
  readonly gatedThrough?: string;
  readonly folders: readonly { readonly name: string; readonly listed: StatResult }[];
  readonly symlinks: number;
  /** FIFOs, sockets, devices. */
  readonly special: number;
  /** Entries of no listed type whose lstat failed. */
  readonly unknown: readonly { readonly name: string; readonly error: WorkerFsError }[];
}

/** A file of a {@link Listing}. */
export interface ListedFile {
  readonly name: string;
  readonly listed?: StatResult;
  /** Its digests, computed by the worker that listed it (the algorithms of hashWhileListing). */
  readonly digests?: Digests;
}

/** What {@link FileWorkers.hashWhileListing} hashes. */
export interface ListingHashes {
  readonly algorithms: readonly DigestAlgorithm[];
  /** Larger files are left to hash batches, which spread over the workers. */
  readonly maxFileBytes: number;
  /**
   * The bytes and files one listing request may hash: what the walk's prefetching reads ahead of
   * it, and what a paused scan still reads. Its listings ahead hold at most `budgetFiles` files.
   */
  readonly budgetBytes: number;
  readonly budgetFiles: number;
}

type StatReply = { readonly id: number; readonly values: BigInt64Array; readonly errors: readonly Problem[] };
/** Each file's digests as hex, back to back in the batch's algorithm order (see hashResults). */
type HashReply = { readonly id: number; readonly hex: string; readonly errors: readonly Problem[] };
type Problem = readonly [number, string | undefined, string];
/** A list reply: the asked folder's listing first, then those listed ahead. */
type ListReply = { readonly id: number; readonly listings: readonly FolderReply[] };
type FolderReply = {
  readonly path: string;
  readonly error?: { readonly code: string | undefined; readonly message: string };
  readonly files: readonly string[];
  readonly fileStats: Omit<StatReply, "id">;
  readonly gated?: number;
  readonly gatedThrough?: string;
  readonly folders: readonly string[];
  readonly folderStats: Omit<StatReply, "id">;
  readonly symlinks: number;
  readonly special: number;
  readonly unknown: readonly (readonly [string, string | undefined, string])[];
  /** Digests of the files hashed while listed: hex, back to back, and which files they are. */
  readonly inline?: { readonly hex: string; readonly hashed: Uint8Array };
};
type Reply = StatReply | HashReply | ListReply | { readonly id: number; readonly failed: string };
/** Listings a worker's stream sends unasked (no id). */
type StreamedReply = { readonly op: "listed"; readonly listings: readonly StreamedListing[] };
type StreamedListing = FolderReply & { readonly entries: number; readonly sized: boolean };

/**
 * The diagnostics channel on which every FileWorkers publishes each worker it takes on (a
 * {@link WorkerStart}): what tests and a trace of a scan's timeline read. Nothing is published
 * without a subscriber.
 */
export const WORKER_START_CHANNEL = "iocscan:file-workers:start";

/** A worker taken on by a FileWorkers, as published on {@link WORKER_START_CHANNEL}. */
export interface WorkerStart {
  readonly threadId: number;
  /** 0 for the set's first worker. */
  readonly index: number;
  /** A spare started ahead (prestartFileWorker, adoptFileWorker), not a thread started now. */
  readonly adopted: boolean;
  /**
   * Hashing requests (hash batches, listings that hash) the set had been asked for before the one
   * that started it (0: it came with the first).
   */
  readonly hashBatches: number;
}

const workerStarts = channel(WORKER_START_CHANNEL);

/** An fs error reported by a worker, with its errno code. */
export class WorkerFsError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

const S_IFMT = BigInt(constants.S_IFMT);
const S_IFREG = BigInt(constants.S_IFREG);
const S_IFLNK = BigInt(constants.S_IFLNK);

function kindOf(mode: bigint): "file" | "symlink" | "other" {
  const type = mode & S_IFMT;
  return type === S_IFREG ? "file" : type === S_IFLNK ? "symlink" : "other";
}

/**
 * One lstat of a stat reply, each field read from the reply's values when asked for: a record
 * reads a few of the ten (mode, size; the cache key's five with a hash cache), and every read
 * makes a bigint. dev and ino are read unsigned, as lstat reports them.
 */
class PackedStat implements FileStat {
  constructor(
    private readonly values: BigInt64Array,
    private readonly unsigned: BigUint64Array,
    private readonly at: number,
  ) {}
  get dev(): bigint {
    return this.unsigned[this.at] as bigint;
  }
  get ino(): bigint {
    return this.unsigned[this.at + 1] as bigint;
  }
  get mode(): bigint {
    return this.values[this.at + 2] as bigint;
  }
  get uid(): bigint {
    return this.values[this.at + 3] as bigint;
  }
  get gid(): bigint {
    return this.values[this.at + 4] as bigint;
  }
  get size(): bigint {
    return this.values[this.at + 5] as bigint;
  }
  get atimeNs(): bigint {
    return this.values[this.at + 6] as bigint;
  }
  get mtimeNs(): bigint {
    return this.values[this.at + 7] as bigint;
  }
  get ctimeNs(): bigint {
    return this.values[this.at + 8] as bigint;
  }
  get birthtimeNs(): bigint {
    return this.values[this.at + 9] as bigint;
  }
}

/** Unpacks a stat reply. */
function statResults(count: number, reply: Omit<StatReply, "id">): StatResult[] {
  const values = reply.values;
  const unsigned = new BigUint64Array(values.buffer, values.byteOffset, values.length);
  const results: StatResult[] = [];
  const n = STAT_FIELDS.length;
  for (let i = 0; i < count; i++) {
    const stat = new PackedStat(values, unsigned, i * n);
    results.push({ stat, kind: kindOf(stat.mode) });
  }
  for (const [index, code, message] of reply.errors) results[index] = { error: new WorkerFsError(message, code) };
  return results;
}

const ALGORITHMS: readonly DigestAlgorithm[] = ["md5", "sha1", "sha256"];

/**
 * How a reply lays out files' digests in its hex string: each file a slot of `width` characters,
 * its digests back to back in `algorithms` order, each at its `offset` in the slot.
 */
interface HexLayout {
  readonly algorithms: readonly DigestAlgorithm[];
  readonly width: number;
  readonly offset: Readonly<Partial<Record<DigestAlgorithm, number>>>;
}

function hexLayout(algorithms: readonly DigestAlgorithm[]): HexLayout {
  const offset: Partial<Record<DigestAlgorithm, number>> = {};
  let width = 0;
  for (const algorithm of algorithms) {
    offset[algorithm] = width;
    width += DIGEST_HEX_LENGTH[algorithm];
  }
  return { algorithms, width, offset };
}

/** The digests `wanted` (of the layout's algorithms) in the slot of file `i`. */
function digestsAt(hex: string, i: number, layout: HexLayout, wanted: readonly DigestAlgorithm[] = layout.algorithms): Digests {
  const digests: Digests = {};
  for (const algorithm of wanted) {
    const start = i * layout.width + (layout.offset[algorithm] as number);
    digests[algorithm] = hex.slice(start, start + DIGEST_HEX_LENGTH[algorithm]);
  }
  return digests;
}

/** Unpacks a hash reply: each job's digests (the ones it asked for) or its error. */
function hashResults(jobs: readonly HashJob[], layout: HexLayout, reply: Omit<HashReply, "id">): HashResult[] {
  const results = jobs.map((job, i): HashResult => ({ digests: digestsAt(reply.hex, i, layout, job.algorithms) }));
  for (const [index, code, message] of reply.errors) results[index] = { error: new WorkerFsError(message, code) };
  return results;
}

function listingOf(reply: FolderReply, layout: HexLayout | undefined): Listing {
  if (reply.error !== undefined) return { error: new WorkerFsError(reply.error.message, reply.error.code), files: [], gated: 0, folders: [], symlinks: 0, special: 0, unknown: [] };
  const named = (names: readonly string[], stats: StatResult[]): { name: string; listed: StatResult }[] => names.map((name, i) => ({ name, listed: stats[i] as StatResult }));
  const fileStats = reply.fileStats.values.length > 0 ? statResults(reply.files.length, reply.fileStats) : [];
  const files: ListedFile[] = fileStats.length > 0 ? named(reply.files, fileStats) : reply.files.map((name) => ({ name }));
  // Files the worker hashed while listing them (see FolderReply) carry their digests.
  const inline = reply.inline;
  return {
    files: inline === undefined || layout === undefined ? files : files.map((file, i) => (inline.hashed[i] === 1 ? { ...file, digests: digestsAt(inline.hex, i, layout) } : file)),
    gated: reply.gated ?? 0,
    ...(reply.gatedThrough === undefined ? {} : { gatedThrough: reply.gatedThrough }),
    folders: named(reply.folders, statResults(reply.folders.length, reply.folderStats)),
    symlinks: reply.symlinks,
    special: reply.special,
    unknown: reply.unknown.map(([name, code, message]) => ({ name, error: new WorkerFsError(message, code) })),
  };
}

/**
 * `folder` without the files whose size is not in `sizes` (those whose lstat failed stay), as a
 * worker's size gate leaves them out (worker-program.ts, applyGate): for a listing streamed before
 * the worker knew the gate. A folder listed without its files' lstats (too many) is kept whole.
 */
function gateBySize(folder: FolderReply, sizes: ReadonlySet<number>): FolderReply {
  const { values, errors } = folder.fileStats;
  if (folder.error !== undefined || values.length === 0) return folder;
  const n = STAT_FIELDS.length;
  const failed = new Map(errors.map((error) => [error[0], error]));
  const keep: number[] = [];
  for (let i = 0; i < folder.files.length; i++) if (failed.has(i) || sizes.has(Number(values[i * n + SIZE_FIELD]))) keep.push(i);
  if (keep.length === folder.files.length) return folder;
  const kept = new BigInt64Array(keep.length * n);
  const keptErrors: Problem[] = [];
  keep.forEach((from, to) => {
    kept.set(values.subarray(from * n, from * n + n), to * n);
    const error = failed.get(from);
    if (error !== undefined) keptErrors.push([to, error[1], error[2]]);
  });
  return {
    ...folder,
    files: keep.map((i) => folder.files[i] as string),
    fileStats: { values: kept, errors: keptErrors },
    gated: folder.files.length - keep.length,
    gatedThrough: folder.files[folder.files.length - 1] as string,
  };
}

const SIZE_FIELD = STAT_FIELDS.indexOf("size");

interface Slot {
  readonly worker: Worker;
  /** Work queued on it, in estimated microseconds (see the COST_ constants). */
  load: number;
  /** Hash batches queued on it. */
  hashing: number;
  /** Started by this set and not running its program yet (see {@link COST_BOOT}). */
  booting: boolean;
}

// Rough costs of the work, in microseconds of a worker: they only steer where a batch goes and
// when one more worker is worth starting.
const COST_LIST = 100;
const COST_STAT = 4;
const COST_OPEN = 25;
const COST_PER_MIB = 800;
/**
 * Hashing the scan must have asked for (in the COST_ microseconds) before a second worker may
 * start: a worker's start-up costs 20-45 ms of CPU, so a scan that hashes a few hundred small
 * files (IOC sizes known) does better on one.
 */
const GROW_AFTER_HASH_LOAD = 50_000;
/**
 * What a worker still starting up counts as having queued, for listings and stats: about its
 * start-up's wall time, so that a listing the walk waits for is not held up behind a start-up.
 * Hash batches may queue on it (the walk does not wait for them).
 */
const COST_BOOT = 50_000;
/** What a listing that hashes its files adds (a guess: up to its byte budget of small files). */
const COST_LIST_HASHING = 20_000;

/**
 * The walk's path filter for a worker: folders it excludes are not listed ahead, files it does not
 * want are left out of listings (so a size gate counts only wanted files). `root`: the disk
 * folder of the host's "/" (HostView.root), to read disk paths as host paths.
 */
function filterMessage(spec: PathFilterSpec | undefined, root: string): { op: "filter"; filter: (PathFilterSpec & { root: string }) | undefined } {
  return { op: "filter", filter: spec !== undefined && filtersPaths(spec) ? { ...spec, root } : undefined };
}

function inlineMessage(hashes: ListingHashes): { op: "inline" } & ListingHashes {
  return { op: "inline", ...hashes };
}


interface Waiter {
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
}

/**
 * A worker started ahead of need by {@link prestartFileWorker}; the next FileWorkers adopts it.
 * At most one exists, unreferenced, so a process that never collects files keeps at most one idle
 * thread and still exits.
 */
let spare: Worker | undefined;

/** What the spare's stream has sent: undefined until it is asked to list ahead (once per spare). */
let spareListed: ListedAhead<StreamedListing> | undefined;

/**
 * Starts one file worker now (or keeps the one started), so that its start-up (about 100 ms,
 * mostly on its own thread) overlaps what the scan does before it walks: loading its modules and
 * the IOCs, compiling the plan. With `prelist` (absolute folders of this machine, the scopes in
 * walk order), it then lists them in walk order and sends the listings ahead of the walk, never
 * into a folder `filter` excludes, with at most `window` entries (default {@link STREAM_WINDOW})
 * sent and not yet taken by the set that adopts it. Returns its thread id.
 */
export function prestartFileWorker(options: { prelist?: readonly string[]; filter?: PathFilterSpec; window?: number } = {}): number {
  const worker = spare ?? keepSpare(startFileWorkerThread());
  // The walk of these folders can start before the scan knows what it looks for: listings do
  // not depend on the IOCs. The walk takes them as it reaches them (fresh ones only). Listing
  // ahead is for this computer only: its host paths are its disk paths.
  if (spareListed === undefined && options.prelist !== undefined && options.prelist.length > 0) {
    const window = options.window ?? STREAM_WINDOW;
    spareListed = listedAhead(worker, window, options.filter);
    worker.postMessage(filterMessage(options.filter, "/"));
    worker.postMessage({ op: "stream", roots: options.prelist, window });
  }
  return worker.threadId;
}

/**
 * Takes `worker` (from worker-program.ts's startFileWorkerThread, started by the CLI's launcher
 * before the CLI loaded) as the spare, unless one is kept already: then `worker` is stopped.
 * With `launched`, the worker streams already (streamFromLaunch): what it sent is kept for the
 * set that adopts it.
 */
export function adoptFileWorker(worker: Worker, launched?: LaunchedStream): void {
  if (spare !== undefined) {
    void worker.terminate();
    return;
  }
  keepSpare(worker);
  if (launched === undefined) return;
  spareListed = listedAhead(worker, STREAM_WINDOW, undefined);
  launched.stop();
  for (const message of launched.received as (Reply | StreamedReply)[]) if ("op" in message) spareListed.add(message.listings);
}

/** Holds what `worker` streams with `filter`, giving back an eighth of the window at a time. */
function listedAhead(worker: Worker, window: number, filter: PathFilterSpec | undefined): ListedAhead<StreamedListing> {
  return new ListedAhead(worker, Math.max(1, Math.floor(window / 8)), filter);
}

function keepSpare(worker: Worker): Worker {
  // One that fails while nobody uses it is dropped; a FileWorkers starts its own.
  worker.once("error", () => {
    if (spare === worker) spare = undefined;
  });
  // Listings streamed before a set adopts it; after, the set's own listener takes them.
  listenUnreferenced(worker, (message: Reply | StreamedReply) => {
    if (spare === worker && "op" in message && message.op === "listed") spareListed?.add(message.listings);
  });
  spare = worker;
  spareListed = undefined;
  return worker;
}

/**
 * A set of file workers: the first starts at once (or is adopted), the others when hashing work
 * queues behind busy ones, or all with the first hash batch for a scan that hashes every file
 * ({@link FileWorkers.growWithHashing}). Never more than the cores: on 2 cores, 4 hashing
 * threads plus this one only take turns, each having paid its start-up.
 */
export class FileWorkers {
  private readonly workers: Slot[] = [];
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 0;
  private readonly size: number;
  /** Hash work asked for so far, in the COST_ microseconds. */
  private hashLoad = 0;
  /** Hash batches asked for so far. */
  private hashBatches = 0;
  /** Set by {@link growWithHashing}. */
  private eager = false;
  /** Set by {@link hashWhileListing}. */
  private listingHashes: ListingHashes | undefined;
  /** What the adopted spare's stream sent ahead of the walk (see {@link prestartFileWorker}). */
  private listed: ListedAhead<StreamedListing> | undefined;
  /** The size gate as a set, made when a streamed listing needs it (see {@link takeListed}). */
  private sizes: Set<number> | undefined;

  /**
   * `sizeGate`: the file sizes with which a file may match (FileCollectorOptions.sizeGate); a
   * listing asked with `gate` leaves the other files out, so the main thread never handles them.
   * `filter`: the walk's exclusions and hint, which every listing applies (see filterMessage).
   */
  constructor(
    concurrency: number,
    private readonly sizeGate?: readonly number[],
    private readonly filter?: { readonly spec: PathFilterSpec; readonly root: string },
  ) {
    this.size = Math.max(1, Math.min(concurrency, availableParallelism()));
    this.workers.push(this.start());
  }

  /** Whether listings can leave out files by size (a gate was given). */
  get gating(): boolean {
    return this.sizeGate !== undefined;
  }

  /**
   * From now on, a listing asked with `gate` also hashes its regular files (up to
   * `maxFileBytes` each, `budgetBytes` per request) on the worker that lists them: a scan that
   * hashes every file then sends the main thread each folder's names, lstats and digests in one
   * message, not a hash batch per 64 files. Such listings count as hashing work: they start
   * every worker of a set that {@link growWithHashing}.
   */
  hashWhileListing(hashes: ListingHashes): void {
    this.listingHashes = hashes;
    // What a stream sent hashed nothing: its files would each go to a hash batch. The walk asks
    // for those folders again, to have them listed and hashed in one go.
    const streamed = this.listed !== undefined;
    this.listed = undefined;
    for (const { worker } of this.workers) {
      if (streamed) worker.postMessage({ op: "stream-end" });
      worker.postMessage(inlineMessage(hashes));
    }
  }

  /** Whether listings hash their files ({@link hashWhileListing}). */
  get hashingWhileListing(): boolean {
    return this.listingHashes !== undefined;
  }

  /** The running workers' thread ids, first started first. */
  get threadIds(): number[] {
    return this.workers.map(({ worker }) => worker.threadId);
  }

  /** lstats every path (links not followed); one result per path, in order. */
  async stat(paths: readonly string[]): Promise<StatResult[]> {
    const reply = await this.send({ op: "stat", paths }, COST_STAT * paths.length);
    return statResults(paths.length, reply as StatReply);
  }

  /** Reads the folder `path` and lstats what it holds (links not followed); a fresh listing sent ahead if there is one. */
  async list(path: string): Promise<Listing> {
    const ahead = this.takeListed(path);
    if (ahead !== undefined) return ahead;
    const [first] = await this.listAhead([{ path, dev: 0n }], 0, 0);
    return (first as { listing: Listing }).listing;
  }

  /**
   * The listing of the folder `path` that a worker sent ahead of the walk, unasked, if it came
   * and is fresh; taken once. Such a listing hashed nothing, and the size gate left files out of it
   * if the set has one.
   */
  takeListed(path: string): Listing | undefined {
    const folder = this.listed?.take(path);
    if (folder === undefined) return undefined;
    // Streamed before the worker knew the gate: applied here, as the worker would have.
    if (this.sizeGate !== undefined && !folder.sized) return listingOf(gateBySize(folder, (this.sizes ??= new Set(this.sizeGate))), undefined);
    return listingOf(folder, undefined);
  }

  /** Whether a listing of `path` came ahead and is not taken yet (see {@link takeListed}). */
  holdsListed(path: string): boolean {
    return this.listed?.holds(path) === true;
  }

  /** Listings that came ahead and are not taken yet. */
  get listedAhead(): number {
    return this.listed?.size ?? 0;
  }

  /**
   * Lists `folders` (each on its device `dev`), then, while they hold fewer than `aheadFiles`
   * files, up to `ahead` of their subfolders in walk order: depth first, by name, never through a
   * link or onto another device. One message for several folders and their subtrees instead of a
   * round trip per folder. The reply holds the folders' listings first, in order, then those
   * listed ahead. With `gate`, files the size gate rules out are left out of the listings
   * (counted in `gated`).
   */
  async listAhead(folders: readonly { readonly path: string; readonly dev: bigint }[], ahead: number, aheadFiles: number, gate = false): Promise<{ path: string; listing: Listing }[]> {
    // Hashing while listing applies where the gate may: the files of such a listing are all wanted.
    const hashes = gate ? this.listingHashes : undefined;
    const inline = hashes !== undefined;
    // Ahead, no more files than the request may hash: they would only wait for hash batches.
    const files = hashes === undefined ? aheadFiles : Math.min(aheadFiles, hashes.budgetFiles);
    const paths = folders.map(({ path }) => path);
    const devs = folders.map(({ dev }) => BigInt.asIntN(64, dev));
    const message = { op: "list" as const, paths, devs, ahead, aheadFiles: files, gate: gate && this.gating, inline };
    const load = COST_LIST * (folders.length + ahead) + (inline ? COST_LIST_HASHING : 0);
    const reply = (await this.send(message, load, inline)) as ListReply;
    // The first listing that hashed something starts the other workers of an eager set: a scope
    // without files (or whose first folders hold none) never needed them.
    if (inline && this.eager && this.workers.length < this.size && reply.listings.some((folder) => folder.inline?.hashed.includes(1) === true)) this.growToSize();
    const layout = hashes === undefined ? undefined : hexLayout(hashes.algorithms);
    return reply.listings.map((folder) => ({ path: folder.path, listing: listingOf(folder, layout) }));
  }

  /**
   * The digests of every job's file, each read once; one result per job, in order. The batch
   * goes as its paths, its sizes and one list of algorithms (those of all its jobs: normally the
   * same for every file, else some file is hashed with one more), and comes back as one string.
   */
  async hash(jobs: readonly HashJob[]): Promise<HashResult[]> {
    const paths: string[] = [];
    const sizes = new Float64Array(jobs.length);
    const asked = new Set<DigestAlgorithm>();
    let load = 0;
    for (const [i, job] of jobs.entries()) {
      paths.push(job.path);
      sizes[i] = job.size;
      for (const algorithm of job.algorithms) asked.add(algorithm);
      load += COST_OPEN + Math.ceil((job.size / 2 ** 20) * COST_PER_MIB);
    }
    const algorithms = ALGORITHMS.filter((algorithm) => asked.has(algorithm));
    const reply = (await this.send({ op: "hash", paths, sizes, algorithms }, load, true)) as HashReply;
    return hashResults(jobs, hexLayout(algorithms), reply);
  }

  /**
   * For a scan known to hash every file it walks: every worker the set may have (up to its size)
   * starts with the first hash batch, not once hashing has queued up behind busy ones, since all
   * would be hashing soon anyway. Not before that batch (or a listing that hashed files): a scope
   * without files needs one worker.
   */
  growWithHashing(): void {
    this.eager = true;
  }

  private growToSize(): void {
    while (this.workers.length < this.size) this.workers.push(this.start());
  }

  /**
   * Stops the workers; batches still waiting fail. Does not wait for the threads to end: their
   * teardown (a few milliseconds each) runs beside what the scan does next, and the process
   * waits for them when it exits.
   */
  close(): Promise<void> {
    const workers = this.workers.splice(0);
    this.listed = undefined;
    for (const { worker } of workers) void worker.terminate().catch(() => undefined);
    for (const { reject } of this.waiting.values()) reject(new Error("file workers closed"));
    this.waiting.clear();
    return Promise.resolve();
  }

  private send(
    message:
      | { op: "stat"; paths: readonly string[] }
      | { op: "list"; paths: readonly string[]; devs: readonly bigint[]; ahead: number; aheadFiles: number; gate: boolean; inline: boolean }
      | { op: "hash"; paths: readonly string[]; sizes: Float64Array; algorithms: readonly DigestAlgorithm[] },
    load: number,
    hashing = false,
  ): Promise<Reply> {
    const slot = this.leastBusy(hashing, load, message.op === "list");
    const id = this.nextId++;
    // Referenced while it has work, so the process waits for it; unreferenced when idle.
    if (slot.load === 0) slot.worker.ref();
    slot.load += load;
    if (hashing) slot.hashing++;
    const done = (): void => {
      slot.load -= load;
      if (hashing) slot.hashing--;
      if (slot.load === 0) slot.worker.unref();
    };
    return new Promise<Reply>((resolve, reject) => {
      this.waiting.set(id, {
        resolve: (reply) => {
          done();
          if ("failed" in reply) reject(new Error(`file worker: ${reply.failed}`));
          else resolve(reply);
        },
        reject: (error) => (done(), reject(error)),
      });
      slot.worker.postMessage({ id, ...message });
    });
  }

  /**
   * Another worker starts for hashing only when every running one is hashing already and the
   * scan has hashed enough to pay for its start-up ({@link GROW_AFTER_HASH_LOAD}); listings and
   * stats alone never start a second one. A scan that mostly lists and stats (IOC sizes known,
   * the hash cache warm) so runs on one worker, and one that hashes every file grows to `size`.
   */
  private leastBusy(hashing: boolean, load: number, listing: boolean): Slot {
    if (hashing) this.hashLoad += load;
    if (this.workers.length === 0) this.workers.push(this.start());
    if (hashing && !listing && this.eager) this.growToSize();
    const wanted = hashing && this.hashLoad >= GROW_AFTER_HASH_LOAD && this.workers.every((w) => w.hashing > 0);
    if (this.workers.length < this.size && wanted) this.workers.push(this.start());
    if (hashing) this.hashBatches++;
    const queued = (slot: Slot): number => slot.load + (slot.booting && !hashing ? COST_BOOT : 0);
    let best = this.workers[0] as Slot;
    for (const slot of this.workers) if (queued(slot) < queued(best)) best = slot;
    return best;
  }

  private start(): Slot {
    const adopted = spare;
    const worker = adopted ?? startFileWorkerThread();
    // What the spare streamed, unless made with other exclusions or hint than this set's (for an
    // agent's scan that never walked): then the stream stops, and this set lists for itself.
    if (adopted !== undefined && spareListed !== undefined && this.listed === undefined) {
      if (sameFilter(spareListed.filter, this.filter?.spec)) this.listed = spareListed;
      else worker.postMessage({ op: "stream-end" });
    }
    spare = undefined;
    spareListed = undefined;
    // An adopted spare has had time to start (the first worker takes any work in any case).
    const slot: Slot = { worker, load: 0, hashing: 0, booting: adopted === undefined && this.workers.length > 0 };
    if (slot.booting) worker.once("online", () => (slot.booting = false));
    if (workerStarts.hasSubscribers) {
      const start: WorkerStart = { threadId: worker.threadId, index: this.workers.length, adopted: adopted !== undefined, hashBatches: this.hashBatches };
      workerStarts.publish(start);
    }
    // Before any listing: messages reach a worker in order. No reply.
    if (this.sizeGate !== undefined) worker.postMessage({ op: "gate", sizes: this.sizeGate });
    // Always: an adopted spare may hold the filter of a scan that never took it (an agent runs many).
    worker.postMessage(filterMessage(this.filter?.spec, this.filter?.root ?? "/"));
    if (this.listingHashes !== undefined) worker.postMessage(inlineMessage(this.listingHashes));
    worker.on("message", (reply: Reply | StreamedReply) => {
      if ("op" in reply) {
        this.listed?.add(reply.listings);
        return;
      }
      const waiter = this.waiting.get(reply.id);
      if (waiter === undefined) return;
      this.waiting.delete(reply.id);
      waiter.resolve(reply);
    });
    worker.on("error", (error) => {
      // A crashed worker (out of memory): drop it and fail what is waiting rather than hang.
      const at = this.workers.indexOf(slot);
      if (at >= 0) this.workers.splice(at, 1);
      for (const { reject } of this.waiting.values()) reject(error);
      this.waiting.clear();
    });
    return slot;
  }
}
