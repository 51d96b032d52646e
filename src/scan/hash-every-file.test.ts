/**
 * When a scan's file workers start: with a hash list without sizes (the prefilter's alwaysNeeded
 * holds a digest) and no hash cache, every file is hashed, and the second worker starts as soon as
 * the first listing comes back with files hashed (the workers hash what they list); a scope
 * without files stays on one. With sizes beside the hashes, few files are hashed, and the scan
 * stays on one worker. The tree and IOC files are a temp folder made here.
 */
import { createHash } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WORKER_START_CHANNEL, type WorkerStart } from "../collectors/file/file-workers.js";
import { writeTestTree, type TestTree } from "./checkpoint/_test-tree.js";
import { scanHost } from "./host-scan.js";

let work: string;
let t: TestTree;
let sized: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-hash-every-"));
  t = writeTestTree(work, 300);
  const evil = "planted implant bytes\n";
  sized = join(work, "sized.ioc");
  writeFileSync(
    sized,
    `<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="sized-test"><metadata><short_description>SIZED TEST</short_description></metadata><criteria><Indicator id="t" operator="AND">` +
      `<IndicatorItem id="s" condition="is"><Context document="FileItem" search="FileItem/SizeInBytes" type="mir"/><Content type="int">${evil.length}</Content></IndicatorItem>` +
      `<IndicatorItem id="m" condition="is"><Context document="FileItem" search="FileItem/Md5sum" type="mir"/><Content type="md5">${createHash("md5").update(evil).digest("hex")}</Content></IndicatorItem>` +
      `</Indicator></criteria></OpenIOC>`,
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The file workers taken on during a scan of the test tree with `ioc`, and its report. */
async function scanWatching(ioc: string, scope = t.tree): Promise<{ starts: WorkerStart[]; found: number }> {
  const starts: WorkerStart[] = [];
  const listener = (message: unknown): void => void starts.push(message as WorkerStart);
  subscribe(WORKER_START_CHANNEL, listener);
  try {
    const report = await scanHost({ iocPaths: [ioc], scopes: [scope], switches: { FileItem: "on" } });
    return { starts, found: report.detections[0]?.objects.length ?? 0 };
  } finally {
    unsubscribe(WORKER_START_CHANNEL, listener);
  }
}

describe("file workers of a scan", () => {
  it("scanHost with a hash list and no hash cache starts its second file worker with the first listing that hashed files", async () => {
    const { starts, found } = await scanWatching(t.ioc);
    expect(found).toBe(t.planted.length);
    const grown = starts.filter((start) => start.index > 0);
    expect(grown.map(({ index }) => index)).toEqual(availableParallelism() > 1 ? [1] : []);
    // The first request lists the top folder and, ahead, the first folders below it: files among them.
    for (const start of grown) expect(start.hashBatches).toBe(1);
  });

  it("scanHost with a hash list on a folder without files stays on one file worker", async () => {
    const empty = mkdtempSync(join(work, "empty-"));
    mkdirSync(join(empty, "sub", "deeper"), { recursive: true });
    const { starts, found } = await scanWatching(t.ioc, empty);
    expect(found).toBe(0);
    expect(starts.map(({ index }) => index)).toEqual([0]);
  });

  it("scanHost with sizes beside the hashes stays on one file worker", async () => {
    const { starts, found } = await scanWatching(sized);
    expect(found).toBe(t.planted.length);
    expect(starts.map(({ index }) => index)).toEqual([0]);
  });
});
