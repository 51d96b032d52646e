/**
 * Loads a CommonJS bundle through V8's code cache, so that a command does not parse and compile
 * the same megabytes of JavaScript each time it starts: about 50 ms of the 0.3 s a scan of an
 * empty folder takes (BENCHMARKS.md, "Fixed cost"). Node.js 22 does this itself
 * (`module.enableCompileCache`); Node.js 20, which we support, does not, and cannot for ES
 * modules: hence a CommonJS bundle run with `vm.Script` and its `cachedData`.
 *
 * The cache of a bundle is written after a run that had none (or had one V8 refused: another
 * Node.js, other flags), with every function that run compiled; later runs start from it. One
 * cache per command: each compiles other parts of the bundle. Nothing here is needed for a
 * command to work: a cache that cannot be read, is refused or cannot be written only costs the
 * compile. It is read only when this user owns it and nobody else may write it (V8 runs what
 * it holds), from a folder created 0700.
 *
 * @module
 */
import { isAscii } from "node:buffer";
import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { Script, constants as vmConstants } from "node:vm";
import { makeFolderSync } from "../shared/make-folder.js";

/** How the bundle's code cache was used. */
export type CodeCacheUse = "off" | "absent" | "accepted" | "rejected";

/** A loaded bundle. */
export interface CodeCachedModule<T> {
  /** The bundle's `module.exports`. */
  readonly exports: T;
  readonly cache: CodeCacheUse;
  /**
   * Writes the code cache of what has been compiled so far, when the load had no usable one.
   * Call it once the command has done its work. Never throws.
   */
  save(): void;
}

const CACHE_NAME = /^[a-z]+-[0-9a-f]{16}\.v8$/;
const STALE_AFTER_MS = 7 * 24 * 3600 * 1000;

/** The wrapper node puts around a CommonJS module, on the first line (line numbers stay). */
const WRAPPER_HEAD = "(function (exports, require, module, __filename, __dirname) { ";
const WRAPPER_TAIL = "\n});";

/**
 * Runs the CommonJS file `file` (a bundle: it may `require` packages and node's built-ins) with
 * the V8 code cache kept in `cacheFile` (undefined: none).
 */
export function requireWithCodeCache<T>(file: string, cacheFile: string | undefined): CodeCachedModule<T> {
  const bytes = readFileSync(file);
  // An ASCII file (the bundle script makes it so) is its latin1 reading: a copy, no UTF-8 decode.
  const source = isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
  const cachedData = cacheFile === undefined ? undefined : readOwnCache(cacheFile);
  const script = new Script(WRAPPER_HEAD + source + WRAPPER_TAIL, {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData }),
    // A bundle has no import() left, but if a package brings one, node's own loader serves it.
    importModuleDynamically: vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const cache: CodeCacheUse = cacheFile === undefined ? "off" : cachedData === undefined ? "absent" : script.cachedDataRejected === true ? "rejected" : "accepted";
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;
  const module = { exports: {} as unknown };
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  let saved = false;
  return {
    exports: module.exports as T,
    cache,
    save() {
      if (saved || cacheFile === undefined || cache === "accepted") return;
      saved = true;
      writeCache(cacheFile, script.createCachedData());
    },
  };
}

/**
 * Where the code cache of `bundle` for `command` is kept: `$IOCSCAN_CODE_CACHE_DIR`, else
 * `/var/cache/iocscan/code-cache` as root (never a folder under a `$HOME` that sudo may have
 * left pointing at a user's), else `$XDG_CACHE_HOME/iocscan/code-cache` (`~/.cache/...`). The name
 * holds the command and a key of the node version, architecture and the bundle's version (size
 * and time), so that installs and Node.js versions side by side do not overwrite each other's
 * cache at every run. Undefined (no cache) with `IOCSCAN_CODE_CACHE=off` or when the bundle
 * cannot be looked at.
 */
export function codeCacheFile(
  bundle: string,
  command: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
  uid: number | undefined = process.getuid?.(),
): string | undefined {
  if (env["IOCSCAN_CODE_CACHE"] === "off") return undefined;
  let version: string;
  try {
    const stat = statSync(bundle);
    version = `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
  const key = createHash("sha256").update(`${process.version}\0${process.arch}\0${bundle}\0${version}`).digest("hex").slice(0, 16);
  // Name each command's own cache; anything else (a typo, --help) shares one.
  const name = command !== undefined && /^[a-z]{1,20}$/.test(command) ? command : "other";
  return join(codeCacheDir(env, uid), `${name}-${key}.v8`);
}

function codeCacheDir(env: Readonly<Record<string, string | undefined>>, uid: number | undefined): string {
  const named = env["IOCSCAN_CODE_CACHE_DIR"];
  if (named !== undefined && isAbsolute(named)) return named;
  if (uid === 0) return "/var/cache/iocscan/code-cache";
  // The XDG specification says a relative value is invalid and must be ignored.
  const xdg = env["XDG_CACHE_HOME"];
  return join(xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), ".cache"), "iocscan", "code-cache");
}

/** The cache's bytes, if this user owns the file and only this user may write it. */
function readOwnCache(cacheFile: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(cacheFile, "r");
    const stat = fstatSync(fd);
    if (!stat.isFile() || (process.getuid !== undefined && stat.uid !== process.getuid()) || (stat.mode & 0o022) !== 0) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `data` to `cacheFile` whole (temporary file, then rename); drops this command's stale caches. */
function writeCache(cacheFile: string, data: Buffer): void {
  const dir = dirname(cacheFile);
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    makeFolderSync(dir, 0o700);
    writeFileSync(temporary, data, { mode: 0o600 });
    renameSync(temporary, cacheFile);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Nothing was written.
    }
    return;
  }
  // Caches of this command for other bundle versions, a week untouched: an upgrade's leftovers.
  // (One still used by another Node.js is written again at its next run.)
  const name = cacheFile.slice(dir.length + 1);
  const prefix = name.slice(0, name.lastIndexOf("-") + 1);
  const stale = Date.now() - STALE_AFTER_MS;
  try {
    for (const other of readdirSync(dir)) {
      if (other === name || !other.startsWith(prefix) || !CACHE_NAME.test(other)) continue;
      if (statSync(join(dir, other)).mtimeMs < stale) rmSync(join(dir, other), { force: true });
    }
  } catch {
    // Only tidying.
  }
}
