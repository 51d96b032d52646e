/**
 * Test data of the file-scan benchmark (issue 4, BENCHMARKS.md "Scanning files"), generated from
 * fixed seeds by our own PRNG, so every run on every machine scans byte-identical trees:
 *
 * - tree A: 2,000 "mixed" files (70 % 0-16 KiB, 25 % 16-512 KiB, 4.5 % 0.5-4 MiB, 0.5 % 8-24 MiB)
 *   plus 10 planted, about 558 MB, in ~N/40 nested folders, mixed extensions;
 * - tree B: 20,000 "small" files (0-32 KiB) plus 10 planted;
 * - per tree, 1,010 SHA-256 IOC entries (the 10 planted files + 1,000 random digests with random
 *   sizes from the mixed distribution), written as OpenIOC in two variants: digests only, and each
 *   digest AND its file size ("IOC sizes known").
 *
 * The shape follows ../shared/docs/benchmark-peers.md section 2 (its Python generator is not in
 * the repository; this one draws the same distributions).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded through splitmix32. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [low, high] (inclusive; spans up to 2^32). */
  int(low: number, high: number): number {
    return low + Math.floor(this.float() * (high - low + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** Fills `words` with random 32-bit words (the generator inlined: 0.5 GB of content). */
  fill(words: Uint32Array, count: number): void {
    let { a, b, c, d } = this;
    for (let i = 0; i < count; i++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      words[i] = t;
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  hex(bytes: number): string {
    let out = "";
    for (let i = 0; i < bytes; i += 4) out += this.u32().toString(16).padStart(8, "0");
    return out.slice(0, bytes * 2);
  }
}

const KIB = 1024;
const MIB = 1024 * 1024;
const EXTENSIONS = [".txt", ".log", ".jsp", ".php", ".exe", ".dll", ".dat", ".bin", ".jpg", ".conf", ".sh", ".js", ".pdf", ""];
const EVIL_NAMES = ["mimikatz.exe", "beacon.dll", "cmd.jsp", "shell.php", "xmrig", "lsass.dmp", "update.sh", "loader.js", "svchost.exe", "invoice.pdf"];
/** Planted files: content starts with "MZ", 1-300 KiB (as the peers' plant.py). */
const PLANTED = 10;
const RANDOM_IOCS = 1000;
/** The IOC entries are split over this many OpenIOC files (one IOC each, an OR of its entries). */
const IOC_FILES = 10;

export type SizeProfile = "mixed" | "small";

/** One tree of the benchmark. */
export interface TreeSpec {
  readonly label: string;
  /** Files besides the planted ones. */
  readonly files: number;
  readonly profile: SizeProfile;
  /** Seed of the tree; the planted files and IOC digests use seed + 1, the IOC ids seed + 2. */
  readonly seed: number;
}

/**
 * Tree A's seed was chosen (by drawing the sizes only) so that the tree comes to about 558 MB
 * like the peers' tree A; the draws themselves are unbiased.
 */
export const TREE_A: TreeSpec = { label: "A", files: 2000, profile: "mixed", seed: 170 };
export const TREE_B: TreeSpec = { label: "B", files: 20_000, profile: "small", seed: 3 };

export function drawSize(rng: Prng, profile: SizeProfile): number {
  if (profile === "small") return rng.int(0, 32 * KIB);
  const p = rng.float();
  if (p < 0.7) return rng.int(0, 16 * KIB);
  if (p < 0.95) return rng.int(16 * KIB, 512 * KIB);
  if (p < 0.995) return rng.int(512 * KIB, 4 * MIB);
  return rng.int(8 * MIB, 24 * MIB);
}

interface PlannedFile {
  readonly path: string;
  readonly size: number;
}

interface TreePlan {
  readonly folders: string[];
  readonly files: PlannedFile[];
}

/** Folders (a random tree of ~N/40 nested folders) and the files with their sizes. */
function planTree(spec: TreeSpec, rng: Prng): TreePlan {
  const folders = [""];
  const folderCount = Math.max(1, Math.round(spec.files / 40));
  for (let i = 1; i < folderCount; i++) folders.push(join(rng.pick(folders), `d${String(i).padStart(4, "0")}`));
  const files: PlannedFile[] = [];
  for (let i = 0; i < spec.files; i++) {
    files.push({ path: join(rng.pick(folders), `f${String(i).padStart(5, "0")}${rng.pick(EXTENSIONS)}`), size: drawSize(rng, spec.profile) });
  }
  return { folders, files };
}

/** Total bytes of a tree's ordinary files (to choose seeds without writing anything). */
export function plannedBytes(spec: TreeSpec): number {
  return planTree(spec, new Prng(spec.seed)).files.reduce((n, f) => n + f.size, 0);
}

/** What a generated tree holds. */
export interface GeneratedTree {
  readonly root: string;
  readonly files: number;
  readonly folders: number;
  readonly bytes: number;
  /** Absolute paths of the planted files. */
  readonly planted: readonly string[];
  /** Folder holding the hash-only IOC files. */
  readonly iocsHashOnly: string;
  /** Folder holding the IOC files with sizes (SizeInBytes AND Sha256sum). */
  readonly iocsSized: string;
  readonly iocEntries: number;
}

/** The largest file: one buffer is filled and written per file. */
const MAX_FILE = 24 * MIB;
const MAX_PLANTED = 300 * KIB;

/** Writes tree `spec` under `root` (created) and its IOC files under `iocRoot`. */
export function generateTree(spec: TreeSpec, root: string, iocRoot: string): GeneratedTree {
  const rng = new Prng(spec.seed);
  const plan = planTree(spec, rng);
  for (const folder of plan.folders) mkdirSync(join(root, folder), { recursive: true });
  const buffer = Buffer.allocUnsafeSlow(MAX_FILE);
  const words = new Uint32Array(buffer.buffer, buffer.byteOffset, MAX_FILE / 4);
  let bytes = 0;
  for (const file of plan.files) {
    rng.fill(words, Math.ceil(file.size / 4));
    writeWhole(join(root, file.path), buffer.subarray(0, file.size));
    bytes += file.size;
  }

  // Planted files and IOC entries from their own stream: the tree above does not shift them.
  const { planted, iocs, entries } = plantWithIocs(spec.label, root, plan.folders, spec.seed + 1, iocRoot, buffer);
  bytes += planted.reduce((n, p) => n + p.size, 0);
  return { root, files: plan.files.length + planted.length, folders: plan.folders.length, bytes, planted: planted.map((p) => p.path), ...iocs, iocEntries: entries };
}

/** Where {@link plantWithIocs} put things. */
export interface Planted {
  readonly planted: readonly { path: string; size: number }[];
  readonly iocs: { readonly iocsHashOnly: string; readonly iocsSized: string };
  readonly entries: number;
}

/**
 * Plants 10 files (`planted_NNN_<name>`, "MZ" + random bytes, 1-300 KiB) in random folders of
 * `folders` (relative to `root`) and writes both IOC variants for them plus 1,000 random digests.
 */
export function plantWithIocs(label: string, root: string, folders: readonly string[], seed: number, iocRoot: string, scratch?: Buffer): Planted {
  const plant = new Prng(seed);
  const buffer = scratch ?? Buffer.allocUnsafeSlow(MAX_PLANTED);
  const words = new Uint32Array(buffer.buffer, buffer.byteOffset, Math.floor(buffer.length / 4));
  const entries: { sha256: string; size: number }[] = [];
  const planted: { path: string; size: number }[] = [];
  for (let i = 0; i < PLANTED; i++) {
    const size = plant.int(1 * KIB, MAX_PLANTED);
    plant.fill(words, Math.ceil(size / 4));
    buffer.write("MZ", 0, "latin1");
    const content = buffer.subarray(0, size);
    const path = join(root, plant.pick(folders), `planted_${String(i).padStart(3, "0")}_${EVIL_NAMES[i % EVIL_NAMES.length] ?? "x"}`);
    writeWhole(path, content);
    planted.push({ path, size });
    entries.push({ sha256: createHash("sha256").update(content).digest("hex"), size });
  }
  for (let i = 0; i < RANDOM_IOCS; i++) entries.push({ sha256: plant.hex(32), size: drawSize(plant, "mixed") });
  // Planted entries spread over the IOC files, not all in the first one.
  for (let i = entries.length - 1; i > 0; i--) {
    const j = plant.int(0, i);
    [entries[i], entries[j]] = [entries[j] as (typeof entries)[number], entries[i] as (typeof entries)[number]];
  }
  const iocsHashOnly = join(iocRoot, `tree-${label}-hash-only`);
  const iocsSized = join(iocRoot, `tree-${label}-sized`);
  writeIocs(iocsHashOnly, label, entries, false, new Prng(seed + 1));
  writeIocs(iocsSized, label, entries, true, new Prng(seed + 1));
  return { planted, iocs: { iocsHashOnly, iocsSized }, entries: entries.length };
}

export function writeWhole(path: string, content: Buffer): void {
  const fd = openSync(path, "w");
  try {
    for (let at = 0; at < content.length; ) at += writeSync(fd, content, at, content.length - at);
  } finally {
    closeSync(fd);
  }
}

function uuid(rng: Prng): string {
  const h = rng.hex(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function item(rng: Prng, search: string, type: string, value: string | number, indent: string): string {
  return (
    `${indent}<IndicatorItem id="${uuid(rng)}" condition="is">\n` +
    `${indent}  <Context document="FileItem" search="${search}" type="mir"/>\n` +
    `${indent}  <Content type="${type}">${value}</Content>\n` +
    `${indent}</IndicatorItem>\n`
  );
}

/** IOC_FILES OpenIOC 1.0 files, each one IOC: an OR of digests (or of digest-AND-size pairs). */
function writeIocs(folder: string, label: string, entries: readonly { sha256: string; size: number }[], sized: boolean, rng: Prng): void {
  mkdirSync(folder, { recursive: true });
  const perFile = Math.ceil(entries.length / IOC_FILES);
  for (let f = 0; f < IOC_FILES; f++) {
    const id = uuid(rng);
    let body = "";
    for (const entry of entries.slice(f * perFile, (f + 1) * perFile)) {
      if (!sized) {
        body += item(rng, "FileItem/Sha256sum", "sha256", entry.sha256, "      ");
        continue;
      }
      body +=
        `      <Indicator operator="AND" id="${uuid(rng)}">\n` +
        item(rng, "FileItem/SizeInBytes", "int", entry.size, "        ") +
        item(rng, "FileItem/Sha256sum", "sha256", entry.sha256, "        ") +
        `      </Indicator>\n`;
    }
    const xml =
      `<?xml version="1.0" encoding="utf-8"?>\n` +
      `<ioc xmlns="http://schemas.mandiant.com/2010/ioc" id="${id}" last-modified="2026-11-28T00:00:00">\n` +
      `  <short_description>Bench tree ${label} hashes ${f + 1}/${IOC_FILES}${sized ? " with sizes" : ""}</short_description>\n` +
      `  <authored_by>iocscan bench</authored_by>\n` +
      `  <authored_date>2026-11-28T00:00:00</authored_date>\n` +
      `  <definition>\n` +
      `    <Indicator operator="OR" id="${uuid(rng)}">\n` +
      body +
      `    </Indicator>\n` +
      `  </definition>\n` +
      `</ioc>\n`;
    writeFileSync(join(folder, `bench-${label}-${String(f).padStart(2, "0")}.ioc`), xml);
  }
}
