/**
 * Deterministic data of the scale benchmark (issue 3): the host's FileItem records, the 10,000
 * generated IOCs, and the planted records that must be detected (or, near misses, must not).
 *
 * Everything is a pure function of an index and a fixed seed (counter-based hashing, no shared
 * PRNG state), so records can be produced in batches, again for each repetition, in any order,
 * and both scenarios see byte-identical records without holding a million of them in memory.
 */
import type { FieldValue } from "../../src/core/evaluate/index.js";

/** Records per host. */
export const RECORD_COUNT = 1_000_000;
/** Generated IOCs of scenario (b), and MD5 items in each (flat OR). */
export const GENERATED_IOCS = 10_000;
export const MD5_PER_IOC = 100;
/** Share of records that also carry a SHA-256. */
const SHA256_SHARE = 0.1;
/** Every COMMON_NAME_EVERY-th generated IOC names a common file name (with a size no record has). */
const COMMON_NAME_EVERY = 100;
/** Record sizes stay below this; sizes of common-name IOC items are above it, so they never match by chance. */
const MAX_RECORD_SIZE = 2 ** 31;

const SEED = 0x10c5ca11;
const SALT_RECORD = 0x5eed0001;
const SALT_IOC_MD5 = 0x5eed0002;
const SALT_UUID = 0x5eed0003;
const SALT_PLANT = 0x5eed0004;
const SALT_APT1 = 0x5eed0005;
const SALT_IOC = 0x5eed0006;
const SALT_RECORD_MD5 = 0x5eed0007;
const SALT_RECORD_SHA256 = 0x5eed0008;

/** lowbias32 (C. Wellons): a bijective 32-bit integer hash. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A 32-bit value determined by (salt, a, b). */
function hash3(salt: number, a: number, b = 0): number {
  return mix32(mix32(mix32(SEED ^ salt) ^ a) + Math.imul(b, 0x9e3779b9));
}

/** mulberry32, a small seeded PRNG: numbers in [0, 1) and 32-bit words. */
class Prng {
  constructor(private state: number) {}
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  next(): number {
    return this.u32() / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)] as T;
  }
}

const hex8 = (n: number): string => n.toString(16).padStart(8, "0");

function hexWords(words: number, prng: Prng): string {
  let s = "";
  for (let i = 0; i < words; i++) s += hex8(prng.u32());
  return s;
}

const hexBuffer = Buffer.alloc(64);

/**
 * `words` x 32 bits of hex determined by (salt, a, b), each word from its own hash. (Not from one
 * seeded {@link Prng}: its state is 32 bits, so a million record hashes against a million IOC
 * hashes would collide a few hundred times.) Written through a Buffer, so the string is flat,
 * as a digest from `crypto` is.
 */
function hexOf(words: number, salt: number, a: number, b = 0): string {
  for (let w = 0; w < words; w++) hexBuffer.writeUInt32BE(hash3(salt + Math.imul(w + 1, 0x01000193), a, b), w * 4);
  return hexBuffer.toString("hex", 0, words * 4);
}

/**
 * Flattens a string built by concatenation (V8 flattens a cons string when converting it to a
 * number). Collectors hand over flat strings; without this, the first look-up of each field
 * would pay the flattening inside the timed evaluation.
 */
let flatSink = 0;
function flat(text: string): string {
  flatSink ^= Number(text) | 0;
  return text;
}
/** Keeps {@link flat} from being optimised away. */
export const flattened = (): number => flatSink;

