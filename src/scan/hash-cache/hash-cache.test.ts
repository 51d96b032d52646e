import { createHash } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { collectAll, createTestContext } from "../../collectors/conformance.js";
import { WORKER_START_CHANNEL, type WorkerStart } from "../../collectors/file/file-workers.js";
import { fileCollector, type HashCacheKey } from "../../collectors/file/index.js";
import { createHostView } from "../../collectors/host-view.js";
import { HASH_CACHE_SCHEMA_VERSION, openHashCache } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "iocscan-hash-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = (over: Partial<HashCacheKey> = {}): HashCacheKey => ({ dev: 2049n, ino: 1234n, size: 10n, mtimeNs: 1_700_000_000_123_456_789n, ctimeNs: 1_700_000_000_123_456_789n, ...over });
const MD5 = "d41d8cd98f00b204e9800998ecf8427e";
const SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

describe("openHashCache", () => {
  it("openHashCache keeps digests across reopening, keyed by the exact file version", () => {
    const path = join(dir, "a/cache.sqlite");
    const cache = openHashCache(path);
    cache.put(key(), { md5: MD5 });
    cache.close();
    const again = openHashCache(path);
    expect(again.get(key())).toEqual({ md5: MD5 });
    // Any part of the version differing (by one nanosecond) is a miss.
    expect(again.get(key({ mtimeNs: key().mtimeNs + 1n }))).toBeUndefined();
    expect(again.get(key({ ctimeNs: key().ctimeNs + 1n }))).toBeUndefined();
    expect(again.get(key({ size: 11n }))).toBeUndefined();
    expect(again.get(key({ ino: 1235n }))).toBeUndefined();
    again.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(HASH_CACHE_SCHEMA_VERSION);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("openHashCache adds a digest to the ones already known for the same version, and forgets them for a new one", () => {
    const cache = openHashCache(join(dir, "merge.sqlite"), { batchSize: 1 });
    cache.put(key(), { md5: MD5 });
    cache.put(key(), { sha256: SHA256.toUpperCase() });
    expect(cache.get(key())).toEqual({ md5: MD5, sha256: SHA256 });
    cache.put(key({ size: 99n }), { sha256: SHA256 });
    expect(cache.get(key({ size: 99n }))).toEqual({ sha256: SHA256 });
    expect(cache.get(key())).toBeUndefined();
    cache.close();
  });

  it("openHashCache answers from puts not yet written and stores 64-bit inode numbers", () => {
    const cache = openHashCache(join(dir, "pending.sqlite"), { batchSize: 1000 });
    const big = key({ ino: 2n ** 64n - 1n, dev: 2n ** 63n });
    cache.put(big, { md5: MD5 });
    expect(cache.get(big)).toEqual({ md5: MD5 });
    cache.close();
    const again = openHashCache(join(dir, "pending.sqlite"));
    expect(again.get(big)).toEqual({ md5: MD5 });
    again.close();
  });

  it("getMany answers a batch like get, key by key: written, queued, stale, absent, other devices, over one query's slots", () => {
    const path = join(dir, "many.sqlite");
    const cache = openHashCache(path, { batchSize: 50 });
    // 150 files on two devices, 64-bit inodes among them; written in batches of 50, the last 30 still queued.
    const keys = Array.from({ length: 150 }, (_, i) => key({ dev: i % 2 === 0 ? 2049n : 2n ** 63n, ino: i % 7 === 0 ? 2n ** 64n - BigInt(i) : BigInt(i + 1) }));
    for (const [i, k] of keys.entries()) if (i < 120) cache.put(k, { md5: MD5.replace(/^../, i.toString(16).padStart(2, "0")) });
    for (const [i, k] of keys.entries()) if (i >= 120 && i < 140) cache.put(k, { sha256: SHA256 });
    const asked = [...keys, key({ ino: 999_999n }), key({ ...keys[4], size: 11n }), keys[3] as HashCacheKey];
    const many = cache.getMany?.(asked);
    expect(many).toHaveLength(asked.length);
    expect(many).toEqual(asked.map((k) => cache.get(k)));
    expect(many?.[5]).toEqual({ md5: MD5.replace(/^../, "05") });
    expect(many?.[130]).toEqual({ sha256: SHA256 });
    expect(many?.[145]).toBeUndefined();
    expect(many?.[151]).toBeUndefined(); // same file, another size: another version
    cache.close();
    const again = openHashCache(path);
    expect(again.getMany?.(keys.slice(0, 140)).every((digests) => digests !== undefined)).toBe(true);
    again.close();
  });

  it("on a device without entries, files this scan put are found again once written, others miss, and a later scan finds them all", () => {
    const path = join(dir, "fresh.sqlite");
    const cache = openHashCache(path, { batchSize: 2 });
    const keys = Array.from({ length: 5 }, (_, i) => key({ dev: 77n, ino: BigInt(i + 1) }));
    expect(cache.getMany?.(keys)).toEqual(keys.map(() => undefined));
    for (const k of keys.slice(0, 4)) cache.put(k, { md5: MD5 });
    // Two batches written, none queued: the answers come from the database.
    expect(cache.getMany?.(keys)).toEqual([{ md5: MD5 }, { md5: MD5 }, { md5: MD5 }, { md5: MD5 }, undefined]);
    cache.put(keys[0] as HashCacheKey, { sha256: SHA256 });
    expect(cache.get(keys[0] as HashCacheKey)).toEqual({ md5: MD5, sha256: SHA256 });
    cache.close();
    const again = openHashCache(path);
    expect(again.getMany?.(keys).map((d) => d?.md5)).toEqual([MD5, MD5, MD5, MD5, undefined]);
    again.close();
  });

  it("holdsDevice is false for a device the cache has no entry of, until this scan puts one", () => {
    const path = join(dir, "holds.sqlite");
    const cache = openHashCache(path, { batchSize: 1000 });
    expect(cache.holdsDevice?.(5n)).toBe(false);
    cache.put(key({ dev: 5n }), { md5: MD5 });
    expect(cache.holdsDevice?.(5n)).toBe(true);
    expect(cache.holdsDevice?.(6n)).toBe(false);
    cache.close();
    const again = openHashCache(path);
    expect(again.holdsDevice?.(5n)).toBe(true);
    expect(again.holdsDevice?.(2n ** 64n - 1n)).toBe(false);
    again.close();
  });

  it("puts are written once batchSize are queued or the oldest has waited maxDelayMs, and at close", () => {
    const path = join(dir, "when.sqlite");
    const rows = (): number => {
      const reader = new Database(path, { readonly: true });
      try {
        return reader.prepare("SELECT count(*) FROM file_digests").pluck().get() as number;
      } finally {
        reader.close();
      }
    };
    const batched = openHashCache(path, { batchSize: 3, maxDelayMs: 60_000 });
    for (const ino of [1n, 2n]) batched.put(key({ ino }), { md5: MD5 });
    expect(rows()).toBe(0);
    batched.put(key({ ino: 3n }), { md5: MD5 });
    expect(rows()).toBe(3);
    batched.put(key({ ino: 4n }), { md5: MD5 });
    expect(rows()).toBe(3);
    batched.close();
    expect(rows()).toBe(4);
    const timed = openHashCache(path, { batchSize: 1000, maxDelayMs: 0 });
    timed.put(key({ ino: 5n }), { md5: MD5 });
    expect(rows()).toBe(5);
    timed.close();
  });

  it("the same inode on two devices is queued, written and found apart; a written entry and a queued put of its version answer together", () => {
    const cache = openHashCache(join(dir, "devices.sqlite"), { batchSize: 1000 });
    const a = key({ dev: 1n, ino: 5n });
    const b = key({ dev: 2n, ino: 5n });
    cache.put(a, { md5: MD5 });
    cache.put(b, { sha256: SHA256 });
    expect(cache.getMany?.([a, b])).toEqual([{ md5: MD5 }, { sha256: SHA256 }]);
    cache.close();
    const again = openHashCache(join(dir, "devices.sqlite"), { batchSize: 1000 });
    expect(again.getMany?.([b, a])).toEqual([{ sha256: SHA256 }, { md5: MD5 }]);
    // Written md5 + queued sha256 of the same version: both, before and after the write.
    again.put(a, { sha256: SHA256 });
    expect(again.get(a)).toEqual({ md5: MD5, sha256: SHA256 });
    // A queued newer version hides the written one.
    again.put(b, { md5: MD5 });
    again.put(key({ dev: 2n, ino: 5n, size: 11n }), { md5: MD5 });
    expect(again.get(b)).toBeUndefined();
    again.close();
    const third = openHashCache(join(dir, "devices.sqlite"));
    expect(third.getMany?.([a, b, key({ dev: 2n, ino: 5n, size: 11n })])).toEqual([{ md5: MD5, sha256: SHA256 }, undefined, { md5: MD5 }]);
    third.close();
  });

  it("openHashCache rebuilds a cache written with another schema version", () => {
    const path = join(dir, "old.sqlite");
    const db = new Database(path);
    db.exec("CREATE TABLE file_digests (x)");
    db.pragma("user_version = 99");
    db.close();
    const cache = openHashCache(path);
    cache.put(key(), { md5: MD5 });
    expect(cache.get(key())).toEqual({ md5: MD5 });
    cache.close();
  });
});

describe("the FileItem collector with a hash cache", () => {
  const tree = join(dir, "tree");
  const run = async (cachePath: string, fields: string[], hashEveryFile = false) => {
    const cache = openHashCache(cachePath);
    try {
      const context = createTestContext(createHostView(), fields);
      const records = await collectAll(fileCollector, context, { scopes: [tree], hashCache: cache, hashEveryFile });
      return { records: new Map(records.map((r) => [r.fields["FileName"], r.fields])), counts: context.counts };
    } finally {
      cache.close();
    }
  };

  it("a rescan of an unchanged tree hashes nothing; a changed file is hashed again; a new digest reads the file once more", async () => {
    rmSync(tree, { recursive: true, force: true });
    mkdirSync(tree);
    for (let i = 0; i < 20; i++) writeFileSync(join(tree, `f${i}.bin`), `content ${i}`);
    const cachePath = join(dir, "scan.sqlite");
    const first = await run(cachePath, ["Md5sum"]);
    expect(first.counts.get("filesHashed")).toBe(20);

    const second = await run(cachePath, ["Md5sum"]);
    expect(second.counts.get("bytesHashed")).toBeUndefined();
    expect(second.counts.get("hashCacheHits")).toBe(20);
    expect(second.records.get("f3.bin")).toMatchObject({ Md5sum: createHash("md5").update("content 3").digest("hex") });

    // Same size, mtime set back: ctime still changes, so the key does.
    writeFileSync(join(tree, "f1.bin"), "CONTENT 1");
    utimesSync(join(tree, "f1.bin"), new Date(0), new Date(0));
    writeFileSync(join(tree, "f2.bin"), "longer content 2");
    const third = await run(cachePath, ["Md5sum"]);
    expect(third.counts.get("filesHashed")).toBe(2);
    expect(third.records.get("f1.bin")).toMatchObject({ Md5sum: createHash("md5").update("CONTENT 1").digest("hex") });

    // sha256 now needed too: each file is read once more for sha256 only, then both are cached.
    const fourth = await run(cachePath, ["Md5sum", "Sha256sum"]);
    expect(fourth.counts.get("filesHashed")).toBe(20);
    expect(fourth.records.get("f5.bin")).toMatchObject({ Sha256sum: createHash("sha256").update("content 5").digest("hex") });
    const fifth = await run(cachePath, ["Md5sum", "Sha256sum"]);
    expect(fifth.counts.get("filesHashed")).toBeUndefined();
    expect(fifth.counts.get("hashCacheHits")).toBe(20);
  });

  it("a scan that hashes every file starts its second worker at once on a first scan, not on a rescan the cache answers", async () => {
    rmSync(tree, { recursive: true, force: true });
    mkdirSync(tree);
    for (let i = 0; i < 20; i++) writeFileSync(join(tree, `f${i}.bin`), `content ${i}`);
    const cachePath = join(dir, "grow.sqlite");
    const starts: WorkerStart[] = [];
    const listener = (message: unknown): void => void starts.push(message as WorkerStart);
    subscribe(WORKER_START_CHANNEL, listener);
    try {
      const first = await run(cachePath, ["Md5sum"], true);
      expect(first.counts.get("filesHashed")).toBe(20);
      const grown = starts.filter((start) => start.index > 0);
      expect(grown.map(({ hashBatches }) => hashBatches)).toEqual(availableParallelism() > 1 ? [0] : []);
      const check = openHashCache(cachePath);
      expect(check.holdsDevice?.(statSync(tree, { bigint: true }).dev)).toBe(true);
      check.close();
      starts.length = 0;
      const second = await run(cachePath, ["Md5sum"], true);
      expect(second.counts.get("hashCacheHits")).toBe(20);
      expect(starts.map(({ index }) => index)).toEqual([0]);
    } finally {
      unsubscribe(WORKER_START_CHANNEL, listener);
    }
  });
});
