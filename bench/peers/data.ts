/**
 * Test data of `npm run bench:peers` (../shared/docs/benchmark-peers.md section 2): the trees come
 * from the file-scan benchmark's deterministic generator (tree A: 2,000 mixed files + 10 planted,
 * tree B: 20,000 small files + 10 planted), and this module adds the IOC master list of the spec,
 * one row per entry: sha256, md5, sha1, size, name and, for planted entries, the planted path.
 *
 * Lists: 1,010 entries (the 10 planted files + 1,000 random digests with sizes from the "mixed"
 * distribution), and longer or shorter ones (100,000, 1,000,000, 1) for the scaling runs; every
 * list of n entries holds min(n, 10) planted files, so a run must find exactly those.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { drawSize, generateTree, Prng, type GeneratedTree, type TreeSpec } from "../suites/file-scan-data.js";

/** One hash IOC entry of a master list. */
export interface IocEntry {
  readonly sha256: string;
  readonly md5: string;
  readonly sha1: string;
  readonly size: number;
  /** A name usable as a rule or signature name: letters, digits and `_` only. */
  readonly name: string;
  /** The planted file this entry describes; undefined for the random entries. */
  readonly planted: string | undefined;
}

/** A generated tree and its planted files' IOC entries. */
export interface BenchTree extends GeneratedTree {
  readonly label: string;
  readonly plantedEntries: readonly IocEntry[];
}

/** Writes tree `spec` under `root`; the file-scan generator's own IOC folders go to `scratch`. */
export function makeTree(spec: TreeSpec, root: string, scratch: string): BenchTree {
  const tree = generateTree(spec, root, scratch);
  const plantedEntries = tree.planted.map((path, i): IocEntry => {
    const content = readFileSync(path);
    const digest = (algorithm: string): string => createHash(algorithm).update(content).digest("hex");
    const name = `planted_${String(i).padStart(3, "0")}_${basename(path).replace(/^planted_\d+_/, "").replace(/[^A-Za-z0-9_]/g, "_")}`;
    return { sha256: digest("sha256"), md5: digest("md5"), sha1: digest("sha1"), size: content.length, name, planted: path };
  });
  return { ...tree, label: spec.label, plantedEntries };
}

/**
 * A master list of `count` entries: min(count, 10) planted ones and random ones (seeded by
 * `seed`), shuffled so the planted entries are spread over the list.
 */
export function makeIocList(tree: BenchTree, count: number, seed: number): IocEntry[] {
  const rng = new Prng(seed);
  const entries: IocEntry[] = tree.plantedEntries.slice(0, Math.min(count, tree.plantedEntries.length));
  for (let i = entries.length; i < count; i++) {
    entries.push({ sha256: rng.hex(32), md5: rng.hex(16), sha1: rng.hex(20), size: drawSize(rng, "mixed"), name: `random_${String(i).padStart(7, "0")}`, planted: undefined });
  }
  for (let i = entries.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [entries[i], entries[j]] = [entries[j] as IocEntry, entries[i] as IocEntry];
  }
  return entries;
}

/** The planted paths a run over `entries` must report. */
export function expectedHits(entries: readonly IocEntry[]): string[] {
  return entries.flatMap((e) => (e.planted === undefined ? [] : [e.planted])).sort();
}

/** The spec's TSV: `sha256 TAB md5 TAB sha1 TAB size TAB name TAB planted_path`. */
export function writeTsv(path: string, entries: readonly IocEntry[]): void {
  const lines = entries.map((e) => `${e.sha256}\t${e.md5}\t${e.sha1}\t${e.size}\t${e.name}\t${e.planted ?? ""}\n`);
  writeFileSync(path, `# sha256\tmd5\tsha1\tsize\tname\tplanted_path\n${lines.join("")}`);
}
