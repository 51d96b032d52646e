/**
 * The hash cache against a folder or files another user could have written, and against device
 * files too large to read whole: such a cache is refused (the scan goes on without it, see
 * host-scan.ts) or such a file is a miss, never a digest used. Everything is in a temp folder
 * this test creates; the tests that give a file to another user run only as root.
 */
import { chmodSync, chownSync, closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { HashCacheKey } from "../../collectors/file/index.js";
import { openHashCache } from "./index.js";
import { untrustedFolder } from "./trusted-folder.js";

const work = mkdtempSync(join(tmpdir(), "iocscan-hash-cache-trust-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const asRoot = process.getuid?.() === 0;
/** A user that is not this one (nobody on most systems). */
const OTHER = 65534;

const key = (over: Partial<HashCacheKey> = {}): HashCacheKey => ({ dev: 2049n, ino: 1234n, size: 10n, mtimeNs: 1_700_000_000_123_456_789n, ctimeNs: 1_700_000_000_123_456_789n, ...over });
const MD5 = "d41d8cd98f00b204e9800998ecf8427e";
const FILE = "dev-0000000000000801.bin";

/** A folder `name` (0700) holding a good device file with key()'s digest; returns the file's path. */
function goodFile(name: string, options: { maxEntriesPerDevice?: number; entries?: number } = {}): string {
  const folder = join(work, name);
  const cache = openHashCache(folder, options);
  for (let i = 0; i < (options.entries ?? 1); i++) cache.put(key({ ino: 1234n + BigInt(i) }), { md5: MD5 });
  cache.close();
  expect(openHashCache(folder).get(key())).toEqual({ md5: MD5 });
  return join(folder, FILE);
}

describe("openHashCache and trust", () => {
  it("a device file that is a symbolic link, even to a good device file, is not read and is replaced", () => {
    const good = goodFile("link-target");
    const folder = join(work, "link");
    openHashCache(folder).close();
    symlinkSync(good, join(folder, FILE));
    const cache = openHashCache(folder);
    expect(cache.get(key())).toBeUndefined();
    expect(cache.holdsDevice(2049n)).toBe(false);
    cache.put(key({ ino: 7n }), { md5: MD5 });
    cache.close();
    expect(statSync(join(folder, FILE)).isFile()).toBe(true);
    // The link's target is left as it was.
    expect(openHashCache(join(work, "link-target")).get(key())).toEqual({ md5: MD5 });
  });

  it("a device file others may write is not read", () => {
    const file = goodFile("group-writable");
    chmodSync(file, 0o620);
    expect(openHashCache(join(work, "group-writable")).get(key())).toBeUndefined();
    chmodSync(file, 0o600);
    expect(openHashCache(join(work, "group-writable")).get(key())).toEqual({ md5: MD5 });
  });

  it.runIf(asRoot)("a device file of another user is not read", () => {
    const file = goodFile("other-owner");
    chownSync(file, OTHER, OTHER);
    expect(openHashCache(join(work, "other-owner")).get(key())).toBeUndefined();
  });

  it("a symbolic link as the cache folder is refused", () => {
    goodFile("real-folder");
    symlinkSync(join(work, "real-folder"), join(work, "linked-folder"));
    expect(() => openHashCache(join(work, "linked-folder"))).toThrow(/symbolic link/);
  });

  it.runIf(asRoot)("a cache folder another user owns, or under a folder another user owns or may write, is refused", () => {
    goodFile("owned/hash-cache");
    chownSync(join(work, "owned/hash-cache"), OTHER, OTHER);
    expect(() => openHashCache(join(work, "owned/hash-cache"))).toThrow(/belongs to user 65534/);
    // Root's own 0700 folder, but in a folder the user may rename it out of and put theirs.
    const home = join(work, "home");
    goodFile("home/state/hash-cache");
    chownSync(home, OTHER, OTHER);
    expect(() => openHashCache(join(home, "state/hash-cache"))).toThrow(/belongs to user 65534, who could replace it/);
    // Not created either when it is not there yet.
    expect(() => openHashCache(join(home, "state/new-cache"))).toThrow(/could replace it/);
    chownSync(home, 0, 0);
    chmodSync(home, 0o777);
    expect(() => openHashCache(join(home, "state/hash-cache"))).toThrow(/writable by other users \(mode 777\), who could replace it/);
    // Sticky, as /tmp: others may not rename what is not theirs.
    chmodSync(home, 0o1777);
    expect(openHashCache(join(home, "state/hash-cache")).get(key())).toEqual({ md5: MD5 });
  });

  it("untrustedFolder checks the folders a link on the way leads to", () => {
    const shared = join(work, "shared");
    mkdirSync(join(shared, "cache"), { recursive: true, mode: 0o700 });
    chmodSync(shared, 0o777);
    const safe = join(work, "safe");
    mkdirSync(safe, { mode: 0o700 });
    symlinkSync(shared, join(safe, "via"));
    expect(untrustedFolder(join(safe, "via/cache"))).toMatch(/writable by other users/);
    chmodSync(shared, 0o755);
    expect(untrustedFolder(join(safe, "via/cache"))).toBeUndefined();
  });
});

describe("openHashCache and oversized device files", () => {
  it("a device file larger than maxEntriesPerDevice allows is not read, and is rebuilt within the bound", () => {
    const file = goodFile("oversized", { entries: 100 });
    const cache = openHashCache(join(work, "oversized"), { maxEntriesPerDevice: 10 });
    expect(cache.get(key())).toBeUndefined();
    cache.put(key({ ino: 1n }), { md5: MD5 });
    cache.close();
    expect(statSync(file).size).toBeLessThan(200);
  });

  it("a 4 GB sparse device file whose header claims that many entries is a miss, not an allocation or a crash", () => {
    const file = goodFile("sparse");
    const header = readFileSync(file).subarray(0, 32);
    // 4 GiB: (2^32 - 32) / 40 entries of no digests, the length the header then promises.
    const count = Math.floor((2 ** 32 - 32) / 40);
    header.writeUInt32LE(count, 12);
    header.writeUInt32LE(2 ** 32 - 32 - count * 40, 24);
    const fd = openSync(file, "w", 0o600);
    writeSync(fd, header);
    ftruncateSync(fd, 2 ** 32);
    closeSync(fd);
    const before = process.memoryUsage().arrayBuffers;
    const cache = openHashCache(join(work, "sparse"));
    expect(cache.get(key())).toBeUndefined();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    cache.put(key(), { md5: MD5 });
    cache.close();
    expect(statSync(file).size).toBeLessThan(200);
  });

  it("a zero-filled device file, or one claiming more entries than it holds, is a miss and is rebuilt", () => {
    const file = goodFile("claims", { entries: 3 });
    const good = readFileSync(file);
    for (const bad of [Buffer.alloc(good.length), Buffer.concat([good.subarray(0, 12), Buffer.from([9, 0, 0, 0]), good.subarray(16)])]) {
      writeFileSync(file, bad);
      const cache = openHashCache(join(work, "claims"));
      expect(cache.get(key())).toBeUndefined();
      cache.put(key(), { md5: MD5 });
      cache.close();
      expect(openHashCache(join(work, "claims")).get(key())).toEqual({ md5: MD5 });
    }
  });
});
