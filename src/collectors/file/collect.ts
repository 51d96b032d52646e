/**
 * The FileItem collection loop: the walk's files go to the workers in batches of up to
 * {@link BATCH_FILES} (a folder's files, small folders merged), with a bounded number of files in
 * flight; records are yielded as their batch completes. The walk is pulled only when there is
 * room, so memory stays bounded by the concurrency, not by the tree.
 *
 * @module
 */
import picomatch from "picomatch";
import type { CollectorContext, HostRecord } from "../types.js";
import { collectBatch, type FileRun } from "./file-record.js";
import { FileWorkers } from "./file-workers.js";
import { createPseudoCheck } from "./mounts.js";
import { resolveFileOptions, type FileCollectorOptions } from "./options.js";
import { loadOwnerNames } from "./owners.js";
import { createWarn } from "./problems.js";
import { walkFileBatches, type WalkEntry, type WalkPosition } from "./walk.js";

/** Read size: large enough that a big file costs few thread-pool round trips. */
const CHUNK_BYTES = 1024 * 1024;
/**
 * Files in flight per unit of concurrency. This bounds what an interrupted scan repeats when it
 * resumes (the files in flight, src/scan/checkpoint/resume.test.ts), so it stays as it was when
 * every file was its own job.
 */
const QUEUE_DEPTH = 4;
/** Files per batch handed to the workers (one message each way per batch, not per file): a batch per worker in flight. */
const BATCH_FILES = QUEUE_DEPTH;

/** Runs one FileItem collection. */
export async function* collectFiles(context: CollectorContext, input: FileCollectorOptions): AsyncGenerator<HostRecord> {
  const options = resolveFileOptions(input);
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
    workers: new FileWorkers(options.concurrency),
    buffers: {
      take: () => free.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES),
      give: (buffer) => void free.push(buffer),
    },
  };
  const isExcluded = options.excludes.length > 0 ? picomatch([...options.excludes], { dot: true }) : () => false;
  const walk = walkFileBatches({
    host: context.host,
    scopes: options.scopes,
    crossMounts: options.crossMounts,
    excluded: (path) => isExcluded(path),
    hint: options.hint,
    pseudo: await createPseudoCheck(context.host),
    signal: context.signal,
    warn,
    count,
    resume: input.resumeFrom,
    workers: run.workers,
  });
  const tracker = new PositionTracker(input.resumeFrom);
  input.exposePosition?.(() => tracker.position());

  let done: { seq: number; record: HostRecord | undefined }[] = [];
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let failure: { error: unknown } | undefined;
  const start = (batch: readonly WalkEntry[]): void => {
    inFlight += batch.length;
    const first = tracker.started(batch);
    void collectBatch(batch, run)
      .then(
        (records) => records.forEach((record, i) => done.push({ seq: first + i, record })),
        // collectBatch turns fs errors into warnings; anything else is a bug worth stopping for.
        (error: unknown) => (failure ??= { error }),
      )
      .finally(() => {
        inFlight -= batch.length;
        wake?.();
      });
  };
  const limit = options.concurrency * QUEUE_DEPTH;
  const settle = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  function* finished(): Generator<HostRecord> {
    if (failure) throw failure.error;
    // Taken whole (shift() on a long array costs per element); what finishes meanwhile waits.
    const ready = done;
    done = [];
    for (const next of ready) {
      if (context.signal?.aborted) return;
      // Marked before the yield: when the consumer holds this record, the position covers it.
      tracker.finished(next.seq);
      if (next.record !== undefined) yield next.record;
    }
  }

  try {
    // Small folders are merged into one batch; a batch never waits for more than the next folder.
    let pending: WalkEntry[] = [];
    for await (const listed of walk) {
      for (let at = 0; at < listed.length; ) {
        const take = Math.min(BATCH_FILES - pending.length, listed.length - at);
        pending = pending.concat(listed.slice(at, at + take));
        at += take;
        if (pending.length < BATCH_FILES) break;
        start(pending);
        pending = [];
        while (inFlight >= limit) await settle();
        yield* finished();
        if (context.signal?.aborted) return;
      }
    }
    if (pending.length > 0 && context.signal?.aborted !== true) start(pending);
    while (inFlight > 0 && context.signal?.aborted !== true) {
      await settle();
      yield* finished();
    }
    yield* finished();
  } finally {
    // Stopped early (consumer break, abort, error): let open files close before returning.
    while (inFlight > 0) await settle();
    await run.workers.close();
  }
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

  constructor(resume: WalkPosition | undefined) {
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

  finished(seq: number): void {
    this.ahead.add(seq);
    while (this.ahead.delete(this.low)) {
      const entry = this.entries.get(this.low);
      this.entries.delete(this.low);
      this.low++;
      if (entry !== undefined) {
        this.scope = entry.scope;
        this.after = entry.host;
      }
    }
  }

  position(): WalkPosition {
    const done = [...this.carried];
    for (const seq of this.ahead) {
      const entry = this.entries.get(seq);
      if (entry !== undefined) done.push(entry.host);
    }
    return { scope: this.scope, after: this.after, done };
  }
}
