/**
 * The key of a cached IOC file load: the file's bytes and everything else that changes what
 * loading yields. Two loads with the same key give the same entry and document, whatever the
 * file is called or where it is.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The layout of a cache entry. Raise it whenever the cached value changes shape or meaning (the
 * parser, the checker or the diagnostics change): entries of another format are misses.
 */
export const IOC_CACHE_FORMAT = 4;

/** The load settings that change the entry: parse limits, term switches, regex judgement. */
export interface LoadSettings {
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly platform: string;
  readonly mapEvents: boolean;
  readonly mapNetworkTerms: boolean;
  /** True when a regex engine judged the `matches` patterns (IOC034 diagnostics). */
  readonly regexJudged: boolean;
}

/** The code that loads: its release, and which build of it. */
export interface BuildIdentity {
  readonly version: string;
  readonly stamp: string;
}

/**
 * The key of `bytes` loaded with `settings` by `build` (default: this code): a SHA-256 in hex,
 * hence a safe file name.
 *
 * @example
 * ```ts
 * const key = iocCacheKey(await readFile(file), settings); // "3f5a..." (64 hex digits)
 * ```
 */
export function iocCacheKey(bytes: Uint8Array, settings: LoadSettings, build: BuildIdentity = THIS_BUILD): string {
  return iocCacheKeyOf(contentDigest(bytes), settings, build);
}

/** The SHA-256 of a file's bytes, in hex: what {@link iocCacheKeyOf} keys on. */
export function contentDigest(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** {@link iocCacheKey} of a file whose {@link contentDigest} is `content`. */
export function iocCacheKeyOf(content: string, settings: LoadSettings, build: BuildIdentity = THIS_BUILD): string {
  const context = JSON.stringify({ format: IOC_CACHE_FORMAT, version: build.version, build: build.stamp, content, settings: ordered(settings) });
  return createHash("sha256").update(context).digest("hex");
}

/** The settings with their keys in one fixed order, so equal settings give equal keys. */
function ordered(settings: LoadSettings): readonly unknown[] {
  return [settings.maxBytes, settings.maxDepth, settings.platform, settings.mapEvents, settings.mapNetworkTerms, settings.regexJudged];
}

/**
 * The iocscan version (a new release is a miss) and the size and modification time of the code
 * file this module was loaded from (the CLI bundle, or this source under a test runner): the
 * version stays the same across development builds, and a rebuild must not reuse a stale parse.
 * Read here rather than imported from the CLI, which `scan` may not import.
 */
export const THIS_BUILD: BuildIdentity = { version: readVersion(), stamp: codeStamp() };

function readVersion(): string {
  try {
    const packageJson = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return String(packageJson.version);
  } catch {
    return "unknown";
  }
}

function codeStamp(): string {
  try {
    const info = statSync(fileURLToPath(import.meta.url));
    return `${info.size}:${info.mtimeMs}`;
  } catch {
    return "unknown";
  }
}
