import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { EvaluationPlan } from "../../core/compile/index.js";
import { createEvaluation, type HostRecord } from "../../core/evaluate/index.js";
import { loadIocFiles, type LoadIocsOptions } from "../load-iocs.js";
import { iocWarnings, preparePlan } from "../prepare-plan.js";
import { createRe2Engine } from "../regex/re2-engine.js";
import { hashListIoc as longHashList, spreadDigest } from "./_test-hash-list.js";
import { entryBytes } from "./entry-codec.js";
import { contentDigest, entryFileName, evictEntries, fileIdentity, identityFileName, iocCacheKey, openIocCache, THIS_BUILD, type IocCache, type LoadSettings } from "./index.js";

const work = mkdtempSync(join(tmpdir(), "iocscan-ioc-cache-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const corpus = fileURLToPath(new URL("../../../test/data/corpus/", import.meta.url));
const examples = fileURLToPath(new URL("../../../examples/iocs/", import.meta.url));

/** A folder of IOC files with diagnostics of every kind: warnings with positions, an unusable file, a duplicate id. */
function iocFolder(name: string): string {
  const folder = join(work, name);
  cpSync(corpus, join(folder, "corpus"), { recursive: true });
  cpSync(examples, join(folder, "examples"), { recursive: true });
  writeFileSync(join(folder, "broken.ioc"), "<ioc><unclosed>");
  writeFileSync(join(folder, "not-xml.ioc"), "just text");
  // The same IOC again under another name: a duplicate id (IOC026), and the same cache entry.
  cpSync(join(examples, "eicar-test-file.ioc"), join(folder, "zz-copy-of-eicar.ioc"));
  return folder;
}

/** A cache that counts its hits and misses. */
function counted(cache: IocCache): IocCache & { hits: number; misses: number } {
  const counter = {
    hits: 0,
    misses: 0,
    async get(key: string) {
      const found = await cache.get(key);
      if (found) counter.hits++;
      else counter.misses++;
      return found;
    },
    put: (key: string, load: Parameters<IocCache["put"]>[1]) => cache.put(key, load),
    contentOf: (identity: string) => cache.contentOf(identity),
    rememberContent: (identity: string, content: string) => cache.rememberContent(identity, content),
    settle: () => cache.settle(),
  };
  return counter;
}

async function open(dir: string): Promise<IocCache & { hits: number; misses: number }> {
  const cache = await openIocCache(dir);
  if (!cache) throw new Error(`cache ${dir} did not open`);
  return counted(cache);
}

async function load(folder: string, cache: IocCache | undefined, options: LoadIocsOptions = {}): Promise<Awaited<ReturnType<typeof loadIocFiles>>> {
  const loaded = await loadIocFiles([folder], { regexEngine: createRe2Engine(), ...options, ...(cache ? { cache } : {}) });
  await cache?.settle();
  return loaded;
}

/** A plan as data: what it matches on, without the compiled regexes' functions. */
function planData(plan: EvaluationPlan): string {
  return JSON.stringify(plan, (_key, value: unknown) => (value instanceof Map || value instanceof Set ? [...value] : typeof value === "bigint" ? `${value}n` : value));
}

/**
 * An OR of 50 SHA-256 items, with a commented item, a negated one and a nested AND among them;
 * the items after the comment have UUIDs for ids.
 */
function hashListIoc(): string {
  const id = (i: number): string => (i > 30 ? `0000${i.toString(16).padStart(4, "0")}-1111-4222-a333-${"b".repeat(12)}` : `item-${i}`);
  const item = (i: number, extra = "", condition = "is"): string =>
    `<IndicatorItem id="${id(i)}" condition="${condition}"><Context document="FileItem" search="FileItem/Sha256sum" type="mir"/>` +
    `<Content type="sha256">${i.toString(16).padStart(64, "0")}</Content>${extra}</IndicatorItem>\n`;
  const digests = (from: number, to: number): string => Array.from({ length: to - from }, (_, k) => item(from + k)).join("");
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<ioc xmlns="http://schemas.mandiant.com/2010/ioc" id="hash-list"><short_description>list</short_description><definition>\n` +
    `<Indicator operator="OR" id="root">\n${digests(0, 30)}${item(30, "<Comment>why</Comment>")}${digests(31, 51)}${item(51, "", "isnot")}` +
    `<Indicator operator="AND" id="nested">${item(52)}<IndicatorItem id="name" condition="is"><Context document="FileItem" search="FileItem/FileName" type="mir"/><Content type="string">a.exe</Content></IndicatorItem></Indicator>\n` +
    `</Indicator></definition></ioc>\n`
  );
}

const entries = (dir: string): string[] => readdirSync(dir).filter((name) => name.endsWith(".entry"));

/** An entry file's JSON header and binary body (entry-codec.ts: header length at byte 8, header from byte 20). */
function partsOf(bytes: Buffer): { header: string; body: Buffer } {
  const length = bytes.readUInt32LE(8);
  return { header: bytes.toString("utf8", 20, 20 + length), body: bytes.subarray(20 + ((length + 3) & ~3)) };
}

describe("the IOC cache behind loadIocFiles", () => {
  it("a hit gives the same loaded entries, documents, diagnostics and positions as a parse", async () => {
    const folder = iocFolder("same");
    const dir = join(work, "same-cache");
    const parsed = await load(folder, undefined);
    const first = await open(dir);
    const missed = await load(folder, first);
    // 13 files, 12 distinct contents: the copy of eicar hits its entry if written by then.
    expect(first.hits + first.misses).toBe(13);
    expect(first.misses).toBeGreaterThanOrEqual(12);
    expect(entries(dir)).toHaveLength(12);
    const second = await open(dir);
    const hit = await load(folder, second);
    expect(second).toMatchObject({ hits: 13, misses: 0 });

    expect(missed).toStrictEqual(parsed);
    expect(hit).toStrictEqual(parsed);
    expect(parsed.some((entry) => entry.duplicate)).toBe(true);
    expect(parsed.filter((entry) => !entry.ok).map((entry) => entry.file.slice(folder.length))).toEqual(["/broken.ioc", "/not-xml.ioc"]);
    expect(iocWarnings(hit).filter((warning) => /:\d+:\d+$/.test(warning.path ?? "")).length).toBeGreaterThan(100);
  });

  it("a hash list under a condition the parser does not know (kept, UNKNOWN when compiled) is stored as a run and read back: a hit", async () => {
    const folder = join(work, "unknown-condition");
    mkdirSync(folder);
    writeFileSync(join(folder, "frobs.ioc"), longHashList("frobs", 40).replaceAll('condition="is"', 'condition="frobs"'));
    const dir = join(work, "unknown-condition-cache");
    const parsed = await load(folder, undefined);
    await load(folder, await open(dir));
    const second = await open(dir);
    const hit = await load(folder, second);
    expect(second).toMatchObject({ hits: 1, misses: 0 });
    expect(hit).toStrictEqual(parsed);
  });

  it("a plan compiled from hits is the plan compiled from a parse", async () => {
    const folder = iocFolder("plan");
    const dir = join(work, "plan-cache");
    const without = await preparePlan([folder], {});
    const cold = await preparePlan([folder], { iocCacheDir: dir });
    const warm = await preparePlan([folder], { iocCacheDir: dir });
    expect(entries(dir)).toHaveLength(12);
    expect(planData(cold.plan)).toBe(planData(without.plan));
    expect(planData(warm.plan)).toBe(planData(without.plan));
    expect(warm.loaded).toStrictEqual(without.loaded);
  });

  it("a changed file is a miss, and its new content is what loads", async () => {
    const folder = iocFolder("changed");
    const dir = join(work, "changed-cache");
    await load(folder, await open(dir));
    const file = join(folder, "examples/reverse-shell.ioc");
    writeFileSync(file, readFileSync(file, "utf8").replace(/REVERSE SHELL/g, "REVERSE SHELL, EDITED"));
    const again = await open(dir);
    const loaded = await load(folder, again);
    expect(again).toMatchObject({ hits: 12, misses: 1 });
    expect(loaded.find((entry) => entry.file === file)?.title).toMatch(/REVERSE SHELL, EDITED/);
    expect(loaded).toStrictEqual(await load(folder, undefined));
  });

  it("other load settings, another release or another build are misses", () => {
    const bytes = readFileSync(join(examples, "eicar-test-file.ioc"));
    const settings: LoadSettings = { maxBytes: 10 << 20, maxDepth: 100, platform: "linux", mapEvents: true, mapNetworkTerms: false, regexJudged: true };
    const key = iocCacheKey(bytes, settings);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(iocCacheKey(Buffer.from(bytes), { ...settings })).toBe(key);
    const others = [
      iocCacheKey(Buffer.concat([bytes, Buffer.from(" ")]), settings),
      iocCacheKey(bytes, { ...settings, mapEvents: false }),
      iocCacheKey(bytes, { ...settings, mapNetworkTerms: true }),
      iocCacheKey(bytes, { ...settings, regexJudged: false }),
      iocCacheKey(bytes, { ...settings, maxBytes: 1 << 20 }),
      iocCacheKey(bytes, { ...settings, maxDepth: 10 }),
      iocCacheKey(bytes, { ...settings, platform: "windows" }),
      iocCacheKey(bytes, settings, { ...THIS_BUILD, version: "99.0.0" }),
      iocCacheKey(bytes, settings, { ...THIS_BUILD, stamp: "rebuilt" }),
    ];
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
  });

  it("term switches are part of the key: a scan with other switches does not reuse the entries", async () => {
    const folder = iocFolder("switches");
    const dir = join(work, "switches-cache");
    await load(folder, await open(dir));
    const other = await open(dir);
    const loaded = await load(folder, other, { mapEvents: false });
    expect(other.hits + other.misses).toBe(13);
    expect(other.misses).toBeGreaterThanOrEqual(12);
    expect(loaded).toStrictEqual(await load(folder, undefined, { mapEvents: false }));
  });

  it("a hash list is stored column-wise, its digests as bytes, and loads as parsed; a damaged or malformed run is a miss", async () => {
    const folder = join(work, "hash-list");
    mkdirSync(folder);
    writeFileSync(join(folder, "list.ioc"), hashListIoc());
    const dir = join(work, "hash-list-cache");
    const parsed = await load(folder, undefined);
    expect(parsed[0]?.ok).toBe(true);
    await load(folder, await open(dir));
    const [name] = entries(dir);
    const file = join(dir, name as string);
    const bytes = readFileSync(file);
    const { header, body } = partsOf(bytes);
    // Two runs: the 30 digests before the item with a comment, the 20 after; the rest stays items.
    expect(header.match(/"kind":"items"/g)).toHaveLength(2);
    expect(header.match(/"kind":"item"/g)).toHaveLength(4);
    // Raw digests in the body, no hex text; evenly spaced positions as a start and a step.
    expect(body.indexOf(Buffer.from((29).toString(16).padStart(64, "0"), "hex"))).toBeGreaterThanOrEqual(0);
    expect(bytes.indexOf((29).toString(16).padStart(64, "0"))).toBe(-1);
    expect(header).toMatch(/"positions":\{"start":\[/);
    expect(header.match(/"encoding":"(\w+)"/g)).toEqual(['"encoding":"latin1"', '"encoding":"uuid"']);

    const warm = await open(dir);
    expect(await load(folder, warm)).toStrictEqual(parsed);
    expect(warm).toMatchObject({ hits: 1, misses: 0 });
    expect(planData((await preparePlan([folder], { iocCacheDir: dir })).plan)).toBe(planData((await preparePlan([folder], {})).plan));

    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1;
    writeFileSync(file, flipped);
    const damaged = await open(dir);
    expect(await load(folder, damaged)).toStrictEqual(parsed);
    expect(damaged).toMatchObject({ hits: 0, misses: 1 });

    // Whole and with a good checksum, but a run's column reaches past the body.
    writeFileSync(file, entryBytes(header.replace(/"ids":\{"at":\d+/, `"ids":{"at":${body.length}`), body));
    const malformed = await open(dir);
    expect(await load(folder, malformed)).toStrictEqual(parsed);
    expect(malformed).toMatchObject({ hits: 0, misses: 1 });
  });

  it("a plan from a cached 10,000-item run has every item, matches by digest, and equals the plan from a parse", async () => {
    const folder = join(work, "long-run");
    mkdirSync(folder);
    writeFileSync(join(folder, "long.ioc"), longHashList("long", 10_000));
    const dir = join(work, "long-run-cache");
    const cold = await preparePlan([folder], { iocCacheDir: dir });
    const warm = await preparePlan([folder], { iocCacheDir: dir });
    expect(warm.plan.items.at(7_777)).toMatchObject({ id: "id-7777", value: spreadDigest(7_777), position: { line: 7_781, column: 1 }, status: { kind: "supported" } });
    // One span for the run: nothing walks its items one object at a time.
    expect([...warm.plan.items.spans()]).toHaveLength(1);
    expect(planData(warm.plan)).toBe(planData(cold.plan));
    // Its unit holds every item as one range, not 10,000 refs.
    expect(warm.plan.units[0]?.items).toEqual([{ lo: 0, hi: 9_999 }]);
    const hits: number[] = [];
    warm.plan.documents.get("FileItem")?.channels[0]?.matchElement(` ${spreadDigest(7_777).toUpperCase()}`, (ref) => hits.push(ref));
    expect(hits).toEqual([7_777]);
  });

  it("a cached run beside plain items evaluates as the parse does, also on a record whose digest is unknown", async () => {
    const folder = join(work, "run-with-negation");
    mkdirSync(folder);
    // A run of 40 digests under an OR with a negated digest item: a unit true on a record where
    // nothing holds (vacuous), which a record with an unknown digest must not settle; and an AND.
    const list = longHashList("mixed", 40).replace(
      "</Indicator>",
      `<IndicatorItem id="neg" condition="isnot"><Context document="FileItem" search="FileItem/Sha256sum" type="mir"/><Content type="sha256">${"e".repeat(64)}</Content></IndicatorItem>` +
        `<Indicator operator="AND" id="and"><IndicatorItem id="size" condition="is"><Context document="FileItem" search="FileItem/SizeInBytes" type="mir"/><Content type="int">7</Content></IndicatorItem>` +
        `<IndicatorItem id="name" condition="is"><Context document="FileItem" search="FileItem/FileName" type="mir"/><Content type="string">a.exe</Content></IndicatorItem></Indicator></Indicator>`,
    );
    writeFileSync(join(folder, "mixed.ioc"), list);
    const dir = join(work, "run-with-negation-cache");
    const parsed = await preparePlan([folder], {});
    await preparePlan([folder], { iocCacheDir: dir });
    const cached = await preparePlan([folder], { iocCacheDir: dir });
    expect(planData(cached.plan)).toBe(planData(parsed.plan));
    const file = (path: string, fields: HostRecord["fields"], unknownFields?: string[]): HostRecord => ({ document: "FileItem", id: path, fields: { FullPath: path, ...fields }, ...(unknownFields ? { unknownFields } : {}) });
    const cases: HostRecord[][] = [
      [file("/x", { FileName: "x" }, ["Sha256sum"])],
      [file("/b", { FileName: "b", Sha256sum: spreadDigest(17) })],
      [file("/a.exe", { FileName: "a.exe", SizeInBytes: 7, Sha256sum: "e".repeat(64) })],
      [file("/x", { FileName: "x" }, ["Sha256sum"]), file("/y", { FileName: "y", Sha256sum: "0".repeat(64) })],
    ];
    const verdicts = cases.map((records) => {
      const of = (plan: EvaluationPlan): string => {
        const evaluation = createEvaluation(plan, { availableDocuments: ["FileItem"] });
        for (const r of records) evaluation.addRecord(r);
        const detections = evaluation.finish();
        return `${evaluation.verdicts()[0]?.verdict} ${detections.flatMap((d) => d.matchedItems).join(",")}`;
      };
      expect(of(cached.plan)).toBe(of(parsed.plan));
      return of(cached.plan);
    });
    expect(verdicts).toEqual(["unknown ", "true id-17,neg", "true size,name", "true neg"]);
  });

  it("a damaged, truncated or foreign entry is a miss, and is written again", async () => {
    const folder = join(work, "damaged");
    cpSync(examples, folder, { recursive: true });
    const dir = join(work, "damaged-cache");
    const expected = await load(folder, await open(dir));
    const names = entries(dir).sort();
    expect(names).toHaveLength(4);
    const [garbage, truncated, foreign, wrongShape] = names.map((name) => join(dir, name)) as [string, string, string, string];
    writeFileSync(garbage, "not an entry at all");
    writeFileSync(truncated, readFileSync(truncated).subarray(0, 200));
    // A whole, well-formed entry, but recorded for another key.
    writeFileSync(foreign, readFileSync(wrongShape));
    // A whole entry for this key, with a good checksum, whose content is not a load.
    const { header, body } = partsOf(readFileSync(wrongShape));
    writeFileSync(wrongShape, entryBytes(JSON.stringify({ ...(JSON.parse(header) as Record<string, unknown>), items: "many" }), body));

    const damaged = await open(dir);
    expect(await load(folder, damaged)).toStrictEqual(expected);
    expect(damaged).toMatchObject({ hits: 0, misses: 4 });
    const repaired = await open(dir);
    expect(await load(folder, repaired)).toStrictEqual(expected);
    expect(repaired).toMatchObject({ hits: 4, misses: 0 });
  });

  it("an entry that is a FIFO is a miss, not a wait, and is replaced by a whole entry", async () => {
    const folder = join(work, "fifo");
    cpSync(join(examples, "eicar-test-file.ioc"), join(folder, "eicar.ioc"), { recursive: true });
    const dir = join(work, "fifo-cache");
    const expected = await load(folder, await open(dir));
    const [name] = entries(dir);
    const entry = join(dir, name as string);
    rmSync(entry);
    expect(spawnSync("mkfifo", [entry]).status).toBe(0);
    const fifo = await open(dir);
    expect(await load(folder, fifo)).toStrictEqual(expected);
    expect(fifo).toMatchObject({ hits: 0, misses: 1 });
    expect(statSync(entry).isFile()).toBe(true);
  });

  it("a file left alone is found by its identity (no read, no hash); a rewrite, even with its old modification time, is read again", async () => {
    const folder = join(work, "identity");
    mkdirSync(folder);
    const file = join(folder, "list.ioc");
    writeFileSync(file, hashListIoc());
    const fresh = join(folder, "fresh.ioc");
    const dir = join(work, "identity-cache");
    // Only a file whose times are 2 s old is remembered: a change after that shows in its times.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    writeFileSync(fresh, readFileSync(join(examples, "eicar-test-file.ioc")));
    const parsed = await load(folder, undefined);
    await load(folder, await open(dir));
    const identity = fileIdentity(file, statSync(file, { bigint: true }));
    expect(readdirSync(dir).filter((name) => name.endsWith(".stat"))).toEqual([identityFileName(identity, contentDigest(readFileSync(file)))]);
    const cache = await open(dir);
    expect(await cache.contentOf(identity)).toBe(contentDigest(readFileSync(file)));
    expect(await load(folder, cache)).toStrictEqual(parsed);
    expect(cache).toMatchObject({ hits: 2, misses: 0 });

    const { atime, mtime } = statSync(file);
    writeFileSync(file, hashListIoc().replace("<short_description>list<", "<short_description>edit<"));
    utimesSync(file, atime, mtime);
    const again = await open(dir);
    const loaded = await load(folder, again);
    expect(again).toMatchObject({ hits: 1, misses: 1 });
    expect(loaded.find((entry) => entry.file === file)?.title).toBe("edit");
    expect(loaded).toStrictEqual(await load(folder, undefined));
  });

  it("a hit brings its entry's last use forward only when it is over an hour old", async () => {
    const folder = join(work, "touch");
    mkdirSync(folder);
    cpSync(join(examples, "eicar-test-file.ioc"), join(folder, "eicar.ioc"));
    const dir = join(work, "touch-cache");
    await load(folder, await open(dir));
    const [name] = entries(dir);
    const entry = join(dir, name as string);
    const minutesAgo = (minutes: number): Date => new Date(Date.now() - minutes * 60_000);
    utimesSync(entry, minutesAgo(30), minutesAgo(30));
    const recent = await open(dir);
    await load(folder, recent);
    expect(recent.hits).toBe(1);
    expect(Math.round((Date.now() - statSync(entry).mtimeMs) / 60_000)).toBe(30);
    utimesSync(entry, minutesAgo(90), minutesAgo(90));
    const old = await open(dir);
    await load(folder, old);
    expect(old.hits).toBe(1);
    expect(Date.now() - statSync(entry).mtimeMs).toBeLessThan(60_000);
  });

  it("a cache folder that cannot be created is told about, and loading goes on without it", async () => {
    const blocker = join(work, "a-file");
    writeFileSync(blocker, "");
    const told: string[] = [];
    const cache = await openIocCache(join(blocker, "ioc-cache"), { onUnavailable: (dir) => told.push(dir) });
    expect(cache).toBeUndefined();
    expect(told).toEqual([join(blocker, "ioc-cache")]);
    const { plan } = await preparePlan([examples], { iocCacheDir: join(blocker, "ioc-cache"), onIocCacheUnavailable: (dir) => told.push(dir) });
    expect(plan.iocs).toHaveLength(4);
    expect(told).toHaveLength(2);
  });

  it("an entry that cannot be written is told about once, and the load is the same", async () => {
    const folder = join(work, "unwritable");
    cpSync(examples, folder, { recursive: true });
    const dir = join(work, "unwritable-cache");
    mkdirSync(dir);
    // A folder where the first entry file would go: its rename fails.
    const first = readdirSync(folder).sort()[0] as string;
    const key = iocCacheKey(readFileSync(join(folder, first)), { maxBytes: 10 << 20, maxDepth: 100, platform: "linux", mapEvents: true, mapNetworkTerms: false, regexJudged: true });
    mkdirSync(join(dir, entryFileName(key)));
    const told: unknown[] = [];
    const cache = await openIocCache(dir, { onUnavailable: (_dir, error) => told.push(error) });
    expect(await load(folder, cache)).toStrictEqual(await load(folder, undefined));
    expect(told).toHaveLength(1);
    expect(statSync(join(dir, entryFileName(key))).isDirectory()).toBe(true);
  });

  it("two loads at once with one cache folder both give the parsed result, and leave whole entries", async () => {
    const folder = iocFolder("concurrent");
    const dir = join(work, "concurrent-cache");
    const expected = await load(folder, undefined);
    const [a, b] = await Promise.all([load(folder, await open(dir)), load(folder, await open(dir))]);
    expect(a).toStrictEqual(expected);
    expect(b).toStrictEqual(expected);
    expect(readdirSync(dir).sort()).toEqual(entries(dir).sort());
    const after = await open(dir);
    expect(await load(folder, after)).toStrictEqual(expected);
    expect(after).toMatchObject({ hits: 13, misses: 0 });
  });

  it("entries are readable by their owner only", async () => {
    const dir = join(work, "modes", "ioc-cache");
    await load(examples, await open(dir));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of entries(dir)) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
  });
});

describe("evictEntries", () => {
  const day = 24 * 60 * 60 * 1000;
  const now = Date.now();

  function entry(dir: string, index: number, size: number, ageDays: number): string {
    const path = join(dir, entryFileName(index.toString(16).padStart(64, "0")));
    writeFileSync(path, Buffer.alloc(size));
    const time = new Date(now - ageDays * day);
    utimesSync(path, time, time);
    return path;
  }

  it("evictEntries removes entries unused for longer than the age bound, then the least recently used over the size bound", async () => {
    const dir = join(work, "evict");
    mkdirSync(dir);
    entry(dir, 1, 100, 0);
    entry(dir, 2, 100, 1);
    entry(dir, 3, 100, 2);
    entry(dir, 4, 100, 40);
    writeFileSync(join(dir, "notes.txt"), "not ours");
    const stale = join(dir, `${entryFileName("a".repeat(64))}.123.abcd.tmp`);
    writeFileSync(stale, "half");
    utimesSync(stale, new Date(now - day), new Date(now - day));
    const fresh = join(dir, `${entryFileName("b".repeat(64))}.124.abcd.tmp`);
    writeFileSync(fresh, "being written");

    await evictEntries(dir, { maxAgeMs: 30 * day, maxBytes: 250 }, now);
    expect(readdirSync(dir).sort()).toEqual([entryFileName("0".repeat(63) + "1"), entryFileName("0".repeat(63) + "2"), fresh.slice(dir.length + 1), "notes.txt"].sort());
  });

  it("a scan that wrote entries keeps the folder within the size bound", async () => {
    const folder = iocFolder("bounded");
    const dir = join(work, "bounded-cache");
    const cache = await openIocCache(dir, { maxBytes: 20_000 });
    await load(folder, cache);
    const sizes = entries(dir).map((name) => statSync(join(dir, name)).size);
    expect(sizes.length).toBeGreaterThan(0);
    expect(sizes.length).toBeLessThan(12);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20_000);
  });
});
