/**
 * The FileItem collection loop: the walk's files are taken a step of up to {@link STEP_FILES} at a
 * time (a folder's files, small folders merged). A step's files that need no content are done at
 * once; the others go to the workers in hash batches, and their records come when those finish.
 * The walk is pulled only while fewer than {@link MAX_UNFINISHED_FILES} files (and
 * {@link MAX_UNFINISHED_BYTES} of them) are unfinished, so memory stays bounded by these constants,
 * not by the tree, and so is what a resumed scan repeats and what a paused scan still reads.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import { digestGateRulesOut } from "../../core/compile/index.js";
import { pathText } from "../../shared/path-text.js";
import type { CollectorContext, HostRecord, HostView } from "../types.js";
import { cacheKey, collectBatch, type FileRun } from "./file-record.js";
import { FileWorkers } from "./file-workers.js";
import { createPseudoCheck } from "./mounts.js";
import { resolveFileOptions, type DigestGate, type FileCollectorOptions, type HashCache, type ResolvedFileOptions } from "./options.js";
import { loadOwnerNames } from "./owners.js";
import { exclusionTest, pathFilterSpec } from "./path-filter.js";
import { createWarn } from "./problems.js";
import { walkFileBatches, type WalkEntry, type WalkPosition, type WalkSettings } from "./walk.js";

/** Read size: large enough that a big file costs few thread-pool round trips. */
const CHUNK_BYTES = 1024 * 1024;
/**
 * The most files taken from the walk and not finished yet: waiting for their content (hashing,
 * reading), or done and not yet handed to the consumer. An interrupted scan's position covers
 * every other file, so a resumed scan repeats at most this many files per interruption
 * (src/scan/checkpoint/resume.test.ts). Files that need no content finish at once and hardly
 * count; for files that are hashed it is the work queued ahead of the workers: a few hash
 * batches per worker, so that none waits for the next batch.
 */
export const MAX_UNFINISHED_FILES = 256;
/**
 * The most bytes (listed sizes) of unfinished files, unless a single file is larger: what is
 * still read after the consumer pauses (`--idle-only`) and read again after a resumption.
 */
export const MAX_UNFINISHED_BYTES = 64 * 1024 * 1024;
/**
 * Hashing while listing (FileWorkers.hashWhileListing): files up to this size; larger ones go in
 * hash batches, which spread over the workers rather than hold up a listing the walk waits for.
 */
const LISTING_HASH_MAX_FILE = 1024 * 1024;
/**
 * The bytes and files one listing request may hash. The walk keeps six such requests under way
 * and asks for the folder it walks next in any case (walk.ts PREFETCH), and asks for nothing more
 * while the scan is paused: seven times this (56 MiB) is what a paused scan may still read, within
 * {@link MAX_UNFINISHED_BYTES}. On tree B (20,000 small files), 64 files per request took 6 %
 * longer, 32 files 17 %; 256 files no less.
 */
const LISTING_HASH_BUDGET = { bytes: 8 * 1024 * 1024, files: 128 };
/**
 * Files done without a record (a gate left them out) after which the collector stops at
 * `context.between`: where a scan with few records still pauses, paces itself and saves its
 * position.
 */
const QUIET_FILES = 64;
/** Files taken from the walk at once: one stat, prefilter and hash-cache pass, one promise. */
const STEP_FILES = 64;
/** A step also ends at this many bytes, so that big files come a few at a time. */
const STEP_BYTES = 16 * 1024 * 1024;

