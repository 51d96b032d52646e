/**
 * Options of the FileItem collector and the hash-cache contract it uses. The cache itself lives
 * in `src/scan/hash-cache/` (collectors may not depend on the scan layer); the collector sees
 * only this interface.
 *
 * @module
 */
import type { DigestAlgorithm, DigestGate, PrefilterDecision } from "../../core/compile/index.js";
import type { FieldValue } from "../../core/compile/index.js";
import type { WalkPosition } from "./walk.js";

export type { DigestAlgorithm, DigestGate } from "../../core/compile/index.js";
export type { WalkPosition } from "./walk.js";

/** Hex digests of one file content, by algorithm (lower case). */
export type Digests = Partial<Record<DigestAlgorithm, string>>;

/**
 * What identifies one version of a file's content without reading it. Nanosecond times come
 * from a `bigint: true` stat: a rewrite within the same second still changes the key, and
 * ctime catches a content change whose mtime was set back (touch -r, tar -x).
 */
export interface HashCacheKey {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

/** A persistent map from file versions to the digests already computed for them. */
export interface HashCache {
  /** The digests known for exactly this file version (any key field differing: undefined). */
  get(key: HashCacheKey): Digests | undefined;
  /** False when the cache holds no entry of this device (a first scan): its look-ups can only miss. */
  holdsDevice?(dev: bigint): boolean;
  /**
   * For a rescan's digest gate ({@link DigestGate.named}), without a hex string made: false when
   * the cache holds each of `algorithms` for exactly this file version and `named` names none of
   * them (stored bytes); true when it names one; undefined when a digest is missing or this scan
   * put digests for the file (then {@link get} answers).
   */
  cachedDigestsNamed?(key: HashCacheKey, algorithms: readonly DigestAlgorithm[], named: NonNullable<DigestGate["named"]>): boolean | undefined;
  /** Records digests for this version, keeping the ones already known for it. */
  put(key: HashCacheKey, digests: Digests): void;
  /** Writes what is pending and releases the store. */
  close(): void;
}

/** The prefilter the scan runner derives from the compiled plan (`createPrefilter(...).decide`). */
export type FileDecide = (cheap: Readonly<Record<string, FieldValue | null | undefined>>) => PrefilterDecision;

/** How one run of the FileItem collector walks and what it may read. */
export interface FileCollectorOptions {
  /** Host paths to walk (folders or single files); `--scope`. */
  readonly scopes: readonly string[];
  /** picomatch globs on host paths; an excluded folder is not descended; `--exclude`. */
  readonly excludes?: readonly string[];
  /** Only files whose host path matches are collected (folders are still walked); `--hint`. */
  readonly hint?: RegExp;
  /** Cross into other file systems below a scope root (pseudo file systems never). Default false. */
  readonly crossMounts?: boolean;
  /** A file that needs hashing and is bigger than this is reported `too-large`. Default 256 MiB. */
  readonly maxHashBytes?: number;
  /**
   * The prefilter: given the cheap fields (path, name, extension, size) and the stat fields, may
   * an IOC still match, and which expensive fields would that take? Absent: every file is
   * yielded with every requested field.
   */
  readonly decide?: FileDecide;
  /**
   * The sizes with which a file may match, when `decide` rules out every file of another size
   * whatever its name (the prefilter's `onlyWhen` on SizeInBytes): other files are counted as seen
   * and skipped by the prefilter where their folder is listed, without a record. Absent: no gate.
   */
  readonly sizeGate?: readonly number[];
  /**
   * Every file needs a digest whatever its cheap fields (the prefilter's `alwaysNeeded` holds
   * `Md5sum`, `Sha1sum` or `Sha256sum`: a hash list without sizes). Unless the hash cache may
   * answer, the collector then starts all its hashing workers with the first hash batch rather
   * than once hashing has queued up behind the first worker. Default false.
   */
  readonly hashEveryFile?: boolean;
  /**
   * When no IOC can match a file whose digests (`algorithms`, the ones every file needs) it does
   * not name, whatever the file's other fields: `mayMatch` says whether one of these digests is
   * named. A scan that hashes every file and whose hash cache cannot answer then has the workers
   * hash the files as they list them, and only the files `mayMatch` keeps become records. Absent:
   * every hashed file becomes a record.
   */
  readonly digestGate?: DigestGate;
  /** Digests of unchanged files from earlier scans. */
  readonly hashCache?: HashCache;
  /** Files read at the same time. Default 4 (libuv's default thread pool size). */
  readonly concurrency?: number;
  /** StringList/string reads at most this many bytes of a file. Default 4 MiB. */
  readonly stringsMaxBytes?: number;
  /** StringList/string keeps at most this many distinct strings per file. Default 10,000. */
  readonly stringsMaxCount?: number;
  /** Continue an interrupted collection: files up to this position (a checkpoint's) are skipped. */
  readonly resumeFrom?: WalkPosition;
  /**
   * Receives, once, a function that tells where the collection stands: between two records, every
   * file the position covers has been yielded (or dropped) and no other.
   */
  readonly exposePosition?: (position: () => WalkPosition) => void;
}

/** {@link FileCollectorOptions} with every default applied. */
export interface ResolvedFileOptions {
  readonly scopes: readonly string[];
  readonly excludes: readonly string[];
  readonly hint: RegExp | undefined;
  readonly crossMounts: boolean;
  readonly maxHashBytes: number;
  readonly decide: FileDecide | undefined;
  readonly sizeGate: readonly number[] | undefined;
  readonly hashEveryFile: boolean;
  readonly digestGate: DigestGate | undefined;
  readonly hashCache: HashCache | undefined;
  readonly concurrency: number;
  readonly stringsMaxBytes: number;
  readonly stringsMaxCount: number;
}

export const DEFAULT_MAX_HASH_BYTES = 256 * 1024 * 1024;
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_STRINGS_MAX_BYTES = 4 * 1024 * 1024;
export const DEFAULT_STRINGS_MAX_COUNT = 10_000;

/** Applies the defaults and checks the numbers, so the walk never meets a nonsensical limit. */
export function resolveFileOptions(options: FileCollectorOptions): ResolvedFileOptions {
  const positive = (value: number | undefined, fallback: number, name: string): number => {
    if (value === undefined) return fallback;
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`FileCollectorOptions.${name} must be a non-negative number, got ${value}`);
    return value;
  };
  // A global or sticky RegExp keeps lastIndex between test() calls and would skip files.
  const hint = options.hint === undefined ? undefined : new RegExp(options.hint.source, options.hint.flags.replace(/[gy]/g, ""));
  return {
    scopes: options.scopes,
    excludes: options.excludes ?? [],
    hint,
    crossMounts: options.crossMounts ?? false,
    maxHashBytes: positive(options.maxHashBytes, DEFAULT_MAX_HASH_BYTES, "maxHashBytes"),
    decide: options.decide,
    sizeGate: options.sizeGate,
    hashEveryFile: options.hashEveryFile ?? false,
    digestGate: options.digestGate,
    hashCache: options.hashCache,
    concurrency: Math.max(1, Math.floor(positive(options.concurrency, DEFAULT_CONCURRENCY, "concurrency"))),
    stringsMaxBytes: positive(options.stringsMaxBytes, DEFAULT_STRINGS_MAX_BYTES, "stringsMaxBytes"),
    stringsMaxCount: positive(options.stringsMaxCount, DEFAULT_STRINGS_MAX_COUNT, "stringsMaxCount"),
  };
}
