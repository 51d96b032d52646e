/**
 * Digest-only reads on worker threads. Each worker opens, reads and hashes one file at a time
 * with synchronous calls, so a file costs the main thread one message instead of an open, reads
 * and a close through the thread pool, and hashing runs on every core. The number of workers
 * bounds the parallel I/O.
 *
 * The worker is a short plain-JavaScript program passed as a string (`eval: true`): it needs no
 * loader, so the same code runs from `dist/`, under tsx and under vitest.
 *
 * @module
 */
import { constants } from "node:fs";
import { Worker } from "node:worker_threads";
import type { DigestAlgorithm, Digests } from "./options.js";

/** A job: hash exactly `size` bytes of `path` (the size lstat saw). */
interface Job {
  readonly id: number;
  readonly path: string;
  readonly size: number;
  readonly algorithms: readonly DigestAlgorithm[];
}

type Reply = { readonly id: number; readonly digests: Digests } | { readonly id: number; readonly error: { readonly code: string | undefined; readonly message: string } };

// Same rules as content.ts: no links followed, a FIFO cannot block the open, a short read (the
// file shrank or was swapped) is an error rather than a digest of part of it.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { openSync, readSync, closeSync } = require("node:fs");
const { createHash } = require("node:crypto");
const FLAGS = ${constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY};
const buffer = Buffer.allocUnsafe(1024 * 1024);
parentPort.on("message", (job) => {
  let fd = -1;
  try {
    fd = openSync(job.path, FLAGS);
    const hashes = job.algorithms.map((a) => createHash(a));
    let position = 0;
    while (position < job.size) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, job.size - position), position);
      if (n === 0) break;
      const chunk = n === buffer.length ? buffer : buffer.subarray(0, n);
      for (const h of hashes) h.update(chunk);
      position += n;
    }
    if (position < job.size) {
      const e = new Error(job.path + " shrank from " + job.size + " bytes while it was read");
      e.code = "ECHANGED";
      throw e;
    }
    const digests = {};
    job.algorithms.forEach((a, i) => { digests[a] = hashes[i].digest("hex"); });
    parentPort.postMessage({ id: job.id, digests });
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: { code: error && error.code, message: String(error && error.message) } });
  } finally {
    if (fd >= 0) closeSync(fd);
  }
});
`;

/** An fs error reported by a worker, with its errno code. */
class WorkerFsError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** A fixed set of hashing workers, started on first use. */
export class HashWorkers {
  private readonly workers: { worker: Worker; pending: number }[] = [];
  private readonly waiting = new Map<number, { resolve: (d: Digests) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(private readonly size: number) {}

  /** The digests of the first `size` bytes of `path`, read once. */
  hash(path: string, size: number, algorithms: readonly DigestAlgorithm[]): Promise<Digests> {
    const slot = this.leastBusy();
    const job: Job = { id: this.nextId++, path, size, algorithms };
    // Referenced while it has work, so the process waits for it; unreferenced when idle.
    if (slot.pending++ === 0) slot.worker.ref();
    const done = (): void => {
      if (--slot.pending === 0) slot.worker.unref();
    };
    return new Promise((resolve, reject) => {
      this.waiting.set(job.id, {
        resolve: (digests) => (done(), resolve(digests)),
        reject: (error) => (done(), reject(error)),
      });
      slot.worker.postMessage(job);
    });
  }

  /** Stops the workers; jobs still waiting fail. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
    for (const { reject } of this.waiting.values()) reject(new Error("hash workers closed"));
    this.waiting.clear();
  }

  private leastBusy(): { worker: Worker; pending: number } {
    if (this.workers.length < this.size && this.workers.every((w) => w.pending > 0)) this.workers.push(this.start());
    let best = this.workers[0] as { worker: Worker; pending: number };
    for (const slot of this.workers) if (slot.pending < best.pending) best = slot;
    return best;
  }

  private start(): { worker: Worker; pending: number } {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const slot = { worker, pending: 0 };
    // An idle worker must not keep a finished scan's process alive.
    worker.unref();
    worker.on("message", (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      if (waiter === undefined) return;
      this.waiting.delete(reply.id);
      if ("digests" in reply) waiter.resolve(reply.digests);
      else waiter.reject(new WorkerFsError(reply.error.message, reply.error.code));
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
