/**
 * Loads IOC files from disk: expands folders, reads with a size bound, parses, checks each IOC
 * against the vocabulary and the set for duplicate ids. The single entry point for
 * `iocscan ioc check`, `iocscan scan` and the agent, so all three judge a file the same way.
 * With a cache (scans and the agent), a file loaded before with the same bytes and options is
 * taken from it instead of parsed: what it yields is the same either way.
 *
 * @module
 */
import { readFile, readdir, realpath, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  checkIoc,
  checkIocSet,
  diagnostic,
  expandDocument,
  hasErrors,
  parseIoc,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_DEPTH,
  type CheckIocOptions,
  type CompactDocument,
  type Diagnostic,
  type IocDocument,
  type IocSetEntry,
  type OpenIocVersion,
  type ParseIocOptions,
} from "../core/ioc/index.js";
import { detach } from "../core/compile/detach.js";
import { isRegexError, type RegexEngine } from "../core/compile/regex-engine.js";
import { contentDigest, fileIdentity, iocCacheKeyOf, isSettled, type CachedLoad, type IocCache, type LoadSettings } from "./ioc-cache/index.js";

/** Options of {@link loadIocFiles}. */
export interface LoadIocsOptions extends ParseIocOptions, Omit<CheckIocOptions, "regexProblem"> {
  /** Used to tell which `matches` patterns cannot be run. */
  readonly regexEngine?: RegexEngine;
  /**
   * Called, in load order, with each file that will be evaluated (usable, and not a later
   * duplicate of an IOC id), as soon as it is loaded: a scan compiles it there and then. A
   * document from the cache holds its hash lists as runs, which the compiler takes whole.
   */
  readonly onUsable?: (file: string, document: CompactDocument) => void;
  /**
   * Keep each parsed document in {@link LoadedIoc.document} (default true). A scan passes false
   * with {@link onUsable}, so only one file's parse tree is alive at a time.
   */
  readonly keepDocuments?: boolean;
  /**
   * Loads recorded by earlier runs, keyed by each file's bytes and these options: a file found
   * there is not parsed again. The caller settles the cache when loading is done.
   */
  readonly cache?: IocCache;
}

/** One IOC file as loaded. */
export interface LoadedIoc {
  readonly file: string;
  /** True when the file can be evaluated: it parsed and has no error-level diagnostic. */
  readonly ok: boolean;
  /** True when an earlier file of the set has the same IOC id: this one is not evaluated. */
  readonly duplicate: boolean;
  readonly openiocVersion?: OpenIocVersion;
  readonly id?: string;
  readonly title?: string;
  readonly items: number;
  readonly supportedItems: number;
  readonly diagnostics: readonly Diagnostic[];
  /** The parsed IOC; absent when it did not parse, or when loaded with `keepDocuments: false`. */
  readonly document?: IocDocument;
}

const IOC_FILE = /\.(ioc|xml)$/i;
/** Files read ahead of the one being compiled (each at most `maxBytes`, most far smaller). */
const READ_AHEAD = 4;

/** Loads every IOC file named by `paths` (files, or folders searched recursively for *.ioc and *.xml). */
export async function loadIocFiles(paths: readonly string[], options: LoadIocsOptions = {}): Promise<LoadedIoc[]> {
  const { files, unreadableFolders } = await expandPaths(paths);
  const keep = options.keepDocuments ?? true;
  const loaded: LoadedIoc[] = [...unreadableFolders];
  // What the set check reads of a usable file's IOC (its id and where it is), detached from the
  // file text so that dropping the document frees the text too.
  const setEntries: IocSetEntry[] = unreadableFolders.map((entry) => ({ file: entry.file }));
  /** Usable IOC ids seen so far: only the first file with an id is evaluated. */
  const usableIds = new Set<string>();
  // A few files ahead: the next ones are read (and their cache entries found) while this one is
  // compiled by onUsable, so that a list of many files does not wait for each read in turn.
  const ahead: Promise<Fetched>[] = [];
  let fetchedUpTo = 0;
  const refill = (from: number): void => {
    while (fetchedUpTo < files.length && fetchedUpTo < from + READ_AHEAD) ahead.push(fetchOne(files[fetchedUpTo++] as string, options));
  };
  refill(0);
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as string;
    const fetched = await (ahead.shift() as Promise<Fetched>);
    refill(i + 1);
    const { entry, document } = finishOne(file, fetched, options);
    setEntries.push(entry.ok && document ? { file, document: setView(document) } : { file });
    if (entry.ok && document) {
      const first = !document.id || !usableIds.has(document.id);
      if (document.id) usableIds.add(document.id);
      if (first) options.onUsable?.(file, document);
    }
    // Kept documents are read item by item (ioc check): runs are expanded, the slow path.
    loaded.push(keep && document ? { ...entry, document: expandDocument(document) } : entry);
  }

  // Only usable files take part: a broken file must not shadow a good one with the same id.
  const set = checkIocSet(setEntries);
  return loaded.map((entry, index) => {
    const extra = set.diagnostics.get(index);
    if (!extra) return entry;
    return { ...entry, duplicate: set.duplicates.has(index), diagnostics: [...entry.diagnostics, ...extra] };
  });
}

/**
 * The part of a document {@link checkIocSet} reads (its id and position), as a document: the
 * set check must not keep every parse tree, nor, through sliced strings, every file's text.
 */
function setView(document: CompactDocument): IocDocument {
  return { ...EMPTY_DOCUMENT, id: detach(document.id), position: document.position };
}

const EMPTY_DOCUMENT: IocDocument = { version: "1.1", id: "", title: "", links: [], parameters: [], position: { line: 0, column: 0 } };

