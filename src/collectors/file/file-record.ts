/**
 * A batch of listed files → their FileItem records: one lstat batch on a worker, the cheap fields
 * and the prefilter's verdict here, then only the expensive fields it asks for: digests from the
 * hash cache when a file is unchanged, else one hash batch per few MiB on the workers; PE headers
 * and strings from a read on this thread.
 *
 * @module
 */
import { digestsFor } from "../../core/compile/index.js";
import type { HostRecord } from "../types.js";
import { readContent, type ContentNeeds, type ContentResult } from "./content.js";
import { pathFields, statFields, type FieldMap, type OwnerNames } from "./fields.js";
import type { FileStat, FileWorkers, HashJob } from "./file-workers.js";
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

const DIGEST_FIELD: Readonly<Record<DigestAlgorithm, string>> = { md5: "Md5sum", sha1: "Sha1sum", sha256: "Sha256sum" };

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
  /** The digests the record gets, by algorithm: cached or computed. */
  readonly algorithms: readonly DigestAlgorithm[];
  readonly found: Digests;
  /** Fields asked for but not computed (too large, unreadable, gone): UNKNOWN, never "absent". */
  readonly unknown: string[];
}

/** Per-batch counters, added to the run's stats once per batch. */
type Tally = Record<"filesSeen" | "filesHashed" | "bytesHashed" | "hashCacheHits" | "filesSkippedByPrefilter" | "filesTooLarge" | "symlinksSkipped" | "filesNotRegular", number>;

/**
 * Collects listed files; one result per entry, in order: the record, or undefined when the file
 * is gone, not regular, or ruled out by the prefilter. fs problems become warnings.
 */
export async function collectBatch(entries: readonly WalkEntry[], run: FileRun): Promise<(HostRecord | undefined)[]> {
  const tally: Tally = { filesSeen: 0, filesHashed: 0, bytesHashed: 0, hashCacheHits: 0, filesSkippedByPrefilter: 0, filesTooLarge: 0, symlinksSkipped: 0, filesNotRegular: 0 };
  const stats = await run.workers.stat(entries.map((entry) => entry.disk));
  const building: (Building | undefined)[] = [];
  const toHash: { file: Building; missing: readonly DigestAlgorithm[] }[] = [];
  const readsHere: Promise<void>[] = [];
  for (const [i, entry] of entries.entries()) {
    const result = stats[i];
    if (result === undefined || "error" in result) {
      if (result !== undefined) warnError(run.warn, result.error, "cannot stat file", entry.host);
      building.push(undefined);
      continue;
    }
    if (result.kind !== "file") {
      // Replaced since the listing, or named as a scope and a link (links are never followed).
      tally[result.kind === "symlink" ? "symlinksSkipped" : "filesNotRegular"]++;
      building.push(undefined);
      continue;
    }
    const file = startRecord(entry, result.stat, run, tally);
    building.push(file?.file);
    if (file === undefined) continue;
    if (file.readHere !== undefined) readsHere.push(readContentHere(file.file, file.readHere, run, tally));
    else if (file.missing.length > 0) toHash.push({ file: file.file, missing: file.missing });
  }
  await Promise.all([...hashBatches(toHash).map((batch) => hashOnWorkers(batch, run, tally)), ...readsHere]);
  for (const [key, value] of Object.entries(tally)) if (value > 0) run.count(key, value);
  return building.map((file) => (file === undefined ? undefined : finish(file)));
}

/**
 * The cheap fields, the prefilter, the hash cache and the size limit for one regular file; says
 * what is left to read: digests alone (`missing`, for the workers) or a read here.
 */
function startRecord(entry: WalkEntry, stat: FileStat, run: FileRun, tally: Tally): { file: Building; missing: readonly DigestAlgorithm[]; readHere?: ReadHere } | undefined {
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
  const algorithms = needed.length > 0 ? digestsFor(needed) : [];
  const file: Building = { entry, stat, fields, algorithms, found: {}, unknown: [] };
  if (needed.length === 0) return { file, missing: [] };
  if (algorithms.length > 0) Object.assign(file.found, options.hashCache?.get(cacheKey(stat)));
  let missing = algorithms.filter((algorithm) => file.found[algorithm] === undefined);
  if (algorithms.length > 0 && missing.length === 0) tally.hashCacheHits++;
  if (missing.length > 0 && stat.size > BigInt(options.maxHashBytes)) {
    tally.filesTooLarge++;
    run.warn({ code: "too-large", message: `not hashed: ${stat.size} bytes, over the hashing limit of ${options.maxHashBytes}`, path: entry.host });
    for (const algorithm of missing) file.unknown.push(DIGEST_FIELD[algorithm]);
    missing = [];
  }
  const others = needed.filter((field) => field.startsWith("PEInfo/") || field === "StringList/string");
  if (others.length === 0) return { file, missing };
  // Digests alone go to the workers; PE headers and strings come from one read on this thread.
  const needs = { digests: missing, pe: others.some((field) => field.startsWith("PEInfo/")), strings: others.includes("StringList/string") };
  return { file, missing, readHere: { needs, fields: others } };
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

async function hashOnWorkers(batch: readonly { file: Building; missing: readonly DigestAlgorithm[] }[], run: FileRun, tally: Tally): Promise<void> {
  const jobs: HashJob[] = batch.map(({ file, missing }) => ({ path: file.entry.disk, size: Number(file.stat.size), algorithms: missing }));
  const results = await run.workers.hash(jobs);
  for (const [i, { file, missing }] of batch.entries()) {
    const result = results[i];
    if (result !== undefined && "digests" in result) hashed(file, result.digests, Number(file.stat.size), run, tally);
    else unreadable(file, missing, [], result?.error ?? new Error("no reply for this file"), run);
  }
}

/** A read on this thread: what it takes, and the non-digest fields it stands for. */
interface ReadHere {
  readonly needs: ContentNeeds;
  readonly fields: readonly string[];
}

async function readContentHere(file: Building, { needs, fields }: ReadHere, run: FileRun, tally: Tally): Promise<void> {
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
  if (needs.digests.length > 0) hashed(file, content.digests, content.bytesHashed, run, tally);
  if (content.pe !== undefined) {
    file.fields["PEInfo/PETimeStamp"] = content.pe.timeStamp;
    file.fields["PEInfo/Type"] = content.pe.type;
    file.fields["PEInfo/Sections/Section/Name"] = content.pe.sectionNames;
  }
  if (content.strings !== undefined) file.fields["StringList/string"] = content.strings;
}

function hashed(file: Building, digests: Digests, bytes: number, run: FileRun, tally: Tally): void {
  tally.filesHashed++;
  tally.bytesHashed += bytes;
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

function finish(file: Building): HostRecord {
  for (const algorithm of file.algorithms) {
    const digest = file.found[algorithm];
    if (digest !== undefined) file.fields[DIGEST_FIELD[algorithm]] = digest;
  }
  const id = file.entry.host;
  return file.unknown.length > 0 ? { document: "FileItem", id, fields: file.fields, unknownFields: file.unknown } : { document: "FileItem", id, fields: file.fields };
}
