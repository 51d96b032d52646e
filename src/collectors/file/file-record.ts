/**
 * One file → one FileItem record: lstat, the cheap fields, the prefilter's verdict, then only the
 * expensive fields it asks for (digests from the hash cache when the file is unchanged).
 *
 * @module
 */
import type { BigIntStats } from "node:fs";
import { digestsFor } from "../../core/compile/index.js";
import type { HostRecord } from "../types.js";
import { readContent, type ContentNeeds, type ContentResult } from "./content.js";
import type { HashWorkers } from "./hash-workers.js";
import { pathFields, statFields, type FieldMap, type OwnerNames } from "./fields.js";
import { lstatBig } from "./fs-async.js";
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

/** What every file of one run shares. */
export interface FileRun {
  /** The fields the IOCs need (CollectorContext.fields). */
  readonly wanted: ReadonlySet<string>;
  readonly owners: OwnerNames | undefined;
  readonly options: ResolvedFileOptions;
  readonly warn: Warn;
  readonly count: (stat: string, by?: number) => void;
  /** Where digest-only reads go. */
  readonly workers: HashWorkers;
  /** Chunk buffers for reads on this thread. */
  readonly buffers: { take(): Buffer; give(buffer: Buffer): void };
}

export function cacheKey(stat: BigIntStats): HashCacheKey {
  return { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs };
}

/** Collects one listed file; undefined when it is gone, not regular, or ruled out by the prefilter. */
export async function collectFile(entry: WalkEntry, run: FileRun): Promise<HostRecord | undefined> {
  let stat: BigIntStats;
  try {
    stat = await lstatBig(entry.disk);
  } catch (error) {
    warnError(run.warn, error, "cannot stat file", entry.host);
    return undefined;
  }
  if (!stat.isFile()) {
    // Replaced since the listing, or named as a scope and a link (links are never followed).
    run.count(stat.isSymbolicLink() ? "symlinksSkipped" : "filesNotRegular");
    return undefined;
  }
  run.count("filesSeen");
  const fields = pathFields(entry.host);
  fields["SizeInBytes"] = Number(stat.size);
  statFields(stat, run.wanted, run.owners, fields);

  let expensive: Iterable<string> = run.wanted;
  if (run.options.decide !== undefined) {
    const decision = run.options.decide(fields);
    if (!decision.mayMatch) {
      run.count("filesSkippedByPrefilter");
      return undefined;
    }
    expensive = decision.fields;
    // Normally a subset of `wanted`; a runner whose cheap set differs may ask for a stat field.
    statFields(stat, decision.fields, run.owners, fields);
  }
  const needed = [...expensive].filter((field) => CONTENT_FIELDS.has(field));
  const unknown = needed.length > 0 ? await addContentFields(entry, stat, needed, run, fields) : [];
  // Fields asked for but not computed (too large, unreadable, gone): UNKNOWN, never "absent".
  return unknown.length > 0 ? { document: "FileItem", id: entry.host, fields, unknownFields: unknown } : { document: "FileItem", id: entry.host, fields };
}

/**
 * Adds the content fields in `needed` that can be computed; returns those that could not (a
 * digest of a file over `maxHashBytes`, any content field of a file that could not be read).
 * A field simply not present on the object (PEInfo of a non-PE file) is neither.
 */
async function addContentFields(entry: WalkEntry, stat: BigIntStats, needed: readonly string[], run: FileRun, fields: FieldMap): Promise<string[]> {
  const unknown: string[] = [];
  const { options } = run;
  const algorithms = digestsFor(needed);
  const cached: Digests = (algorithms.length > 0 ? options.hashCache?.get(cacheKey(stat)) : undefined) ?? {};
  let missing = algorithms.filter((algorithm) => cached[algorithm] === undefined);
  if (algorithms.length > 0 && missing.length === 0) run.count("hashCacheHits");
  if (missing.length > 0 && stat.size > BigInt(options.maxHashBytes)) {
    tooLarge(run, entry.host, `${stat.size} bytes, over the hashing limit of ${options.maxHashBytes}`);
    for (const algorithm of missing) unknown.push(DIGEST_FIELD[algorithm]);
    missing = [];
  }
  const pe = needed.some((field) => field.startsWith("PEInfo/"));
  const strings = needed.includes("StringList/string");
  const found: Digests = { ...cached };
  if (missing.length > 0 || pe || strings) {
    try {
      // The common case, digests alone, goes to a worker; PE headers and strings come from the
      // same single read on this thread.
      const content: ContentResult =
        pe || strings
          ? await readHere(entry, stat, { digests: missing, pe, strings }, run)
          : { digests: await run.workers.hash(entry.disk, Number(stat.size), missing), bytesHashed: Number(stat.size), pe: undefined, strings: undefined };
      if (missing.length > 0) {
        run.count("filesHashed");
        run.count("bytesHashed", content.bytesHashed);
        Object.assign(found, content.digests);
        // Should the file change after the lstat, its key changes too: the entry just goes unused.
        options.hashCache?.put(cacheKey(stat), content.digests);
      }
      if (content.pe !== undefined) {
        fields["PEInfo/PETimeStamp"] = content.pe.timeStamp;
        fields["PEInfo/Type"] = content.pe.type;
        fields["PEInfo/Sections/Section/Name"] = content.pe.sectionNames;
      }
      if (content.strings !== undefined) fields["StringList/string"] = content.strings;
    } catch (error) {
      // Permission denied, vanished, changed or a read error: nothing read is known.
      warnError(run.warn, error, "cannot read file", entry.host);
      for (const algorithm of missing) unknown.push(DIGEST_FIELD[algorithm]);
      for (const field of needed) if (field.startsWith("PEInfo/") || field === "StringList/string") unknown.push(field);
    }
  }
  for (const algorithm of algorithms) {
    const digest = found[algorithm];
    if (digest !== undefined) fields[DIGEST_FIELD[algorithm]] = digest;
  }
  return unknown;
}

async function readHere(entry: WalkEntry, stat: BigIntStats, needs: ContentNeeds, run: FileRun): Promise<ContentResult> {
  const buffer = run.buffers.take();
  try {
    return await readContent(entry.disk, stat, needs, run.options, buffer);
  } finally {
    run.buffers.give(buffer);
  }
}

function tooLarge(run: FileRun, path: string, why: string): void {
  run.count("filesTooLarge");
  run.warn({ code: "too-large", message: `not hashed: ${why}`, path });
}