/** Runs one FileItem collection. */
export async function* collectFiles(context: CollectorContext, input: FileCollectorOptions): AsyncGenerator<HostRecord> {
  const options = resolveFileOptions(input);
  // The size gate needs every listed file to be wanted (the workers leave out the files the
  // exclusions and hint do not want, see path-filter.ts), and no files finished out of order by
  // an interrupted run (they are skipped by name, uncounted).
  const gatable = (input.resumeFrom?.done.length ?? 0) === 0;
  const sizeGated = gatable && options.sizeGate !== undefined;
  const filter = pathFilterSpec(options.excludes, options.hint);
  // First, so that a worker boots while the owner names and mounts are read.
  const workers = new FileWorkers(options.concurrency, sizeGated ? options.sizeGate : undefined, { spec: filter, root: context.host.root });
  const growing = options.hashEveryFile ? growUnlessCached(workers, options, context.host) : undefined;
  const warn = createWarn(context);
  const count = (stat: string, by = 1): void => context.count(stat, by);
  // Read buffers of the main-thread content path, reused: at most one per file in flight.
  const free: Buffer[] = [];
  const needOwners = context.fields.has("Username") || context.fields.has("Group");
  const run: FileRun = {
    wanted: context.fields,
    owners: needOwners ? await loadOwnerNames(context) : undefined,
    options,
    warn,
    count,
    workers,
    buffers: {
      take: () => free.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES),
      give: (buffer) => void free.push(buffer),
    },
  };
  const cold = (await growing) === true;
  // A cold scan of a hash list: the workers hash what they list, and the files whose digests no
  // IOC names never reach this thread (counted with their folder's gated entry).
  const digestGate = options.digestGate;
  const hashWhileListing = gatable && cold && digestGate !== undefined;
  if (hashWhileListing) {
    workers.hashWhileListing({
      algorithms: digestGate.algorithms,
      maxFileBytes: Math.min(LISTING_HASH_MAX_FILE, options.maxHashBytes),
      budgetBytes: LISTING_HASH_BUDGET.bytes,
      budgetFiles: LISTING_HASH_BUDGET.files,
    });
  }
  const cache = options.hashCache;
  // A rescan of a hash list: files whose cached digests no IOC names never reach this thread either.
  const cacheGated = gatable && !cold && digestGate !== undefined && cache !== undefined;
  const isExcluded = exclusionTest(filter);
  const walk = walkFileBatches({
    host: context.host,
    scopes: options.scopes,
    crossMounts: options.crossMounts,
    // Exclusions, like IOC terms, see a path's text form (src/shared/path-text.ts).
    excluded: (path) => isExcluded(pathText(path)),
    hint: options.hint,
    pseudo: await createPseudoCheck(context.host),
    signal: context.signal,
    warn,
    count,
    resume: input.resumeFrom,
    workers,
    listAhead: true,
    gate: sizeGated || hashWhileListing || cacheGated,
    ...(digestGate !== undefined && (hashWhileListing || cacheGated) ? { ruleOut: ruleOutByDigests(digestGate, cache, cacheGated) } : {}),
    held: () => pausing,
  });
  // Files the size gate left out count as seen when the position passes them, not before: a
  // checkpoint's counts and position then agree, and a resumed scan counts them once.
  const tracker = new PositionTracker(input.resumeFrom, ({ gated = 0, ruledOut }) => {
    count("filesSeen", gated);
    const hashed = ruledOut?.hashed ?? 0;
    const cached = ruledOut?.cached ?? 0;
    if (gated > hashed + cached) count("filesSkippedByPrefilter", gated - hashed - cached);
    if (hashed > 0) {
      count("filesHashed", hashed);
      count("bytesHashed", ruledOut?.bytes ?? 0);
    }
    if (cached > 0) count("hashCacheHits", cached);
  });
  input.exposePosition?.(() => tracker.position());

  // Finished files in the order they finished, as sequence numbers and records side by side.
  let doneSeqs: number[] = [];
  let doneRecords: (HostRecord | undefined)[] = [];
  /** Steps whose files are not all delivered yet. */
  let working = 0;
  /** Listed bytes of the files started and not delivered yet. */
  let unfinishedBytes = 0;
  let wake: (() => void) | undefined;
  let failure: { error: unknown } | undefined;
  const start = (step: readonly WalkEntry[]): void => {
    const first = tracker.started(step);
    // A size gate's entries are not files: done at once (counted when the position passes them).
    const files: WalkEntry[] = [];
    const seqs: number[] = [];
    for (let i = 0; i < step.length; i++) {
      const entry = step[i] as WalkEntry;
      if (entry.gated === undefined) {
        files.push(entry);
        seqs.push(first + i);
      } else {
        doneSeqs.push(first + i);
        doneRecords.push(undefined);
      }
    }
    if (files.length === 0) return;
    working++;
    unfinishedBytes += listedBytes(files);
    void collectBatch(files, run, (index, record) => {
      unfinishedBytes -= listedSize(files[index]);
      doneSeqs.push(seqs[index] as number);
      doneRecords.push(record);
      wake?.();
    })
      // collectBatch turns fs errors into warnings; anything else is a bug worth stopping for.
      .catch((error: unknown) => (failure ??= { error }))
      .finally(() => {
        working--;
        wake?.();
      });
  };
  const change = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  // Files may finish while `finished` waits in `context.between`: then there is no need to wait.
  const settle = (): Promise<void> => (doneSeqs.length > 0 || failure !== undefined ? Promise.resolve() : change());
  /** Files done without a record since the last record or call of `context.between`. */
  let quiet = 0;
  /** In `context.between`, or handing on a record (either may pause the scan): the walk asks nothing ahead meanwhile. */
  let pausing = false;
  async function* finished(): AsyncGenerator<HostRecord> {
    if (failure) throw failure.error;
    // Taken whole; what finishes meanwhile waits for the next call.
    const seqs = doneSeqs;
    const records = doneRecords;
    doneSeqs = [];
    doneRecords = [];
    for (let i = 0; i < seqs.length; i++) {
      if (context.signal?.aborted) return;
      // Marked before the yield: when the consumer holds this record, the position covers it.
      const seq = seqs[i] as number;
      const files = tracker.filesOf(seq);
      tracker.finished(seq);
      const record = records[i];
      if (record !== undefined) {
        quiet = 0;
        pausing = true;
        try {
          yield record;
        } finally {
          pausing = false;
        }
      } else if (context.between !== undefined) {
        // Every so many files done without a record (left out by a gate), a place to pause, as a
        // record is: the position covers every file that was handed on.
        quiet += files;
        if (quiet >= QUIET_FILES) {
          quiet = 0;
          pausing = true;
          try {
            await context.between();
          } finally {
            pausing = false;
          }
        }
      }
    }
  }

  try {
    for await (const step of steps(walk)) {
      // Room for the step first: finished files handed on, and the bound kept.
      for (;;) {
        yield* finished();
        if (context.signal?.aborted) return;
        const bytesFit = unfinishedBytes === 0 || unfinishedBytes + listedBytes(step) <= MAX_UNFINISHED_BYTES;
        if (tracker.unfinished + step.length <= MAX_UNFINISHED_FILES && bytesFit) break;
        await settle();
      }
      start(step);
    }
    while (working > 0 && context.signal?.aborted !== true) {
      yield* finished();
      if (working > 0) await settle();
    }
    yield* finished();
  } finally {
    // Stopped early (consumer break, abort, error): let open files close before returning.
    while (working > 0) await change();
    await workers.close();
  }
}

