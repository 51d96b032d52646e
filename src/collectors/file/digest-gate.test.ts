/**
 * A cold scan of a hash list (every file needs a digest, no hash cache answers): the workers hash
 * the files as they list them, and only the files whose digests the digest gate keeps become
 * records. Every file is still counted as seen and hashed, the digests go to the hash cache, and
 * the scan stops between folders so that it can pause. The tree is a temp folder made here.
 */
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHostView } from "../host-view.js";
import { collectAll, createTestContext } from "../test-context.js";
import type { HostRecord } from "../types.js";
import { fileCollector, type Digests, type FileCollectorOptions, type HashCache, type HashCacheKey } from "./index.js";

const md5 = (data: string | Buffer): string => createHash("md5").update(data).digest("hex");

let root: string;
/** Every file of the tree: path → content. */
const files = new Map<string, Buffer>();
let planted: string[];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "iocscan-digest-gate-"));
  planted = [];
  for (let i = 0; i < 400; i++) {
    const folder = join(root, `d${i % 9}`, `e${i % 5}`);
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `f${i}.bin`);
    const content = Buffer.from(i % 200 === 7 ? "planted implant bytes\n" : `ordinary file ${i}\n`);
    writeFileSync(path, content);
    files.set(path, content);
    if (i % 200 === 7) planted.push(path);
  }
  // Larger than what a listing hashes: hashed in a batch, and gated all the same.
  const big = join(root, "d0", "big.bin");
  files.set(big, Buffer.alloc(3 * 1024 * 1024, 1));
  writeFileSync(big, files.get(big) as Buffer);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A hash cache in memory, as the collector sees one. */
class MemoryHashCache implements HashCache {
  readonly entries = new Map<string, Digests>();
  get(key: HashCacheKey): Digests | undefined {
    return this.entries.get(keyText(key));
  }
  holdsDevice(): boolean {
    return this.entries.size > 0;
  }
  put(key: HashCacheKey, digests: Digests): void {
    this.entries.set(keyText(key), { ...this.entries.get(keyText(key)), ...digests });
  }
  close(): void {}
}
const keyText = (key: HashCacheKey): string => `${key.dev}:${key.ino}:${key.size}:${key.mtimeNs}:${key.ctimeNs}`;

/** The options of a scan for the planted MD5: every file needs one, and only it can match. */
function hashList(extra: Partial<FileCollectorOptions> = {}): FileCollectorOptions {
  const wanted = md5("planted implant bytes\n");
  return {
    scopes: [root],
    decide: () => ({ mayMatch: true, fields: new Set(["Md5sum"]) }),
    hashEveryFile: true,
    digestGate: { algorithms: ["md5"], mayMatch: (digests) => digests.md5 === wanted },
    ...extra,
  };
}

async function collect(options: FileCollectorOptions): Promise<{ records: HostRecord[]; counts: Map<string, number>; stops: number }> {
  const context = createTestContext(createHostView(), ["FullPath", "SizeInBytes", "Md5sum"]);
  let stops = 0;
  const records = await collectAll(fileCollector, { ...context, between: () => (stops++, Promise.resolve()) }, options);
  return { records, counts: context.counts, stops };
}

const totalBytes = (): number => [...files.values()].reduce((n, content) => n + content.length, 0);

describe("hashing while listing, with a digest gate", () => {
  it("fileCollector makes records only of the files whose digests the gate keeps, and counts every file as seen and hashed", async () => {
    const { records, counts, stops } = await collect(hashList());
    expect(records.map((r) => r.id).sort()).toEqual([...planted].sort());
    for (const record of records) expect(record.fields["Md5sum"]).toBe(md5(files.get(record.id) as Buffer));
    expect(counts.get("filesSeen")).toBe(files.size);
    expect(counts.get("filesHashed")).toBe(files.size);
    expect(counts.get("bytesHashed")).toBe(totalBytes());
    expect(counts.get("filesSkippedByPrefilter") ?? 0).toBe(0);
    // Every 64 files without a record: the scan can pause in between, as after a record.
    expect(stops).toBeGreaterThanOrEqual(3);
  });

  it("fileCollector without a digest gate makes a record of every file, with the same digests", async () => {
    const { digestGate: _, ...ungated } = hashList();
    const { records, counts, stops } = await collect(ungated);
    expect(records).toHaveLength(files.size);
    for (const record of records) expect(record.fields["Md5sum"]).toBe(md5(files.get(record.id) as Buffer));
    expect(counts.get("filesHashed")).toBe(files.size);
    expect(stops).toBe(0);
  });

  it("fileCollector puts the digests computed while listing in the hash cache, so that a rescan hashes nothing", async () => {
    const cache = new MemoryHashCache();
    const first = await collect(hashList({ hashCache: cache }));
    expect(first.records.map((r) => r.id).sort()).toEqual([...planted].sort());
    expect(cache.entries.size).toBe(files.size);
    // The cache now holds the device: the rescan asks it file by file, and the gate still applies.
    const again = await collect(hashList({ hashCache: cache }));
    expect(again.counts.get("filesHashed") ?? 0).toBe(0);
    expect(again.counts.get("hashCacheHits")).toBe(files.size);
    expect(again.records.map((r) => r.id).sort()).toEqual([...planted].sort());
    for (const record of again.records) expect(record.fields["Md5sum"]).toBe(md5(files.get(record.id) as Buffer));
    expect(again.stops).toBeGreaterThanOrEqual(3);
  });

  it("fileCollector on a rescan leaves out the files whose cached digests the gate rules out, and hashes those the cache lacks", async () => {
    const cache = new MemoryHashCache();
    await collect(hashList({ hashCache: cache }));
    // The cache loses some files (a planted one among them) and knows others by SHA-1 only.
    const paths = [...files.keys()];
    const forgotten = [planted[0] as string, ...paths.filter((path) => !planted.includes(path)).slice(0, 40)];
    const sha1Only = paths.filter((path) => !planted.includes(path)).slice(40, 70);
    const keyOf = (path: string): string => {
      const s = lstatSync(path, { bigint: true });
      return keyText({ dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs });
    };
    for (const path of forgotten) cache.entries.delete(keyOf(path));
    for (const path of sha1Only) cache.entries.set(keyOf(path), { sha1: "0".repeat(40) });
    const again = await collect(hashList({ hashCache: cache }));
    expect(again.records.map((r) => r.id).sort()).toEqual([...planted].sort());
    for (const record of again.records) expect(record.fields["Md5sum"]).toBe(md5(files.get(record.id) as Buffer));
    expect(again.counts.get("filesSeen")).toBe(files.size);
    expect(again.counts.get("filesHashed")).toBe(forgotten.length + sha1Only.length);
    expect(again.counts.get("hashCacheHits")).toBe(files.size - forgotten.length - sha1Only.length);
    expect(again.counts.get("filesSkippedByPrefilter") ?? 0).toBe(0);
    // What was hashed went back to the cache.
    for (const path of [...forgotten, ...sha1Only]) expect(cache.entries.get(keyOf(path))?.md5).toBe(md5(files.get(path) as Buffer));
  });

  it("fileCollector with exclusions hashes in batches, and still makes records only of the files the gate keeps", async () => {
    const { records, counts } = await collect(hashList({ excludes: [`${root}/d1/**`] }));
    const wanted = [...files.keys()].filter((path) => !path.startsWith(join(root, "d1") + "/"));
    expect(records.map((r) => r.id).sort()).toEqual(planted.filter((path) => wanted.includes(path)).sort());
    expect(counts.get("filesSeen")).toBe(wanted.length);
    expect(counts.get("filesHashed")).toBe(wanted.length);
  });
});
