/**
 * The IOC cache against a folder, entries or records another user could have written: an entry
 * decides which indicators a scan looks for, so one planted could hide an IOC file. Such a folder
 * is refused (the load goes on without a cache), such an entry or record is a miss. Everything
 * is in a temp folder this test creates; the tests that give a file to another user run only as
 * root.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadIocFiles } from "../load-iocs.js";
import { createRe2Engine } from "../regex/re2-engine.js";
import { openIocCache, type IocCache } from "./index.js";

const work = mkdtempSync(join(tmpdir(), "iocscan-ioc-cache-trust-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const asRoot = process.getuid?.() === 0;
const OTHER = 65534;
const examples = fileURLToPath(new URL("../../../examples/iocs/", import.meta.url));

async function open(dir: string, maxBytes?: number): Promise<IocCache> {
  const cache = await openIocCache(dir, maxBytes === undefined ? {} : { maxBytes });
  if (!cache) throw new Error(`cache ${dir} did not open`);
  return cache;
}

/** A cache folder `name` filled by loading the example IOC files; its entries' keys. */
async function filled(name: string): Promise<{ dir: string; keys: string[] }> {
  const dir = join(work, name);
  const cache = await open(dir);
  await loadIocFiles([examples], { regexEngine: createRe2Engine(), cache });
  await cache.settle();
  const keys = readdirSync(dir)
    .filter((file) => file.endsWith(".entry"))
    .map((file) => file.slice(0, -".entry".length));
  expect(keys.length).toBeGreaterThan(0);
  for (const key of keys) expect(await cache.get(key)).toBeDefined();
  return { dir, keys };
}

const hits = async (cache: IocCache, keys: readonly string[]): Promise<number> => (await Promise.all(keys.map((key) => cache.get(key)))).filter((load) => load !== undefined).length;

describe("openIocCache and trust", () => {
  it("a folder others may write, or a link to a folder, is told about and not used", async () => {
    const told: string[] = [];
    const shared = join(work, "shared");
    mkdirSync(shared, { mode: 0o700 });
    chmodSync(shared, 0o777);
    expect(await openIocCache(shared, { onUnavailable: (_dir, error) => told.push(String(error)) })).toBeUndefined();
    await filled("real");
    symlinkSync(join(work, "real"), join(work, "linked"));
    expect(await openIocCache(join(work, "linked"), { onUnavailable: (_dir, error) => told.push(String(error)) })).toBeUndefined();
    expect(told).toEqual([expect.stringMatching(/writable by other users/), expect.stringMatching(/symbolic link/)]);
  });

  it.runIf(asRoot)("a folder of another user, or under a folder another user owns, is not used", async () => {
    const { dir } = await filled("owned");
    chownSync(dir, OTHER, OTHER);
    expect(await openIocCache(dir)).toBeUndefined();
    const home = join(work, "home");
    await filled("home/state/ioc-cache");
    chownSync(home, OTHER, OTHER);
    const told: unknown[] = [];
    expect(await openIocCache(join(home, "state/ioc-cache"), { onUnavailable: (_dir, error) => told.push(error) })).toBeUndefined();
    expect(String(told[0])).toMatch(/belongs to user 65534, who could replace it/);
  });

  it("an entry that is a link to a good entry, or that others may write, is a miss", async () => {
    const good = await filled("link-target");
    const dir = join(work, "links");
    await open(dir);
    for (const key of good.keys) symlinkSync(join(good.dir, `${key}.entry`), join(dir, `${key}.entry`));
    expect(await hits(await open(dir), good.keys)).toBe(0);
    for (const key of good.keys) chmodSync(join(good.dir, `${key}.entry`), 0o660);
    expect(await hits(await open(good.dir), good.keys)).toBe(0);
    for (const key of good.keys) chmodSync(join(good.dir, `${key}.entry`), 0o600);
    expect(await hits(await open(good.dir), good.keys)).toBe(good.keys.length);
  });

  it.runIf(asRoot)("an entry, or a record of a file's content, of another user is a miss", async () => {
    const { dir, keys } = await filled("other-owner");
    const records = readdirSync(dir).filter((name) => name.endsWith(".stat"));
    const [identity] = (records[0] as string).split("-");
    for (const name of readdirSync(dir)) chownSync(join(dir, name), OTHER, OTHER);
    const cache = await open(dir);
    expect(await hits(cache, keys)).toBe(0);
    expect(await cache.contentOf(identity as string)).toBeUndefined();
  });

  it("an entry larger than the cache's size bound is a miss, not read", async () => {
    const { dir, keys } = await filled("bounded");
    expect(await hits(await open(dir, 64), keys)).toBe(0);
  });
});
