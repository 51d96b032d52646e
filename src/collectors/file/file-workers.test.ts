/**
 * How many file workers run: one from the start (a prestarted one when there is one), a second
 * only once enough hashing queues behind a busy one, or at once when asked to grow, never more
 * than the cores; and what a hash batch returns. Files are real, in a temp folder made here.
 */
import { createHash } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { adoptFileWorker, FileWorkers, prestartFileWorker, WORKER_START_CHANNEL, type HashJob, type WorkerStart } from "./file-workers.js";
import { pathFilterSpec } from "./path-filter.js";
import { startFileWorkerThread, streamFromLaunch } from "./worker-program.js";

const root = mkdtempSync(join(tmpdir(), "iocscan-workers-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MiB = 1024 * 1024;
const small = join(root, "small.bin");
writeFileSync(small, "small file\n");
const big = join(root, "big.bin");
writeFileSync(big, Buffer.alloc(4 * MiB, 7));
const job = (path: string, size: number): HashJob => ({ path, size, algorithms: ["sha256"] });
const digest = (algorithm: string, data: string | Buffer): string => createHash(algorithm).update(data).digest("hex");

/** The workers FileWorkers sets take on while `run` runs, as published on WORKER_START_CHANNEL. */
async function startsDuring(run: () => Promise<void>): Promise<WorkerStart[]> {
  const starts: WorkerStart[] = [];
  const listener = (message: unknown): void => void starts.push(message as WorkerStart);
  subscribe(WORKER_START_CHANNEL, listener);
  try {
    await run();
  } finally {
    unsubscribe(WORKER_START_CHANNEL, listener);
  }
  return starts;
}

/** A tree of `keep/` and `skip/` with an early.txt each, and keep/early.log. */
function prelistFilterTree(prefix: string): string {
  const tree = mkdtempSync(join(root, prefix));
  for (const folder of ["keep", "skip"]) {
    mkdirSync(join(tree, folder));
    writeFileSync(join(tree, folder, "early.txt"), "early");
  }
  writeFileSync(join(tree, "keep/early.log"), "early");
  return tree;
}

/** A worker as the CLI's launcher starts it, streaming `roots`, adopted once its first listings came. */
async function launchStreaming(roots: readonly string[]): Promise<Worker> {
  const launched = startFileWorkerThread();
  const stream = streamFromLaunch(launched, roots);
  // The CLI loads meanwhile: the worker's listings arrive with nobody else listening.
  while (stream.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  adoptFileWorker(launched, stream);
  return launched;
}

/** Runs `run` on a set whose worker was prestarted to list `tree` ahead; `names` lists a folder's files. */
async function withWorkerListingAhead(tree: string, run: (workers: FileWorkers, names: (folder: string) => Promise<string[]>) => Promise<void>): Promise<void> {
  prestartFileWorker({ prelist: [tree] });
  const workers = new FileWorkers(1);
  try {
    await run(workers, async (folder) => (await workers.list(folder)).files.map((f) => f.name));
  } finally {
    await workers.close();
  }
}

describe("file workers", () => {
  it("adopts the prestarted worker instead of starting another", async () => {
    const early = prestartFileWorker();
    const workers = new FileWorkers(2);
    try {
      expect(workers.threadIds).toEqual([early]);
      const [result] = await workers.hash([job(small, 11)]);
      expect(result).toEqual({ digests: { sha256: createHash("sha256").update("small file\n").digest("hex") } });
    } finally {
      await workers.close();
    }
  });

  it("adopts a worker the launcher started before the CLI loaded; a second one is stopped", async () => {
    const launched = startFileWorkerThread();
    adoptFileWorker(launched);
    const extra = startFileWorkerThread();
    const extraExit = new Promise<number>((resolve) => extra.once("exit", resolve));
    adoptFileWorker(extra);
    expect(prestartFileWorker()).toBe(launched.threadId);
    const workers = new FileWorkers(2);
    try {
      expect(workers.threadIds).toEqual([launched.threadId]);
      const [result] = await workers.hash([job(small, 11)]);
      expect(result).toEqual({ digests: { sha256: createHash("sha256").update("small file\n").digest("hex") } });
      await expect(extraExit).resolves.toEqual(expect.any(Number));
    } finally {
      await workers.close();
    }
  });

  it("keeps what a worker the launcher started streaming sent before the CLI loaded, for the set that adopts it", async () => {
    const tree = mkdtempSync(join(root, "launched-"));
    mkdirSync(join(tree, "sub"));
    writeFileSync(join(tree, "sub/a.txt"), "a");
    const launched = await launchStreaming([tree]);
    // A later request to stream (the scan's own, once loaded) does not start another.
    prestartFileWorker({ prelist: [join(tree, "sub")] });
    const workers = new FileWorkers(1);
    try {
      expect(workers.threadIds).toEqual([launched.threadId]);
      expect(workers.listedAhead).toBe(2);
      writeFileSync(join(tree, "sub/late.txt"), "late");
      expect(workers.takeListed(join(tree, "sub"))?.files.map((f) => f.name)).toEqual(["a.txt"]);
      expect(workers.takeListed(tree)?.folders.map((f) => f.name)).toEqual(["sub"]);
    } finally {
      await workers.close();
    }
  });

  it("a listing streamed before the worker knew the size gate has the gate applied when the walk takes it", async () => {
    const tree = mkdtempSync(join(root, "streamed-gate-"));
    for (const [name, size] of [["a.bin", 3], ["b.bin", 5], ["c.bin", 7], ["d.bin", 5]] as const) writeFileSync(join(tree, name), "x".repeat(size));
    await launchStreaming([tree]);
    // The scan's set knows the sizes an IOC names: 5 bytes.
    const workers = new FileWorkers(1, [5]);
    try {
      const listing = workers.takeListed(tree);
      expect(listing?.files.map((f) => [f.name, f.listed !== undefined && "stat" in f.listed ? Number(f.listed.stat.size) : -1])).toEqual([
        ["b.bin", 5],
        ["d.bin", 5],
      ]);
      expect(listing?.gated).toBe(2);
      expect(listing?.gatedThrough).toBe("d.bin");
    } finally {
      await workers.close();
    }
  });

  it("a set told to hash while listing drops what was streamed (it hashed nothing) and has its folders listed and hashed", async () => {
    const tree = mkdtempSync(join(root, "streamed-hashing-"));
    writeFileSync(join(tree, "a.txt"), "a");
    await withWorkerListingAhead(tree, async (workers) => {
      await workers.stat([tree]);
      expect(workers.listedAhead).toBe(1);
      workers.hashWhileListing({ algorithms: ["md5"], maxFileBytes: 1024, budgetBytes: 1024, budgetFiles: 8 });
      expect(workers.listedAhead).toBe(0);
      const [listed] = await workers.listAhead([{ path: tree, dev: lstatSync(tree, { bigint: true }).dev }], 0, 0, true);
      expect(listed?.listing.files[0]?.digests).toEqual({ md5: digest("md5", "a") });
    });
  });

  it("stays on one worker while little is hashed, and grows to no more than the cores", async () => {
    const workers = new FileWorkers(64);
    try {
      expect(workers.threadIds).toHaveLength(1);
      // A few small files at once: not worth a second worker's start-up.
      await Promise.all([0, 1, 2].map(() => workers.hash([job(small, 11)])));
      expect(workers.threadIds).toHaveLength(1);
      // Some 100 MiB queued at once: every core gets a worker, and no more.
      const replies = await Promise.all(Array.from({ length: 25 }, () => workers.hash([job(big, 4 * MiB)])));
      expect(replies.every(([r]) => r !== undefined && "digests" in r)).toBe(true);
      expect(workers.threadIds).toHaveLength(Math.min(64, availableParallelism()));
    } finally {
      await workers.close();
    }
  });

  it("growWithHashing() starts every worker the set may have with the first hash batch, not before; all of them hash", async () => {
    const cores = Math.min(2, availableParallelism());
    const workers = new FileWorkers(2);
    try {
      const starts = await startsDuring(async () => {
        workers.growWithHashing();
        // Listings alone (a scope without files) never start another.
        expect((await workers.list(root)).files.map((f) => f.name)).toEqual(["big.bin", "small.bin"]);
        expect(workers.threadIds).toHaveLength(1);
        const replies = await Promise.all(Array.from({ length: 8 }, () => workers.hash([job(small, 11)])));
        expect(replies.every(([r]) => r !== undefined && "digests" in r)).toBe(true);
        expect(workers.threadIds).toHaveLength(cores);
      });
      expect(starts.map(({ index, hashBatches }) => ({ index, hashBatches }))).toEqual(cores > 1 ? [{ index: 1, hashBatches: 0 }] : []);
    } finally {
      await workers.close();
    }
  });

  it("hash() gives each file the digests it asked for, and one file's error without failing the batch", async () => {
    const folder = mkdtempSync(join(root, "batch-"));
    const a = join(folder, "a.txt");
    writeFileSync(a, "alpha");
    const b = join(folder, "b.txt");
    writeFileSync(b, "bravo!");
    symlinkSync(a, join(folder, "link.txt"));
    const workers = new FileWorkers(1);
    try {
      const results = await workers.hash([
        { path: a, size: 5, algorithms: ["sha256"] },
        { path: join(folder, "gone.txt"), size: 3, algorithms: ["md5"] },
        { path: b, size: 6, algorithms: ["md5", "sha1"] },
        // Never followed, even when named.
        { path: join(folder, "link.txt"), size: 5, algorithms: ["sha256"] },
        // Listed at 9 bytes, 6 there now: a short read is an error, not the digest of a part.
        { path: b, size: 9, algorithms: ["sha1"] },
        { path: a, size: 5, algorithms: ["md5", "sha1", "sha256"] },
      ]);
      expect(results).toHaveLength(6);
      expect(results[0]).toEqual({ digests: { sha256: digest("sha256", "alpha") } });
      expect(results[1]).toMatchObject({ error: { code: "ENOENT" } });
      expect(results[2]).toEqual({ digests: { md5: digest("md5", "bravo!"), sha1: digest("sha1", "bravo!") } });
      expect(results[3]).toMatchObject({ error: { code: "ELOOP" } });
      expect(results[4]).toMatchObject({ error: { code: "ECHANGED" } });
      expect(results[4] !== undefined && "error" in results[4] && results[4].error.message).toContain("shrank from 9 bytes");
      expect(results[5]).toEqual({ digests: { md5: digest("md5", "alpha"), sha1: digest("sha1", "alpha"), sha256: digest("sha256", "alpha") } });
    } finally {
      await workers.close();
    }
  });

  it("a prestarted worker lists the scopes ahead, and the walk takes those listings only while they are fresh", async () => {
    const tree = mkdtempSync(join(root, "prelist-"));
    mkdirSync(join(tree, "sub/deeper"), { recursive: true });
    writeFileSync(join(tree, "sub/a.txt"), "a");
    writeFileSync(join(tree, "sub/deeper/b.txt"), "b");
    await withWorkerListingAhead(tree, async (workers, names) => {
      // A worker handles messages in order and lists ahead in slices between them: after as many
      // round trips as the tree has folders, all three are listed (no sleep to guess at).
      for (let i = 0; i < 3; i++) await workers.stat([tree]);
      // Listed ahead, before these files appear: the walk sees the folders as they were then.
      writeFileSync(join(tree, "sub/late.txt"), "late");
      writeFileSync(join(tree, "sub/deeper/late.txt"), "late");
      expect(await names(join(tree, "sub"))).toEqual(["a.txt"]);
      // Taken once: asked again, the folder is listed now.
      expect(await names(join(tree, "sub"))).toEqual(["a.txt", "late.txt"]);
      // Past its freshness a listing taken ahead is not used.
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect(await names(join(tree, "sub/deeper"))).toEqual(["b.txt", "late.txt"]);
    });
  });

  it("with the walk's path filter, listings ahead leave out excluded folders and the files it does not want, read as host paths of an image", async () => {
    const image = mkdtempSync(join(root, "filter-"));
    for (const file of ["keep/a.txt", "keep/b.log", "keep/deep/c.txt", "skip/d.txt"]) {
      mkdirSync(join(image, file, ".."), { recursive: true });
      writeFileSync(join(image, file), "x");
    }
    // `image` is the host's "/": the globs name host paths.
    const workers = new FileWorkers(1, undefined, { spec: pathFilterSpec(["/skip", "**/*.log"], /\.txt$|\.log$/), root: image });
    try {
      const listings = await workers.listAhead([{ path: image, dev: lstatSync(image, { bigint: true }).dev }], 64, 2048);
      expect(listings.map(({ path }) => path)).toEqual([image, join(image, "keep"), join(image, "keep/deep")]);
      // The excluded folder is still named (the walk counts it), never listed.
      expect(listings[0]?.listing.folders.map(({ name }) => name)).toEqual(["keep", "skip"]);
      expect(listings[1]?.listing.files.map(({ name }) => name)).toEqual(["a.txt"]);
    } finally {
      await workers.close();
    }
  });

  it("a prestarted worker given the exclusions does not list excluded folders ahead, nor send the files they leave out", async () => {
    const tree = prelistFilterTree("prelist-filter-");
    const filter = pathFilterSpec([join(tree, "skip"), "**/*.log"]);
    prestartFileWorker({ prelist: [tree], filter });
    // The scan's own set, with the same exclusions: it takes what the stream sent.
    const workers = new FileWorkers(1, undefined, { spec: filter, root: "/" });
    try {
      // Answered after the listing ahead (a few folders: one slice).
      await workers.stat([tree]);
      writeFileSync(join(tree, "keep/late.txt"), "late");
      writeFileSync(join(tree, "skip/late.txt"), "late");
      const names = async (folder: string): Promise<string[]> => (await workers.list(join(tree, folder))).files.map((f) => f.name);
      // Sent ahead, before the late file and without the excluded one.
      expect(await names("keep")).toEqual(["early.txt"]);
      // Never listed ahead: listed now (the walk itself never asks for an excluded folder).
      expect(workers.holdsListed(join(tree, "skip"))).toBe(false);
      expect(await names("skip")).toEqual(["early.txt", "late.txt"]);
    } finally {
      await workers.close();
    }
  });

  it("a prestarted worker does not stream a scope its exclusions name (the walk never enters it)", async () => {
    const tree = prelistFilterTree("prelist-excluded-scope-");
    const filter = pathFilterSpec([join(tree, "skip")]);
    prestartFileWorker({ prelist: [join(tree, "skip"), join(tree, "keep")], filter });
    const workers = new FileWorkers(1, undefined, { spec: filter, root: "/" });
    try {
      // The kept scope's one folder comes; the excluded one, named as a scope, does not.
      for (let i = 0; i < 20 && workers.listedAhead === 0; i++) await workers.stat([tree]);
      await workers.stat([tree]);
      expect(workers.holdsListed(join(tree, "keep"))).toBe(true);
      expect(workers.listedAhead).toBe(1);
    } finally {
      await workers.close();
    }
  });

  it("a set whose filter is not the prestarted worker's (an agent's scan that never walked) lists for itself", async () => {
    const tree = prelistFilterTree("prelist-other-filter-");
    prestartFileWorker({ prelist: [tree], filter: pathFilterSpec([join(tree, "skip"), "**/*.log"]) });
    // Adopts the prestarted worker, with no filter of its own: the .log file is wanted.
    const workers = new FileWorkers(1);
    try {
      await workers.stat([tree]);
      writeFileSync(join(tree, "keep/late.txt"), "late");
      const names = async (folder: string): Promise<string[]> => (await workers.list(join(tree, folder))).files.map((f) => f.name);
      expect(workers.listedAhead).toBe(0);
      expect(await names("keep")).toEqual(["early.log", "early.txt", "late.txt"]);
    } finally {
      await workers.close();
    }
  });

  it("a folder the walk had listed before the worker listing ahead reached it is not listed again; the folders below it are", async () => {
    const tree = mkdtempSync(join(root, "prelist-walked-"));
    // Walked first (by name) and big enough to take the worker several slices: the walk's
    // request for "z" arrives while the worker is still listing these.
    for (let i = 0; i < 200; i++) {
      mkdirSync(join(tree, `a${String(i).padStart(3, "0")}`));
      for (let j = 0; j < 10; j++) writeFileSync(join(tree, `a${String(i).padStart(3, "0")}`, `f${j}`), "x");
    }
    mkdirSync(join(tree, "z/inner"), { recursive: true });
    writeFileSync(join(tree, "z/early.txt"), "early");
    writeFileSync(join(tree, "z/inner/early.txt"), "early");
    await withWorkerListingAhead(tree, async (workers, names) => {
      expect(await names(join(tree, "z"))).toEqual(["early.txt"]);
      // The worker lists ahead a slice between two messages: half a second of round trips lets it
      // finish on a loaded machine (60 of them did not, under a parallel test run), and keeps
      // what it listed well within its two seconds of freshness.
      const until = performance.now() + 500;
      while (performance.now() < until) await workers.stat([tree]);
      writeFileSync(join(tree, "z/late.txt"), "late");
      writeFileSync(join(tree, "z/inner/late.txt"), "late");
      // Listed ahead (below the folder the walk had): as it was before the late file.
      expect(await names(join(tree, "z/inner"))).toEqual(["early.txt"]);
      // Not listed ahead a second time: listed now.
      expect(await names(join(tree, "z"))).toEqual(["early.txt", "late.txt"]);
    });
  });
});
