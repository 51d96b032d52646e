/**
 * An interrupted file collection resumes where it stopped: stopped after any record, and resumed
 * from the position it exposed then, every file is collected exactly once over both runs, even
 * though files finish out of walk order (big files hash while small ones pass them).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTestContext } from "../test-context.js";
import { createHostView } from "../host-view.js";
import type { HostRecord } from "../types.js";
import { fileCollector, type FileCollectorOptions, type WalkPosition } from "./index.js";
import { createPseudoCheck } from "./mounts.js";
import { walkFiles, type WalkSettings } from "./walk.js";

/** A walk of `scopes` on this machine with nothing excluded and every report dropped. */
async function plainWalk(scopes: readonly string[]): Promise<WalkSettings> {
  const host = createHostView();
  return { host, scopes, crossMounts: false, excluded: () => false, hint: undefined, pseudo: await createPseudoCheck(host), signal: undefined, warn: () => undefined, count: () => undefined };
}

const root = mkdtempSync(join(tmpdir(), "iocscan-resume-"));
const single = mkdtempSync(join(tmpdir(), "iocscan-resume-single-"));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(single, { recursive: true, force: true });
});
// Names chosen so that listing order, creation order and sorted order differ; sizes so that some
// files take far longer to hash than their neighbours.
const names = ["m", "a", "z", "B", "é", "a b", "10", "9"];
let made = 0;
for (const top of ["t2", "t1", "t10"]) {
  for (const sub of ["", "/s2", "/s1", "/s1/deep"]) {
    mkdirSync(join(root, top + sub), { recursive: true });
    for (const name of names) {
      const size = made % 7 === 0 ? 2_000_000 : 10 + made;
      writeFileSync(join(root, top + sub, `${name}.bin`), Buffer.alloc(size, made % 251));
      made++;
    }
  }
}
writeFileSync(join(single, "lone.txt"), "x");
const scopes = [join(root, "t2"), join(single, "lone.txt"), root];

async function collect(options: Partial<FileCollectorOptions>, stopAfter = Infinity): Promise<{ ids: string[]; position: WalkPosition | undefined }> {
  let probe: (() => WalkPosition) | undefined;
  const context = createTestContext(createHostView(), ["Md5sum"]);
  const ids: string[] = [];
  const records: AsyncIterable<HostRecord> = fileCollector.collect(context, { scopes, concurrency: 3, exposePosition: (p) => (probe = p), ...options });
  for await (const record of records) {
    ids.push(record.id);
    if (ids.length >= stopAfter) break;
  }
  return { ids, position: probe?.() };
}

describe("resumable file collection", () => {
  it("walks in a fixed order: files of a folder by name, then its subfolders by name", async () => {
    // The walk itself, not the collector: records finish out of walk order (see the next test).
    const settings = await plainWalk([join(root, "t1")]);
    const relative: string[] = [];
    for await (const entry of walkFiles(settings)) relative.push(entry.host.slice(join(root, "t1").length + 1));
    expect(relative.slice(0, names.length)).toEqual(names.map((n) => `${n}.bin`).sort());
    expect(relative[names.length]).toBe("s1/10.bin");
    expect(relative.indexOf("s1/deep/10.bin")).toBeLessThan(relative.indexOf("s2/10.bin"));
    expect(relative).toHaveLength(names.length * 4);
  });

  it("walks the same files in the same order when folders are listed ahead, also when resumed", async () => {
    const settings = await plainWalk(scopes);
    const walked = async (more: Partial<WalkSettings>): Promise<string[]> => {
      const hosts: string[] = [];
      for await (const entry of walkFiles({ ...settings, ...more })) hosts.push(entry.host);
      return hosts;
    };
    const plain = await walked({});
    expect(plain).toHaveLength(made + 1);
    expect(await walked({ listAhead: true })).toEqual(plain);
    const position: WalkPosition = { scope: 2, after: plain[40] as string, done: [] };
    const rest = await walked({ resume: position });
    expect(rest.length).toBeGreaterThan(0);
    expect(await walked({ listAhead: true, resume: position })).toEqual(rest);
  });

  it("collects every file exactly once over a run stopped anywhere and its resumption", async () => {
    const { ids: all } = await collect({});
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(made + 1); // t2 walked once although it is inside root too
    for (const stop of [1, 2, 7, 33, 50, 95, all.length - 1]) {
      const first = await collect({}, stop);
      expect(first.position).toBeDefined();
      const rest = await collect({ resumeFrom: JSON.parse(JSON.stringify(first.position)) as WalkPosition });
      const both = [...first.ids, ...rest.ids];
      expect(both.length, `stopped after ${stop}`).toBe(all.length);
      expect(new Set(both)).toEqual(new Set(all));
    }
  });

  it("resumes a resumed run again (positions carry files finished out of order)", async () => {
    const seen: string[] = [];
    let position: WalkPosition | undefined;
    for (let round = 0; round < 20; round++) {
      const part = await collect(position ? { resumeFrom: position } : {}, 11);
      seen.push(...part.ids);
      position = part.position;
      if (part.ids.length < 11) break;
    }
    expect(seen.length).toBe(made + 1);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("collects every file the size gate lets through exactly once over a run stopped anywhere and its resumption", async () => {
    // Every third size; decide agrees with the gate, as the scan's prefilter does.
    const sizes = [...new Set(Array.from({ length: made }, (_, i) => (i % 7 === 0 ? 2_000_000 : 10 + i)))].filter((_, i) => i % 3 === 0);
    const decide = (cheap: Readonly<Record<string, unknown>>) => ({ mayMatch: sizes.includes(cheap["SizeInBytes"] as number), fields: new Set(["Md5sum"]) });
    const gated = { decide, sizeGate: sizes };
    const { ids: all } = await collect(gated);
    expect(all.length).toBeGreaterThan(5);
    expect(new Set(all).size).toBe(all.length);
    for (const stop of [1, 3, all.length - 1]) {
      const first = await collect(gated, stop);
      const rest = await collect({ ...gated, resumeFrom: JSON.parse(JSON.stringify(first.position)) as WalkPosition });
      const both = [...first.ids, ...rest.ids];
      expect(both.length, `stopped after ${stop}`).toBe(all.length);
      expect(new Set(both)).toEqual(new Set(all));
    }
  });

  it("a position at the end of the walk leaves nothing to do", async () => {
    const { position } = await collect({});
    expect((await collect({ resumeFrom: position as WalkPosition })).ids).toEqual([]);
  });
});