function uuid(salt: number, a: number, b: number): string {
  const h = hexOf(4, salt, a, b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// Records

const SYLLABLES = ["ba", "ce", "di", "fo", "gu", "ha", "ke", "li", "mo", "nu", "pa", "re", "si", "to", "vu", "wa", "xe", "zo", "lib", "core", "net", "util", "data", "test", "img"];
const EXTENSIONS = ["so", "py", "pyc", "js", "ts", "h", "c", "txt", "conf", "png", "json", "gz", "md", "html", "css", "go", "rs", "log", "xml", "jar", "", "sh", "exe", "dll"];
/** Names shared by many files on a real host; some generated IOCs name them too. */
export const COMMON_NAMES = ["index.js", "__init__.py", "README.md", "package.json", "LICENSE", "Makefile", "setup.py", "config", "libc.so.6", "svchost.exe", "python3", "bash", "main.go", "Cargo.toml", "style.css", "favicon.ico", "cmd.exe", "rundll32.exe", "explorer.exe", "kernel32.dll"];
const ROOTS = ["/usr/lib", "/usr/share", "/usr/bin", "/opt", "/var/lib", "/srv/www", "/home", "/etc", "/var/lib/docker/overlay2", "/mnt/win/Windows/System32", "/tmp"];

function word(prng: Prng, min: number, spread: number): string {
  let w = "";
  const n = min + prng.int(spread);
  for (let i = 0; i < n; i++) w += prng.pick(SYLLABLES);
  return w;
}

/** 4,096 directories, built once. */
const DIRECTORIES: readonly string[] = (() => {
  const prng = new Prng(hash3(SALT_RECORD, 0xd1d1));
  const dirs: string[] = [];
  for (let i = 0; i < 4096; i++) {
    let dir = prng.pick(ROOTS);
    if (dir === "/home") dir += `/user${prng.int(50)}`;
    if (dir.endsWith("overlay2")) dir += `/${hexWords(8, prng)}/diff/usr/lib`;
    const depth = 1 + prng.int(4);
    for (let d = 0; d < depth; d++) dir += `/${word(prng, 1, 3)}`;
    dirs.push(flat(dir));
  }
  return dirs;
})();

/** A mutable FileItem record, reused across batches. */
export interface ScaleRecord {
  document: "FileItem";
  id: string;
  fields: Record<string, FieldValue>;
}

function fileRecord(directory: string, name: string, size: number, md5: string, sha256: string | undefined): ScaleRecord {
  const dot = name.lastIndexOf(".");
  const fullPath = flat(`${directory}/${name}`);
  const fields: Record<string, FieldValue> = {
    FullPath: fullPath,
    FilePath: directory,
    FileName: flat(name),
    FileExtension: dot > 0 ? flat(name.slice(dot + 1)) : "",
    SizeInBytes: size,
    Md5sum: md5,
  };
  if (sha256 !== undefined) fields["Sha256sum"] = sha256;
  return { document: "FileItem", id: fullPath, fields };
}

/** The ordinary (unplanted) record number `index`. */
function ordinaryRecord(index: number): ScaleRecord {
  const prng = new Prng(hash3(SALT_RECORD, index));
  const directory = prng.pick(DIRECTORIES);
  let name: string;
  if (prng.next() < 0.05) name = prng.pick(COMMON_NAMES);
  else {
    const ext = prng.pick(EXTENSIONS);
    name = word(prng, 1, 4) + (prng.next() < 0.3 ? `-${prng.int(1000)}` : "") + (ext ? `.${ext}` : "");
  }
  // Log-uniform sizes, 0 B .. 2 GiB.
  const size = Math.min(MAX_RECORD_SIZE - 1, Math.floor(Math.exp(prng.next() * Math.log(MAX_RECORD_SIZE))) - 1);
  const md5 = hexOf(4, SALT_RECORD_MD5, index);
  const sha256 = prng.next() < SHA256_SHARE ? hexOf(8, SALT_RECORD_SHA256, index) : undefined;
  return fileRecord(directory, name, size, md5, sha256);
}

// ---------------------------------------------------------------------------------------------
// Generated IOCs (scenario b)

/** MD5 item `item` of generated IOC `ioc`. */
export function generatedMd5(ioc: number, item: number): string {
  return hexOf(4, SALT_IOC_MD5, ioc, item);
}

export function generatedIocId(ioc: number): string {
  return uuid(SALT_IOC, ioc, 0xffff);
}

/** The FileName + SizeInBytes pair of generated IOC `ioc`. */
export function generatedNameSize(ioc: number): { name: string; size: number } {
  const prng = new Prng(hash3(SALT_IOC, ioc));
  if (ioc % COMMON_NAME_EVERY === 0) {
    // A common name: many records carry it, so the IOC's unit is evaluated on each of them.
    return { name: COMMON_NAMES[(ioc / COMMON_NAME_EVERY) % COMMON_NAMES.length] as string, size: MAX_RECORD_SIZE + ioc };
  }
  // No ordinary record name starts with "ioc".
  return { name: `ioc${ioc}_${word(prng, 2, 2)}.exe`, size: 10_000 + prng.int(5_000_000) };
}

function itemXml(id: string, search: string, type: string, value: string | number): string {
  return `            <IndicatorItem id="${id}" condition="is">
                <Context document="FileItem" search="${search}" type="mir"/>
                <Content type="${type}">${value}</Content>
            </IndicatorItem>
`;
}

function iocXml(id: string, rootId: string, title: string, body: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<ioc xmlns="http://schemas.mandiant.com/2010/ioc" id="${id}" last-modified="2026-11-28T00:00:00">
    <short_description>${title}</short_description>
    <description>Generated for the scale benchmark of issue 3</description>
    <authored_by>iocscan bench</authored_by>
    <authored_date>2026-11-28T00:00:00</authored_date>
    <links/>
    <definition>
        <Indicator operator="OR" id="${rootId}">
${body}        </Indicator>
    </definition>
</ioc>
`;
}

/**
 * Generated IOC `ioc` as OpenIOC 1.0 XML: a flat OR of {@link MD5_PER_IOC} MD5 items plus one
 * AND of FileName is X and SizeInBytes is N (the GDOCUPLOAD shape).
 */
export function generatedIocXml(ioc: number): string {
  let body = "";
  for (let j = 0; j < MD5_PER_IOC; j++) body += itemXml(uuid(SALT_UUID, ioc, j), "FileItem/Md5sum", "md5", generatedMd5(ioc, j));
  const { name, size } = generatedNameSize(ioc);
  body += `            <Indicator operator="AND" id="${uuid(SALT_UUID, ioc, 1000)}">
${itemXml(uuid(SALT_UUID, ioc, 1001), "FileItem/FileName", "string", name)}${itemXml(uuid(SALT_UUID, ioc, 1002), "FileItem/SizeInBytes", "int", size)}            </Indicator>
`;
  return iocXml(generatedIocId(ioc), uuid(SALT_UUID, ioc, 999), `Generated IOC ${ioc}`, body);
}

/** Stand-in for APT1 Appendix E when ../shared is absent: 1,020 MD5 items in one flat OR. */
export const APT1_ID = "8dd23e0a-a659-45b4-a168-67e4b00944fb";
export function apt1LikeXml(): string {
  let body = "";
  for (let j = 0; j < 1020; j++) {
    body += itemXml(uuid(SALT_APT1, 1, j), "FileItem/Md5sum", "md5", hexOf(4, SALT_APT1, 2, j));
  }
  return iocXml(APT1_ID, uuid(SALT_APT1, 3, 0), "Appendix E - APT1 File Hashes (generated stand-in)", body);
}

/** The MD5 values of an IOC's text, in document order. */
export function md5sOf(xml: string): string[] {
  return [...xml.matchAll(/<Content type="md5">\s*([0-9a-fA-F]{32})\s*</g)].map((m) => (m[1] as string).toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// Planted records

/** The plans a planted record is checked against: (a), (b), and (b) without its name + size ANDs. */
export type PlanName = "a" | "b" | "b-md5";

/** What a planted record carries, and which IOC must detect it under each plan. */
export interface Plant {
  readonly index: number;
  /** Record of the host at {@link index}. */
  readonly record: ScaleRecord;
  /** The IOC id that must detect the record, per plan; none for a near miss. */
  readonly expect: Readonly<Partial<Record<PlanName, string>>>;
}

/**
 * The planted records, identical in both scenarios: APT1 hashes (some upper case, one padded
 * with spaces: hashes compare case-insensitive and trimmed), generated-IOC hashes, generated
 * name + size pairs, and near misses (right name wrong size, one hex digit off) that must not match.
 */
export function plants(apt1Md5s: readonly string[]): Map<number, Plant> {
  const prng = new Prng(hash3(SALT_PLANT, 1));
  const result = new Map<number, Plant>();
  const slot = (): number => {
    for (;;) {
      const i = prng.int(RECORD_COUNT);
      if (!result.has(i)) return i;
    }
  };
  const base = (index: number) => ordinaryRecord(index);
  const add = (index: number, record: ScaleRecord, expect: Plant["expect"]) => result.set(index, { index, record, expect });
  const withFields = (index: number, fields: Record<string, FieldValue>): ScaleRecord => {
    const r = base(index);
    const name = typeof fields["FileName"] === "string" ? fields["FileName"] : (r.fields["FileName"] as string);
    const dir = r.fields["FilePath"] as string;
    return fileRecord(dir, name, (fields["SizeInBytes"] as number | undefined) ?? (r.fields["SizeInBytes"] as number), (fields["Md5sum"] as string | undefined) ?? (r.fields["Md5sum"] as string), r.fields["Sha256sum"] as string | undefined);
  };
  const flip = (md5: string) => md5.slice(0, 31) + (md5[31] === "0" ? "1" : "0");

  // 12 APT1 hashes: 3 upper case, 1 padded.
  for (let k = 0; k < 12; k++) {
    const i = slot();
    let md5 = apt1Md5s[prng.int(apt1Md5s.length)] as string;
    if (k % 4 === 1) md5 = md5.toUpperCase();
    if (k === 6) md5 = ` ${md5} `;
    add(i, withFields(i, { Md5sum: md5 }), { a: APT1_ID });
  }
  // 3 APT1 near misses.
  for (let k = 0; k < 3; k++) {
    const i = slot();
    add(i, withFields(i, { Md5sum: flip(apt1Md5s[prng.int(apt1Md5s.length)] as string) }), {});
  }
  // 40 generated-IOC hashes (a few IOCs may be hit twice), 5 upper case.
  for (let k = 0; k < 40; k++) {
    const i = slot();
    const ioc = prng.int(GENERATED_IOCS);
    let md5 = generatedMd5(ioc, prng.int(MD5_PER_IOC));
    if (k % 8 === 3) md5 = md5.toUpperCase();
    add(i, withFields(i, { Md5sum: md5 }), { b: generatedIocId(ioc), "b-md5": generatedIocId(ioc) });
  }
  // 5 generated-IOC hash near misses.
  for (let k = 0; k < 5; k++) {
    const i = slot();
    add(i, withFields(i, { Md5sum: flip(generatedMd5(prng.int(GENERATED_IOCS), prng.int(MD5_PER_IOC))) }), {});
  }
  // 10 name + size matches, 10 right-name-wrong-size near misses (one on a common name).
  for (let k = 0; k < 20; k++) {
    const i = slot();
    const ioc = k === 19 ? 0 : prng.int(GENERATED_IOCS);
    const { name, size } = generatedNameSize(ioc);
    const hit = k < 10;
    add(i, withFields(i, { FileName: name, SizeInBytes: hit ? size : size + 1 }), hit ? { b: generatedIocId(ioc) } : {});
  }
  return result;
}

/** Record number `index` of the host. */
export function recordAt(index: number, planted: ReadonlyMap<number, Plant>): ScaleRecord {
  return planted.get(index)?.record ?? ordinaryRecord(index);
}