/**
 * For a scan that hashes every file (`hashEveryFile`): all the workers start with its first hash
 * batch, unless the hash cache may answer for some scope, i.e. it holds entries of a scope
 * root's device (a rescan). Without `holdsDevice` a cache is taken to answer. The devices are
 * those of the scope roots (links followed): a hint, which at worst starts a worker early or late.
 */
async function growUnlessCached(workers: FileWorkers, options: ResolvedFileOptions, host: HostView): Promise<boolean> {
  const cache = options.hashCache;
  if (cache !== undefined) {
    const holdsDevice = cache.holdsDevice?.bind(cache);
    if (holdsDevice === undefined) return false;
    const devices = await Promise.all(options.scopes.map((scope) => stat(host.toDisk(scope), { bigint: true }).then((s) => s.dev, () => undefined)));
    if (devices.some((dev) => dev !== undefined && holdsDevice(dev))) return false;
  }
  workers.growWithHashing();
  return true;
}

/**
 * The walk's {@link WalkSettings.ruleOut} for a hash list: digests computed while listing go to
 * the hash cache and are checked against the gate; with `cached`, so are the digests the cache
 * holds for a file not hashed (a rescan). A file the cache knows only some digests of is kept.
 */
function ruleOutByDigests(gate: DigestGate, cache: HashCache | undefined, cached: boolean): NonNullable<WalkSettings["ruleOut"]> {
  return (stat, listed) => {
    if (listed !== undefined) {
      cache?.put(cacheKey(stat), listed);
      return digestGateRulesOut(gate, listed) ? "hashed" : undefined;
    }
    if (!cached || cache === undefined) return undefined;
    const key = cacheKey(stat);
    // By the stored bytes when it can: most files of a rescan are ruled out here.
    if (gate.named !== undefined && cache.cachedDigestsNamed?.(key, gate.algorithms, gate.named) === false) return "cached";
    const known = cache.get(key);
    return known !== undefined && digestGateRulesOut(gate, known) ? "cached" : undefined;
  };
}

