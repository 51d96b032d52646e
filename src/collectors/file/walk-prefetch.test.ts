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
import { FileWorkers } from "./file-workers.js";
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

/** Every file of a walk of `tree` listing ahead (no hashing), and the listing requests it sent. */
async function walkListingAhead(tree: string): Promise<{ files: number; requests: number; folders: number }> {
  const workers = new FileWorkers(2);
  let requests = 0;
  let folders = 0;
  const listAhead = workers.listAhead.bind(workers);
  workers.listAhead = (asked, ...rest) => (requests++, (folders += asked.length), listAhead(asked, ...rest));
  let files = 0;
  try {
    for await (const batch of await walkOn(workers, false, { tree, listAhead: true })) files += batch.length;
  } finally {
    await workers.close();
  }
  return { files, requests, folders };
}

describe("listings asked ahead of the walk", () => {
  it("walkFileBatches asks for the subfolders of a wide folder several to a request, not one by one", async () => {
    const wide = mkdtempSync(join(tmpdir(), "iocscan-walk-wide-"));
    try {
      for (let i = 0; i < 300; i++) {
        const leaf = join(wide, `leaf${String(i).padStart(3, "0")}`);
        mkdirSync(leaf);
        writeFileSync(join(leaf, "f.txt"), `leaf ${i}\n`);
      }
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
