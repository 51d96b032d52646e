/**
 * The FileItem record of an area file whose path is not UTF-8, built here from the FileItem
 * collector's own pieces: the same path, stat and content fields, the same prefilter, size limit
 * and hash cache, every system call through the exact bytes (`fsPath`).
 *
 * A stop-gap: the collector cannot take such a path as a scope, since its scope resolution
 * (collectors/file/scope-root.ts) lstats each component as UTF-8 text and so never finds it
 * ("cannot open scope: ENOENT"). Once that resolves scopes by their bytes (`fsPath`,
 * `readlinkMemory`), these files can go to the collector with the others and this file can go.
 *
 * @module
 */
import { lstat } from "node:fs/promises";
import { cacheKey, CONTENT_FIELDS, type HashCache } from "../../collectors/file/index.js";
import { readContent } from "../../collectors/file/content.js";
import { pathFields, statFields, type OwnerNames } from "../../collectors/file/fields.js";
import type { FileStat } from "../../collectors/file/file-workers.js";
import type { Digests } from "../../collectors/file/options.js";
import { DEFAULT_STRINGS_MAX_BYTES, DEFAULT_STRINGS_MAX_COUNT } from "../../collectors/file/options.js";
import { warnError, type Warn } from "../../collectors/file/problems.js";
import type { HostRecord } from "../../collectors/types.js";
import { DIGEST_FIELD, digestsFor, type DigestAlgorithm, type PrefilterDecision } from "../../core/compile/index.js";
import type { FieldValue } from "../../core/compile/index.js";
import { fsPath } from "../../shared/fs-path.js";
import { pathText } from "../../shared/path-text.js";
import type { AreaContext } from "./area-context.js";

/** The chunk size of the collector's reads on its own thread. */
const CHUNK_BYTES = 64 * 1024;

/** What the records of one check share. */
export interface BytePathRun {
  /** The fields the IOCs need of a FileItem. */
  readonly wanted: ReadonlySet<string>;
  readonly decide: (cheap: Readonly<Record<string, FieldValue>>) => PrefilterDecision;
  readonly owners: OwnerNames | undefined;
  readonly hashCache: HashCache | undefined;
  /** The collector's warning sink: `path` in memory form, written in text form. */
  readonly warn: Warn;
}

/** The record of the regular file at `hostPath` (memory form), or undefined when it is gone, not regular or ruled out by the prefilter. */
export async function bytePathRecord(ctx: AreaContext, hostPath: string, run: BytePathRun): Promise<HostRecord | undefined> {
  const disk = ctx.host.toDisk(hostPath);
  let stat: FileStat;
  try {
    const info = await lstat(fsPath(disk), { bigint: true });
    if (!info.isFile()) return undefined;
    stat = { dev: info.dev, ino: info.ino, mode: info.mode, uid: info.uid, gid: info.gid, size: info.size, atimeNs: info.atimeNs, mtimeNs: info.mtimeNs, ctimeNs: info.ctimeNs, birthtimeNs: info.birthtimeNs };
  } catch (error) {
    warnError(run.warn, error, "cannot stat file", hostPath);
    return undefined;
  }
  ctx.count("filesSeen");
  const fields = pathFields(hostPath);
  fields["SizeInBytes"] = Number(stat.size);
  statFields(stat, run.wanted, run.owners, fields);
  const decision = run.decide(fields);
  if (!decision.mayMatch) {
    ctx.count("filesSkippedByPrefilter");
    return undefined;
  }
  statFields(stat, decision.fields, run.owners, fields);
  const needed = [...decision.fields].filter((field) => CONTENT_FIELDS.has(field));
  const algorithms = digestsFor(needed);
  const found: Digests = algorithms.length > 0 ? { ...run.hashCache?.get(cacheKey(stat)) } : {};
  const unknown: string[] = [];
  let missing: DigestAlgorithm[] = algorithms.filter((algorithm) => found[algorithm] === undefined);
  if (algorithms.length > 0 && missing.length === 0) ctx.count("hashCacheHits");
  if (missing.length > 0 && Number(stat.size) > ctx.limits.maxFileBytes) {
    ctx.count("filesTooLarge");
    run.warn({ code: "too-large", message: `not hashed: ${stat.size} bytes, over the hashing limit of ${ctx.limits.maxFileBytes}`, path: hostPath });
    unknown.push(...missing.map((algorithm) => DIGEST_FIELD[algorithm]));
    missing = [];
  }
  const others = needed.filter((field) => field.startsWith("PEInfo/") || field === "StringList/string");
  if (missing.length > 0 || others.length > 0) {
    const needs = { digests: missing, pe: others.some((field) => field.startsWith("PEInfo/")), strings: others.includes("StringList/string") };
    try {
      // readContent opens `disk` through fsPath.
      const content = await readContent(disk, stat, needs, { stringsMaxBytes: DEFAULT_STRINGS_MAX_BYTES, stringsMaxCount: DEFAULT_STRINGS_MAX_COUNT }, Buffer.allocUnsafe(CHUNK_BYTES));
      if (missing.length > 0) {
        Object.assign(found, content.digests);
        run.hashCache?.put(cacheKey(stat), content.digests);
        ctx.count("filesHashed");
        ctx.count("bytesHashed", content.bytesHashed);
      }
      if (content.pe !== undefined) {
        fields["PEInfo/PETimeStamp"] = content.pe.timeStamp;
        fields["PEInfo/Type"] = content.pe.type;
        fields["PEInfo/Sections/Section/Name"] = content.pe.sectionNames;
      }
      if (content.strings !== undefined) fields["StringList/string"] = content.strings;
    } catch (error) {
      warnError(run.warn, error, "cannot read file", hostPath);
      unknown.push(...missing.map((algorithm) => DIGEST_FIELD[algorithm]), ...others);
    }
  }
  for (const algorithm of algorithms) {
    const digest = found[algorithm];
    if (digest !== undefined) fields[DIGEST_FIELD[algorithm]] = digest;
  }
  const id = pathText(hostPath);
  return unknown.length > 0 ? { document: "FileItem", id, fields, unknownFields: unknown } : { document: "FileItem", id, fields };
}
