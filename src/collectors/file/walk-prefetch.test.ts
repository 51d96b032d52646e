/**
 * The walk asks its workers for listings ahead of where it is, and, when the listings hash their
 * files, asks for more each time one is answered, so that no worker idles while the walk waits
 * for the one it needs next; but not while its consumer is paused: then a paused scan reads no
 * further than the requests already under way. The tree is a temp folder made here.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHostView } from "../host-view.js";
import { FileWorkers, prestartFileWorker } from "./file-workers.js";
import { createPseudoCheck } from "./mounts.js";
import { walkFileBatches, type WalkEntry } from "./walk.js";

const FOLDERS = 80;
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "iocscan-walk-prefetch-"));
  for (let i = 0; i < FOLDERS; i++) {
    const folder = join(root, `d${String(i).padStart(3, "0")}`);
    mkdirSync(folder);
    for (let j = 0; j < 4; j++) writeFileSync(join(folder, `f${j}.bin`), `file ${i}/${j}\n`);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Workers that hash what they list, and count the listing requests the walk sends them. */
function countingWorkers(): { workers: FileWorkers; asked: () => number } {
  const workers = new FileWorkers(2);
  workers.hashWhileListing({ algorithms: ["md5"], maxFileBytes: 1024 * 1024, budgetBytes: 8 * 1024 * 1024, budgetFiles: 128 });
  let asked = 0;
  const listAhead = workers.listAhead.bind(workers);
  workers.listAhead = (...args) => (asked++, listAhead(...args));
  return { workers, asked: () => asked };
}

/**
 * A walk of `tree` (default: the tree made above) on `workers`, each folder asked for alone
 * unless `listAhead`; `held` as WalkSettings.held.
 */
async function walkOn(workers: FileWorkers, held = false, { tree = root, listAhead = false } = {}): Promise<AsyncGenerator<WalkEntry[]>> {
  const host = createHostView();
  return walkFileBatches({
    host,
    scopes: [tree],
    crossMounts: false,
    excluded: () => false,
    hint: undefined,
    pseudo: await createPseudoCheck(host),
    signal: undefined,
    warn: () => undefined,
    count: () => undefined,
    workers,
    listAhead,
    gate: true,
    held: () => held,
  });
}

/** Takes the walk's first batch, then waits while its consumer stays where it is; returns the requests sent. */
async function requestsWhileStopped(held: boolean): Promise<number> {
  const { workers, asked } = countingWorkers();
  const walk = await walkOn(workers, held);
  try {
    const first = await walk.next();
    expect(first.done).toBe(false);
    // Long enough for every request under way to be answered many times over.
    await new Promise((resolve) => setTimeout(resolve, 400));
    return asked();
  } finally {
    await walk.return(undefined);
    await workers.close();
  }
}

/**
 * Every file of a walk of `tree` listing ahead (no hashing) on `workers`, the listing requests it
 * sent, and the listings sent ahead that were left untaken when it ended.
 */
async function walkListingAhead(tree: string, workers = new FileWorkers(2)): Promise<{ files: number; requests: number; folders: number; left: number }> {
  let requests = 0;
  let folders = 0;
  const listAhead = workers.listAhead.bind(workers);
  workers.listAhead = (asked, ...rest) => (requests++, (folders += asked.length), listAhead(asked, ...rest));
  let files = 0;
  let left: number;
  try {
    for await (const batch of await walkOn(workers, false, { tree, listAhead: true })) files += batch.length;
    left = workers.listedAhead;
  } finally {
    await workers.close();
  }
  return { files, requests, folders, left };
}

/** `count` folders named leafNNN under a new temp folder, each with `files` files. */
function leaves(prefix: string, count: number, files = 1): string {
  const tree = mkdtempSync(join(tmpdir(), prefix));
  for (let i = 0; i < count; i++) {
    const leaf = join(tree, `leaf${String(i).padStart(3, "0")}`);
    mkdirSync(leaf);
    for (let j = 0; j < files; j++) writeFileSync(join(leaf, `f${j}.txt`), `leaf ${i}/${j}\n`);
  }
  return tree;
}

/**
 * Waits (in round trips to the worker, which lists ahead between messages) until `workers` hold
 * `count` listings sent ahead, then as long again: the count must not move past it.
 */
