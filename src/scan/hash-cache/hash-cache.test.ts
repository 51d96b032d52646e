import { createHash } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectAll, createTestContext } from "../../collectors/conformance.js";
import { WORKER_START_CHANNEL, type WorkerStart } from "../../collectors/file/file-workers.js";
import { fileCollector, type HashCacheKey } from "../../collectors/file/index.js";
import { createHostView } from "../../collectors/host-view.js";
import { DIGEST_BYTES, type DigestAlgorithm } from "../../core/compile/index.js";
import { openHashCache } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "iocscan-hash-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = (over: Partial<HashCacheKey> = {}): HashCacheKey => ({ dev: 2049n, ino: 1234n, size: 10n, mtimeNs: 1_700_000_000_123_456_789n, ctimeNs: 1_700_000_000_123_456_789n, ...over });
const MD5 = "d41d8cd98f00b204e9800998ecf8427e";
const SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
const SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

describe("openHashCache", () => {
  it("openHashCache keeps digests across reopening, keyed by the exact file version", () => {
    const folder = join(dir, "a/cache");
    const cache = openHashCache(folder);
    cache.put(key(), { md5: MD5 });
    cache.close();
    const again = openHashCache(folder);
    expect(again.get(key())).toEqual({ md5: MD5 });
    // Any part of the version differing (by one nanosecond) is a miss.
    expect(again.get(key({ mtimeNs: key().mtimeNs + 1n }))).toBeUndefined();
    expect(again.get(key({ ctimeNs: key().ctimeNs + 1n }))).toBeUndefined();
    expect(again.get(key({ size: 11n }))).toBeUndefined();
    expect(again.get(key({ ino: 1235n }))).toBeUndefined();
    expect(again.get(key({ dev: 2050n }))).toBeUndefined();
    again.close();
    // One file per device, private to this user, in a private folder.
    expect(readdirSync(folder)).toEqual(["dev-0000000000000801.bin"]);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(join(folder, "dev-0000000000000801.bin")).mode & 0o777).toBe(0o600);
  });

  it("openHashCache adds a digest to the ones already known for the same version, and forgets them for a new one", () => {
    const folder = join(dir, "merge");
    const cache = openHashCache(folder);
    cache.put(key(), { md5: MD5 });
    cache.close();
    const second = openHashCache(folder);
    // Written md5 + a put sha256 of the same version: both, before and after the write.
    second.put(key(), { sha256: SHA256.toUpperCase() });
    // Strictly: no key for a digest not known (a spread of it would hide one known).
    expect(second.get(key())).toStrictEqual({ md5: MD5, sha256: SHA256 });
    second.close();
    const third = openHashCache(folder);
    expect(third.get(key())).toEqual({ md5: MD5, sha256: SHA256 });
    third.put(key({ size: 99n }), { sha1: SHA1, md5: "not a digest" });
    expect(third.get(key({ size: 99n }))).toStrictEqual({ sha1: SHA1 });
    // A newer version put hides the written one at once.
    expect(third.get(key())).toBeUndefined();
    third.close();
    const fourth = openHashCache(folder);
    expect(fourth.get(key())).toBeUndefined();
    expect(fourth.get(key({ size: 99n }))).toEqual({ sha1: SHA1 });
    fourth.close();
  });

  it("openHashCache answers from puts not yet written and keeps 64-bit inode numbers, signed or not, and times before 1970", () => {
    const folder = join(dir, "pending");
    const cache = openHashCache(folder);
    const big = key({ ino: 2n ** 64n - 1n, dev: 2n ** 63n, mtimeNs: -5n });
    // The same inode as a worker's BigInt64Array reads it: negative.
    const signed = { ...big, ino: -1n, dev: -(2n ** 63n) };
    cache.put(big, { md5: MD5 });
    expect(cache.get(big)).toEqual({ md5: MD5 });
    expect(cache.get(signed)).toEqual({ md5: MD5 });
    cache.close();
    const again = openHashCache(folder);
    expect(again.get(big)).toEqual({ md5: MD5 });
    expect(again.get(signed)).toEqual({ md5: MD5 });
    again.close();
  });

  it("get answers key by key over many files on two devices, inodes high and low: written, put now, absent, another version", () => {
    const folder = join(dir, "many");
    const keys = Array.from({ length: 3000 }, (_, i) => key({ dev: i % 2 === 0 ? 2049n : 2n ** 63n, ino: i % 7 === 0 ? 2n ** 64n - BigInt(i + 1) : BigInt(i * 2 ** 20 + 1) }));
    const digest = (i: number): string => MD5.slice(0, 26) + i.toString(16).padStart(6, "0");
    const first = openHashCache(folder);
    for (const [i, k] of keys.entries()) if (i < 2000) first.put(k, { md5: digest(i) });
    first.close();
    const cache = openHashCache(folder);
    // Written, put now, absent, another version.
    for (const [i, k] of keys.entries()) if (i >= 2000 && i < 2500) cache.put(k, { sha256: SHA256 });
    const asked = [...keys, key({ ino: 999_999n }), key({ ...keys[4], size: 11n }), keys[3] as HashCacheKey];
    const many = asked.map((k) => cache.get(k));
    expect(many.slice(0, 2000).every((d, i) => d?.md5 === digest(i))).toBe(true);
    expect(many.slice(2000, 2500).every((d) => d?.sha256 === SHA256 && d.md5 === undefined)).toBe(true);
    expect(many.slice(2500, 3002).every((d) => d === undefined)).toBe(true);
    expect(many[3002]).toEqual({ md5: digest(3) });
    expect(many[5]).toEqual({ md5: digest(5) });
    expect(many[1999]).toEqual({ md5: digest(1999) });
    expect(many[2100]).toEqual({ sha256: SHA256 });
    expect(many[2700]).toBeUndefined();
    expect(many[3001]).toBeUndefined();
    cache.close();
    const again = openHashCache(folder);
    expect(keys.map((k) => again.get(k) !== undefined)).toEqual(keys.map((_, i) => i < 2500));
    expect(again.get(keys[7] as HashCacheKey)).toEqual({ md5: digest(7) });
    again.close();
  });

  it("cachedDigestsNamed answers from the stored bytes: none named, one named, or not all stored (then get answers)", () => {
    const folder = join(dir, "named/cache");
    const first = openHashCache(folder);
    first.put(key(), { md5: MD5, sha256: SHA256 });
    first.put(key({ ino: 99n }), { md5: MD5 });
    first.close();
    const cache = openHashCache(folder);
    const seen: string[] = [];
    const named = (listed: string) => (algorithm: DigestAlgorithm, bytes: Uint8Array, offset: number) => {
      const hex = Buffer.from(bytes.subarray(offset, offset + DIGEST_BYTES[algorithm])).toString("hex");
      seen.push(`${algorithm} ${hex}`);
      return hex === listed;
    };
    expect(cache.cachedDigestsNamed(key(), ["md5", "sha256"], named("0".repeat(64)))).toBe(false);
    expect(seen).toEqual([`md5 ${MD5}`, `sha256 ${SHA256}`]);
    expect(cache.cachedDigestsNamed(key(), ["md5", "sha256"], named(SHA256))).toBe(true);
    // A digest not stored, another version, a file not in the cache, another device: undefined.
    expect(cache.cachedDigestsNamed(key({ ino: 99n }), ["md5", "sha256"], named("none"))).toBeUndefined();
    expect(cache.cachedDigestsNamed(key({ ino: 99n }), ["md5"], named("none"))).toBe(false);
    expect(cache.cachedDigestsNamed(key({ mtimeNs: key().mtimeNs + 1n }), ["md5"], named("none"))).toBeUndefined();
    expect(cache.cachedDigestsNamed(key({ ino: 5n }), ["md5"], named("none"))).toBeUndefined();
    expect(cache.cachedDigestsNamed(key({ dev: 7n }), ["md5"], named("none"))).toBeUndefined();
    // Digests put by this scan are not in the stored bytes yet: get answers for the file.
    cache.put(key(), { sha1: SHA1 });
    expect(cache.cachedDigestsNamed(key(), ["md5"], named("none"))).toBeUndefined();
    expect(cache.get(key())).toEqual({ md5: MD5, sha1: SHA1, sha256: SHA256 });
    cache.close();
  });

  it("holdsDevice tells a device the cache knows nothing of (a first scan) from one it holds or was put", () => {
    const folder = join(dir, "holds");
    const cache = openHashCache(folder);
    expect(cache.holdsDevice(77n)).toBe(false);
    cache.put(key({ dev: 77n }), { md5: MD5 });
    expect(cache.holdsDevice(77n)).toBe(true);
    expect(cache.holdsDevice(78n)).toBe(false);
    cache.close();
    const again = openHashCache(folder);
    expect(again.holdsDevice(77n)).toBe(true);
    again.close();
  });

  it("puts are written every flushEvery new files and at close; two scans writing one device keep each other's entries", () => {
    const folder = join(dir, "when");
    const file = join(folder, "dev-0000000000000801.bin");
    const one = openHashCache(folder, { flushEvery: 3 });
    const two = openHashCache(folder);
    for (const ino of [1n, 2n]) one.put(key({ ino }), { md5: MD5 });
    // The same file again is no new put.
    one.put(key({ ino: 2n }), { sha256: SHA256 });
    expect(existsSync(file)).toBe(false);
    one.put(key({ ino: 3n }), { md5: MD5 });
    expect(existsSync(file)).toBe(true);
    two.put(key({ ino: 10n }), { md5: MD5 });
    two.close();
    one.put(key({ ino: 4n }), { md5: MD5 });
    one.close();
    const reader = openHashCache(folder);
    expect([1n, 2n, 3n, 4n, 10n, 11n].map((ino) => reader.get(key({ ino }))?.md5)).toEqual([MD5, MD5, MD5, MD5, MD5, undefined]);
    expect(reader.get(key({ ino: 2n }))).toEqual({ md5: MD5, sha256: SHA256 });
    reader.close();
    // Nothing left aside.
    expect(readdirSync(folder)).toEqual(["dev-0000000000000801.bin"]);
  });

  it("past maxEntriesPerDevice, the entries written longest ago are dropped", () => {
    const folder = join(dir, "bounded");
    let now = Date.UTC(2026, 0, 1);
    const old = openHashCache(folder, { now: () => now });
    for (const ino of [5n, 6n, 7n]) old.put(key({ ino }), { md5: MD5 });
    old.close();
    now += 3 * 86_400_000;
    const recent = openHashCache(folder, { now: () => now, maxEntriesPerDevice: 4 });
    for (const ino of [1n, 9n]) recent.put(key({ ino }), { md5: MD5 });
    // Rewritten today: its day is today's. Of the two older ones only one fits: the lower inode.
    recent.put(key({ ino: 7n }), { sha256: SHA256 });
    recent.close();
    const reader = openHashCache(folder);
    expect([1n, 5n, 6n, 7n, 9n].map((ino) => reader.get(key({ ino })) !== undefined)).toEqual([true, true, false, true, true]);
    reader.close();
  });

  it("a damaged, cut or foreign device file is ignored and written anew; the old SQLite cache beside the folder is removed", () => {
    const folder = join(dir, "state/hash-cache");
    mkdirSync(join(dir, "state"), { recursive: true });
    for (const suffix of ["", "-wal", "-shm"]) writeFileSync(join(dir, "state", `hash-cache.db${suffix}`), "old");
    const cache = openHashCache(folder);
    expect(existsSync(join(dir, "state/hash-cache.db"))).toBe(false);
    expect(existsSync(join(dir, "state/hash-cache.db-wal"))).toBe(false);
    cache.put(key(), { md5: MD5 });
    cache.put(key({ ino: 1n }), { sha1: SHA1 });
    cache.close();
    const file = join(folder, "dev-0000000000000801.bin");
    const good = readFileSync(file);
    const damage = (bytes: Buffer): void => {
      writeFileSync(file, bytes);
      const reader = openHashCache(folder);
      expect(reader.get(key())).toBeUndefined();
      expect(reader.holdsDevice(2049n)).toBe(false);
      reader.put(key({ ino: 2n }), { md5: MD5 });
      reader.close();
      const after = openHashCache(folder);
      expect(after.get(key({ ino: 2n }))).toEqual({ md5: MD5 });
      after.close();
    };
    const flipped = Buffer.from(good);
    flipped[flipped.length - 3] = (flipped[flipped.length - 3] as number) ^ 0xff;
    damage(flipped);
    damage(good.subarray(0, good.length - 7));
    damage(Buffer.from("not a cache"));
    // Another device's file under this device's name.
    const foreign = Buffer.from(good);
    foreign.writeUInt32LE(7, 16);
    damage(foreign);
  });

  it("a folder other users may write, or that is a file, is refused; a write that fails is reported, not thrown", () => {
    const open = join(dir, "shared");
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    expect(() => openHashCache(open)).toThrow(/writable by other users/);
    writeFileSync(join(dir, "a-file"), "");
    expect(() => openHashCache(join(dir, "a-file"))).toThrow();
    const folder = join(dir, "failing");
    const errors: unknown[] = [];
    const cache = openHashCache(folder, { onWriteError: (error) => errors.push(error) });
    cache.put(key(), { md5: MD5 });
    rmSync(folder, { recursive: true });
    cache.close();
    expect(errors).toHaveLength(1);
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
    const cachePath = join(dir, "scan");
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
    const cachePath = join(dir, "grow");
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