/** The size its folder's listing saw; 0 when unknown (a scope that is a file, a huge folder). */
function listedSize(entry: WalkEntry | undefined): number {
  const listed = entry?.listed;
  return listed !== undefined && "stat" in listed ? Number(listed.stat.size) : 0;
}

function listedBytes(step: readonly WalkEntry[]): number {
  let bytes = 0;
  for (const entry of step) bytes += listedSize(entry);
  return bytes;
}

/**
 * The walk's files in steps of {@link STEP_FILES} or {@link STEP_BYTES}, whichever comes first: a
 * folder's files, small folders merged. A step never waits for more than the next folder.
 */
async function* steps(walk: AsyncIterable<WalkEntry[]>): AsyncGenerator<WalkEntry[]> {
  let pending: WalkEntry[] = [];
  let bytes = 0;
  for await (const listed of walk) {
    for (const entry of listed) {
      pending.push(entry);
      bytes += listedSize(entry);
      if (pending.length >= STEP_FILES || bytes >= STEP_BYTES) {
        yield pending;
        pending = [];
        bytes = 0;
      }
    }
  }
  if (pending.length > 0) yield pending;
}

/**
 * The collection's position for checkpoints. Files finish out of walk order (a big file hashes
 * while small ones pass it), so the position is the last file before which everything is
 * finished, plus the few finished beyond it.
 */
class PositionTracker {
  private nextSeq = 0;
  /** The lowest sequence number not yet finished. */
  private low = 0;
  private readonly entries = new Map<number, WalkEntry>();
  private readonly ahead = new Set<number>();
  private scope: number;
  private after: string | null;
  /** Files a resumed walk skipped as done beyond the old position: still done beyond the new one. */
  private readonly carried: readonly string[];

  constructor(
    resume: WalkPosition | undefined,
    private readonly passedGated: (entry: WalkEntry) => void,
  ) {
    this.scope = resume?.scope ?? 0;
    this.after = resume?.after ?? null;
    this.carried = resume?.done ?? [];
  }

  /** Numbers the entries in walk order; returns the first one's sequence number. */
  started(entries: readonly WalkEntry[]): number {
    const first = this.nextSeq;
    for (const entry of entries) this.entries.set(this.nextSeq++, entry);
    return first;
  }

  /** Files started and not finished yet. */
  get unfinished(): number {
    return this.nextSeq - this.low - this.ahead.size;
  }

  /** How many files the unfinished entry `seq` stands for: a gate's entry, those it left out. */
  filesOf(seq: number): number {
    return this.entries.get(seq)?.gated ?? 1;
  }

  finished(seq: number): void {
    this.ahead.add(seq);
    while (this.ahead.delete(this.low)) {
      const entry = this.entries.get(this.low);
      this.entries.delete(this.low);
      this.low++;
      if (entry !== undefined) {
        this.scope = entry.scope;
        this.after = entry.host;
        if (entry.gated !== undefined) this.passedGated(entry);
      }
    }
  }

  position(): WalkPosition {
    const done = [...this.carried];
    for (const seq of this.ahead) {
      const entry = this.entries.get(seq);
      // A size gate's entry is named as a file it does not stand for: not done by name.
      if (entry !== undefined && entry.gated === undefined) done.push(entry.host);
    }
    return { scope: this.scope, after: this.after, done };
  }
}
