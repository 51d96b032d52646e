/**
 * A batch of listed files → their FileItem records: the lstats taken when the folder was listed
 * (or one lstat batch on a worker), the cheap fields and the prefilter's verdict here, then only
 * the expensive fields it asks for: digests from the hash cache when a file is unchanged, else
 * one hash batch per few MiB on the workers; PE headers and strings from a read on this thread.
 * Each file's record is handed on as soon as it is known, so files that need no content never
 * wait for the batch's hashing.
 *
 * @module
 */
import { DIGEST_FIELD, digestGateRulesOut, digestsFor } from "../../core/compile/index.js";
import { pathText } from "../../shared/path-text.js";
import type { HostRecord } from "../types.js";
import { readContent, type ContentNeeds, type ContentResult } from "./content.js";
import { pathFields, statFields, type FieldMap, type OwnerNames } from "./fields.js";
import type { FileStat, FileWorkers, HashJob, StatResult } from "./file-workers.js";
import type { DigestAlgorithm, Digests, HashCacheKey, ResolvedFileOptions } from "./options.js";
import { warnError, type Warn } from "./problems.js";
import type { WalkEntry } from "./walk.js";

/** Fields that cost reading the file: computed only when asked for. */
export const CONTENT_FIELDS: ReadonlySet<string> = new Set([
  "Md5sum",
  "Sha1sum",
  "Sha256sum",
  "PEInfo/PETimeStamp",
  "PEInfo/Type",
  "PEInfo/Sections/Section/Name",
  "StringList/string",
]);

/** A hash batch ends at this many bytes or {@link HASH_BATCH_FILES} files: big files spread over the workers. */
const HASH_BATCH_BYTES = 4 * 1024 * 1024;
const HASH_BATCH_FILES = 64;

/** What every file of one run shares. */
export interface FileRun {
  /** The fields the IOCs need (CollectorContext.fields). */
  readonly wanted: ReadonlySet<string>;
  readonly owners: OwnerNames | undefined;
  readonly options: ResolvedFileOptions;
  readonly warn: Warn;
  readonly count: (stat: string, by?: number) => void;
  /** Where lstats and digest-only reads go. */
  readonly workers: FileWorkers;
  /** Chunk buffers for reads on this thread. */
  readonly buffers: { take(): Buffer; give(buffer: Buffer): void };
}

export function cacheKey(stat: Pick<FileStat, "dev" | "ino" | "size" | "mtimeNs" | "ctimeNs">): HashCacheKey {
  return { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs };
}

/** One regular file of a batch on its way to a record. */
interface Building {
  readonly entry: WalkEntry;
  readonly stat: FileStat;
  readonly fields: FieldMap;
  /** The content fields the IOCs need of it. */
  readonly needed: readonly string[];
  /** The digests the record gets, by algorithm: cached or computed. */
  readonly algorithms: readonly DigestAlgorithm[];
  readonly found: Digests;
  /** Fields asked for but not computed (too large, unreadable, gone): UNKNOWN, never "absent". */
  readonly unknown: string[];
}

/**
 * A batch's counters of what is known without content, added to the run's stats once per batch
 * (filesHashed and bytesHashed are counted per hash batch or read, as those finish).
 */
type Tally = Record<"filesSeen" | "hashCacheHits" | "filesSkippedByPrefilter" | "filesTooLarge" | "symlinksSkipped" | "filesNotRegular", number>;

const newTally = (): Tally => ({ filesSeen: 0, hashCacheHits: 0, filesSkippedByPrefilter: 0, filesTooLarge: 0, symlinksSkipped: 0, filesNotRegular: 0 });

function addTally(tally: Tally, run: FileRun): void {
  for (const key in tally) {
    const value = tally[key as keyof Tally];
    if (value > 0) run.count(key, value);
  }
}

/**
 * Where a batch's results go, by index in the batch: the record, or undefined when the file is
 * gone, not regular, or ruled out by the prefilter. Called once per entry, in no fixed order.
 */
export type Deliver = (index: number, record: HostRecord | undefined) => void;

/**
 * Collects listed files. A file that needs no content (no content field asked for, ruled out by
 * the prefilter, digests from the hash cache) is delivered during the call when every entry
 * carries its listing's lstat; the others as their content is read. fs problems become warnings;
 * the promise settles when every entry is delivered.
 */