/**
 * A file's cache entry, or the file read (with the key its load goes under); or the entry of a
 * file that cannot be read.
 */
type Fetched =
  | { readonly unreadable: LoadedIoc }
  | { readonly cached: CachedLoad; readonly key: string }
  | { readonly bytes: Buffer; readonly key: string | undefined; readonly cached: undefined };

async function fetchOne(file: string, options: LoadIocsOptions): Promise<Fetched> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const cache = options.cache;
  let bytes: Buffer;
  let identity: string | undefined;
  /** The content digest recorded for this file version, whose entry is missing. */
  let known: string | undefined;
  try {
    const info = await stat(file, { bigint: true });
    if (!info.isFile()) return { unreadable: unreadable(file, `Cannot read "${file}": not a regular file`) };
    if (info.size > BigInt(maxBytes)) {
      return { unreadable: unreadable(file, `The file is ${info.size} bytes, larger than the limit of ${maxBytes} bytes`, "IOC004") };
    }
    if (cache) {
      // A file version seen before: its entry is found without reading or hashing the file.
      identity = fileIdentity(file, info);
      known = await cache.contentOf(identity);
      if (known !== undefined) {
        const key = iocCacheKeyOf(known, loadSettings(options));
        const cached = await cache.get(key);
        if (cached) return { cached, key };
      }
      if (!isSettled(info)) identity = undefined;
    }
    bytes = await readFile(file);
  } catch (error) {
    return { unreadable: unreadable(file, `Cannot read "${file}": ${describeError(error)}`) };
  }
  if (!cache) return { bytes, key: undefined, cached: undefined };
  const content = contentDigest(bytes);
  const key = iocCacheKeyOf(content, loadSettings(options));
  if (content === known) return { bytes, key, cached: undefined }; // looked up above: a miss
  if (identity !== undefined) cache.rememberContent(identity, content);
  const cached = await cache.get(key);
  return cached ? { cached, key } : { bytes, key, cached: undefined };
}

/** The load of a fetched file: its cache entry, else its parse (then recorded in the cache). */
function finishOne(file: string, fetched: Fetched, options: LoadIocsOptions): { entry: LoadedIoc; document?: CompactDocument } {
  if ("unreadable" in fetched) return { entry: fetched.unreadable };
  let load: CachedLoad;
  if (fetched.cached) load = fetched.cached;
  else {
    load = parseAndCheck(fetched.bytes, options);
    if (fetched.key !== undefined) options.cache?.put(fetched.key, load);
  }
  const { ok, document, ...rest } = load;
  return { entry: { file, ok, duplicate: false, ...rest }, ...(document ? { document } : {}) };
}

/** What loading a file's bytes yields, whatever the file is called. */
function parseAndCheck(bytes: Buffer, options: LoadIocsOptions): CachedLoad {
  const parsed = parseIoc(bytes, options);
  const document = parsed.document;
  if (!document) return { ok: false, items: 0, supportedItems: 0, diagnostics: parsed.diagnostics };

  const engine = options.regexEngine;
  const check = checkIoc(document, {
    ...options,
    ...(engine
      ? {
          regexProblem: (pattern: string, ignoreCase: boolean) => {
            const compiled = engine.compile(pattern, { ignoreCase });
            return isRegexError(compiled) ? compiled.error : undefined;
          },
        }
      : {}),
  });
  // Detached copies: a LoadedIoc outlives its document, and must not pin the file's text.
  const diagnostics = [...parsed.diagnostics, ...check.diagnostics]
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .map((d) => ({ ...d, message: detach(d.message) }));
  return {
    ok: !hasErrors(diagnostics),
    openiocVersion: document.version,
    id: detach(document.id),
    title: detach(document.title),
    items: check.items,
    supportedItems: check.supportedItems,
    diagnostics,
    document,
  };
}

/** Every option that changes what {@link parseAndCheck} yields: part of the cache key. */
function loadSettings(options: LoadIocsOptions): LoadSettings {
  return {
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
    platform: options.platform ?? "linux",
    mapEvents: options.mapEvents ?? true,
    mapNetworkTerms: options.mapNetworkTerms ?? false,
    regexJudged: options.regexEngine !== undefined,
  };
}

function unreadable(file: string, message: string, code: "IOC004" | "IOC008" = "IOC008"): LoadedIoc {
  return { file, ok: false, duplicate: false, items: 0, supportedItems: 0, diagnostics: [diagnostic(code, message)] };
}

/** Files named directly are taken whatever their extension; folders give their *.ioc and *.xml. */
async function expandPaths(paths: readonly string[]): Promise<Walk> {
  const found: Walk = { files: [], unreadableFolders: [], seen: new Set() };
  for (const path of paths) {
    const absolute = resolve(path);
    const info = await stat(absolute).catch(() => undefined);
    if (info?.isDirectory()) await walk(absolute, found);
    else found.files.push(absolute);
  }
  return found;
}

interface Walk {
  readonly files: string[];
  readonly unreadableFolders: LoadedIoc[];
  /** Real paths of the folders walked: symlinked folders are followed once, so loops end. */
  readonly seen: Set<string>;
}

async function walk(directory: string, found: Walk): Promise<void> {
  const real = await realpath(directory).catch(() => directory);
  if (found.seen.has(real)) return;
  found.seen.add(real);
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    found.unreadableFolders.push(unreadable(directory, `Cannot read folder "${directory}": ${describeError(error)}`));
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(directory, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined);
      isDirectory = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDirectory) await walk(path, found);
    else if (isFile && IOC_FILE.test(entry.name)) found.files.push(path);
  }
}

function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return error instanceof Error ? error.message : String(error);
}