async function settleAt(workers: FileWorkers, count: number, tree: string): Promise<number> {
  const until = performance.now() + 5000;
  while (workers.listedAhead < count && performance.now() < until) await workers.stat([tree]);
  const more = performance.now() + 200;
  while (performance.now() < more) await workers.stat([tree]);
  return workers.listedAhead;
}

describe("listings sent ahead of the walk by a worker's stream", () => {
  it("a walk takes the listings a prestarted worker streamed: every file, no listing asked for", async () => {
    const tree = leaves("iocscan-walk-streamed-", 300);
    try {
      prestartFileWorker({ prelist: [tree] });
      const workers = new FileWorkers(2);
      // The root and its 300 leaves, all sent before the walk starts.
      expect(await settleAt(workers, 301, tree)).toBe(301);
      const { files, requests, left } = await walkListingAhead(tree, workers);
      expect(files).toBe(300);
      expect(requests).toBe(0);
      expect(left).toBe(0);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });

  it("a stream sends no more than its window of entries not yet taken, and goes on as the walk takes them", async () => {
    // The root holds 40 entries (folders), each leaf 2 (files): with a window of 60, the root and
    // ten leaves are sent, then nothing until entries are given back.
    const tree = leaves("iocscan-walk-window-", 40, 2);
    prestartFileWorker({ prelist: [tree], window: 60 });
    const workers = new FileWorkers(1);
    try {
      expect(await settleAt(workers, 11, tree)).toBe(11);
      expect(workers.takeListed(tree)?.folders).toHaveLength(40);
      const taken = new Set<string>();
      for (let round = 0; round < 10 && taken.size < 40; round++) {
        const held = round === 0 ? 10 : await settleAt(workers, 1, tree);
        // Never more leaves held than the window's 60 entries.
        expect(held).toBeGreaterThan(0);
        expect(held).toBeLessThanOrEqual(30);
        for (let i = 0; i < 40; i++) {
          const leaf = join(tree, `leaf${String(i).padStart(3, "0")}`);
          const listing = workers.takeListed(leaf);
          if (listing === undefined) continue;
          expect(listing.files).toHaveLength(2);
          expect(taken.has(leaf)).toBe(false);
          taken.add(leaf);
        }
      }
      // Every leaf came once, as entries were given back.
      expect(taken.size).toBe(40);
    } finally {
      await workers.close();
      rmSync(tree, { recursive: true, force: true });
    }
  });
});

describe("listings asked ahead of the walk", () => {
  it("walkFileBatches asks for the subfolders of a wide folder several to a request, not one by one", async () => {
    const wide = leaves("iocscan-walk-wide-", 300);
    try {
      const { files, requests, folders } = await walkListingAhead(wide);
      expect(files).toBe(300);
      // The root brings 64 listings ahead; the other 236 leaves are asked for: one request each
      // would be 237 requests in all.
      expect(folders).toBeGreaterThan(requests * 4);
      expect(requests).toBeLessThan(60);
    } finally {
      rmSync(wide, { recursive: true, force: true });
    }
  });

  it("walkFileBatches stopped early asks for nothing more once its workers close (no worker starts anew)", async () => {
    const { workers, asked } = countingWorkers();
    const walk = await walkOn(workers);
    expect((await walk.next()).done).toBe(false);
    // Requests are under way: stop the walk and close its workers, as the collector does.
    await walk.return(undefined);
    const before = asked();
    await workers.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(asked()).toBe(before);
    expect(workers.threadIds).toEqual([]);
  });

  it("walkFileBatches asks for more listings as they are answered while its consumer holds a batch", async () => {
    // The root, then folders ahead up to the sixteen asked and not taken: more than the six kept
    // under way at once (and the folder walked next) that the walk asked for itself.
    expect(await requestsWhileStopped(false)).toBeGreaterThanOrEqual(15);
  });

  it("walkFileBatches asks for nothing more while held (a paused scan), beyond the requests already under way", async () => {
    const asked = await requestsWhileStopped(true);
    expect(asked).toBeGreaterThan(1);
    // The root and the prefetch made when its listing came: at most six under way plus the next folder.
    expect(asked).toBeLessThanOrEqual(8);
  });
});