export async function collectBatch(entries: readonly WalkEntry[], run: FileRun, deliver: Deliver): Promise<void> {
  const tally = newTally();
  const stats = listedStats(entries) ?? (await statUnlisted(entries, run.workers));
  const building: Building[] = [];
  const at: number[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as WalkEntry;
    const result = stats[i];
    let file: Building | undefined;
    if (result === undefined || "error" in result) {
      if (result !== undefined) warnError(run.warn, result.error, "cannot stat file", entry.host);
    } else if (result.kind !== "file") {
      // Replaced since the listing, or named as a scope and a link (links are never followed).
      tally[result.kind === "symlink" ? "symlinksSkipped" : "filesNotRegular"]++;
    } else {
      file = startRecord(entry, result.stat, run, tally);
    }
    if (file === undefined || file.needed.length === 0) deliver(i, file === undefined ? undefined : finish(file));
    else {
      building.push(file);
      at.push(i);
    }
  }
  addKnownDigests(building, run);
  const toHash: { file: Building; index: number; missing: readonly DigestAlgorithm[] }[] = [];
  const readsHere: Promise<void>[] = [];
  for (const [j, file] of building.entries()) {
    const index = at[j] as number;
    const plan = planReads(file, run, tally);
    if (plan.readHere !== undefined) readsHere.push(readContentHere(file, plan.readHere, run).then(() => deliver(index, finishUnlessGated(file, run))));
    else if (plan.missing.length > 0) toHash.push({ file, index, missing: plan.missing });
    else deliver(index, finishUnlessGated(file, run));
  }
  addTally(tally, run);
  if (toHash.length === 0 && readsHere.length === 0) return;
  await Promise.all([...hashBatches(toHash).map((batch) => hashOnWorkers(batch, run, deliver)), ...readsHere]);
}

/** Every entry's lstat taken when its folder was listed, or undefined when some entry has none. */
function listedStats(entries: readonly WalkEntry[]): readonly (StatResult | undefined)[] | undefined {
  const stats: StatResult[] = [];
  for (const entry of entries) {
    if (entry.listed === undefined) return undefined;
    stats.push(entry.listed);
  }
  return stats;
}

/** Each entry's lstat: the one taken when its folder was listed, else one taken now. */
async function statUnlisted(entries: readonly WalkEntry[], workers: FileWorkers): Promise<readonly (StatResult | undefined)[]> {
  const unlisted = entries.filter((entry) => entry.listed === undefined);
  const taken = await workers.stat(unlisted.map((entry) => entry.disk));
  let next = 0;
  return entries.map((entry) => entry.listed ?? taken[next++]);
}

/** The cheap fields and the prefilter's verdict for one regular file; undefined: ruled out. */
function startRecord(entry: WalkEntry, stat: FileStat, run: FileRun, tally: Tally): Building | undefined {
  tally.filesSeen++;
  const fields = pathFields(entry.host);
  fields["SizeInBytes"] = Number(stat.size);
  statFields(stat, run.wanted, run.owners, fields);
  let expensive: Iterable<string> = run.wanted;
  const { options } = run;
  if (options.decide !== undefined) {
    const decision = options.decide(fields);
    if (!decision.mayMatch) {
      tally.filesSkippedByPrefilter++;
      return undefined;
    }
    expensive = decision.fields;
    // Normally a subset of `wanted`; a runner whose cheap set differs may ask for a stat field.
    statFields(stat, decision.fields, run.owners, fields);
  }
  const needed: string[] = [];
  for (const field of expensive) if (CONTENT_FIELDS.has(field)) needed.push(field);
  return { entry, stat, fields, needed, algorithms: needed.length > 0 ? digestsFor(needed) : [], found: {}, unknown: [] };
}

/**
 * Digests known already for the batch's files that need some: computed by the worker that listed
 * the file (FileWorkers.hashWhileListing; counted as hashed here, put in the hash cache by the
 * collector), else from the hash cache.
 */
function addKnownDigests(building: readonly Building[], run: FileRun): void {
  const cache = run.options.hashCache;
  let files = 0;
  let bytes = 0;
  for (const file of building) {
    if (file.algorithms.length === 0) continue;
    const listed = file.entry.digests;
    if (listed !== undefined) {
      Object.assign(file.found, listed);
      files++;
      bytes += Number(file.stat.size);
    } else if (cache !== undefined) Object.assign(file.found, cache.get(cacheKey(file.stat)));
  }
  countHashed(files, bytes, run);
}

/**
 * What is left to read of a file after the hash cache, within the size limit: digests alone
 * (`missing`, for the workers) or a read here for PE headers or strings.
 */
function planReads(file: Building, run: FileRun, tally: Tally): { missing: readonly DigestAlgorithm[]; readHere?: ReadHere } {
  const { options } = run;
  const { algorithms, needed, stat } = file;
  let missing = algorithms.filter((algorithm) => file.found[algorithm] === undefined);
  if (algorithms.length > 0 && missing.length === 0 && file.entry.digests === undefined) tally.hashCacheHits++;
  if (missing.length > 0 && Number(stat.size) > options.maxHashBytes) {
    tally.filesTooLarge++;
    run.warn({ code: "too-large", message: `not hashed: ${stat.size} bytes, over the hashing limit of ${options.maxHashBytes}`, path: file.entry.host });
    for (const algorithm of missing) file.unknown.push(DIGEST_FIELD[algorithm]);
    missing = [];
  }
  const others = needed.filter((field) => field.startsWith("PEInfo/") || field === "StringList/string");
  if (others.length === 0) return { missing };
  // Digests alone go to the workers; PE headers and strings come from one read on this thread.
  const needs = { digests: missing, pe: others.some((field) => field.startsWith("PEInfo/")), strings: others.includes("StringList/string") };
  return { missing, readHere: { needs, fields: others } };
}

/** Consecutive files to hash, cut into batches of a few MiB. */
function hashBatches<T extends { file: Building }>(files: readonly T[]): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const item of files) {
    if (batch.length > 0 && (bytes >= HASH_BATCH_BYTES || batch.length >= HASH_BATCH_FILES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += Number(item.file.stat.size);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

async function hashOnWorkers(batch: readonly { file: Building; index: number; missing: readonly DigestAlgorithm[] }[], run: FileRun, deliver: Deliver): Promise<void> {
  const jobs: HashJob[] = batch.map(({ file, missing }) => ({ path: file.entry.disk, size: Number(file.stat.size), algorithms: missing }));
  const results = await run.workers.hash(jobs);
  let files = 0;
  let bytes = 0;
  for (const [i, { file, index, missing }] of batch.entries()) {
    const result = results[i];
    if (result !== undefined && "digests" in result) {
      hashed(file, result.digests, run);
      files++;
      bytes += Number(file.stat.size);
    } else unreadable(file, missing, [], result?.error ?? new Error("no reply for this file"), run);
    deliver(index, finishUnlessGated(file, run));
  }
  countHashed(files, bytes, run);
}

function countHashed(files: number, bytes: number, run: FileRun): void {
  if (files === 0) return;
  run.count("filesHashed", files);
  run.count("bytesHashed", bytes);
}

/** A read on this thread: what it takes, and the non-digest fields it stands for. */
interface ReadHere {
  readonly needs: ContentNeeds;
  readonly fields: readonly string[];
}

async function readContentHere(file: Building, { needs, fields }: ReadHere, run: FileRun): Promise<void> {
  const buffer = run.buffers.take();
  let content: ContentResult;
  try {
    content = await readContent(file.entry.disk, file.stat, needs, run.options, buffer);
  } catch (error) {
    unreadable(file, needs.digests, fields, error, run);
    return;
  } finally {
    run.buffers.give(buffer);
  }
  if (needs.digests.length > 0) {
    hashed(file, content.digests, run);
    countHashed(1, content.bytesHashed, run);
  }
  if (content.pe !== undefined) {
    file.fields["PEInfo/PETimeStamp"] = content.pe.timeStamp;
    file.fields["PEInfo/Type"] = content.pe.type;
    file.fields["PEInfo/Sections/Section/Name"] = content.pe.sectionNames;
  }
  if (content.strings !== undefined) file.fields["StringList/string"] = content.strings;
}

function hashed(file: Building, digests: Digests, run: FileRun): void {
  Object.assign(file.found, digests);
  // Should the file change after the lstat, its key changes too: the entry just goes unused.
  run.options.hashCache?.put(cacheKey(file.stat), digests);
}

/** Permission denied, vanished, changed or a read error: nothing read is known. */
function unreadable(file: Building, digests: readonly DigestAlgorithm[], fields: readonly string[], error: unknown, run: FileRun): void {
  warnError(run.warn, error, "cannot read file", file.entry.host);
  for (const algorithm of digests) file.unknown.push(DIGEST_FIELD[algorithm]);
  file.unknown.push(...fields);
}

/**
 * The file's record, unless the digest gate rules it out by the digests it has (cached, hashed
 * while listed or hashed now): then no IOC can match it, and it is done without a record.
 */
function finishUnlessGated(file: Building, run: FileRun): HostRecord | undefined {
  const gate = run.options.digestGate;
  return gate !== undefined && digestGateRulesOut(gate, file.found) ? undefined : finish(file);
}

function finish(file: Building): HostRecord {
  for (const algorithm of file.algorithms) {
    const digest = file.found[algorithm];
    if (digest !== undefined) file.fields[DIGEST_FIELD[algorithm]] = digest;
  }
  // The FullPath's text form: the report's object id, which quarantine reads back to the bytes.
  const id = pathText(file.entry.host);
  return file.unknown.length > 0 ? { document: "FileItem", id, fields: file.fields, unknownFields: file.unknown } : { document: "FileItem", id, fields: file.fields };
}
