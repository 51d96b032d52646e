/**
 * The code cache of the CLI bundle: written after a run without one, accepted by the next run,
 * a damaged or foreign cache refused or not read and written anew, never a reason to fail.
 * Each load runs in a process of its own, as the CLI does: within one process V8 reuses what it
 * compiled before and never looks at a cache. Every file is in a temp folder made here.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeCacheFile, type CodeCacheUse } from "./code-cache.js";

const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
const codeCacheModule = new URL("./code-cache.ts", import.meta.url).href;

let work: string;
let bundle: string;

interface Loaded {
  readonly cache: CodeCacheUse;
  /** What the bundle's exports gave: sum([1, 2, 3]), its __filename/__dirname, path.sep. */
  readonly sum: number;
  readonly where: { filename: string; dirname: string };
  readonly separator: string;
}

/** Loads `bundle` with `cacheFile` in a new node process, then saves the cache (unless `save` is false). */
function load(cacheFile: string | undefined, save = true): Loaded {
  const script = `
    import { requireWithCodeCache } from ${JSON.stringify(codeCacheModule)};
    const loaded = requireWithCodeCache(process.argv[1], process.argv[2] || undefined);
    const { sum, where, separator } = loaded.exports;
    if (process.argv[3] === "save") loaded.save();
    process.stdout.write(JSON.stringify({ cache: loaded.cache, sum: sum([1, 2, 3]), where, separator }));`;
  const child = spawnSync(process.execPath, ["--import", tsxLoader, "--input-type=module", "-e", script, bundle, cacheFile ?? "", save ? "save" : ""], { encoding: "utf8", timeout: 60_000 });
  if (child.status !== 0) throw new Error(`loading failed (exit ${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout) as Loaded;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-code-cache-"));
  bundle = join(work, "bundle.cjs");
  // Enough functions for a cache worth the name, some only compiled when called.
  const helpers = Array.from({ length: 50 }, (_, i) => `function helper${i}(x) { return x * ${i} + ${i}; }`).join("\n");
  writeFileSync(
    bundle,
    `${helpers}
module.exports.sum = (values) => values.reduce((total, value) => total + helper1(value) - 1, 0);
module.exports.where = { filename: __filename, dirname: __dirname };
module.exports.separator = require("node:path").sep;
`,
  );
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("requireWithCodeCache", () => {
  it("runs the file as CommonJS, writes its cache once, and the next load accepts it", () => {
    const cacheFile = join(work, "cache-a", "scan-0123456789abcdef.v8");
    const first = load(cacheFile);
    expect(first).toEqual({ cache: "absent", sum: 6, where: { filename: bundle, dirname: work }, separator: "/" });
    const written = statSync(cacheFile);
    expect(written.size).toBeGreaterThan(0);
    expect(written.mode & 0o777).toBe(0o600);
    expect(statSync(join(work, "cache-a")).mode & 0o777).toBe(0o700);
    const second = load(cacheFile);
    expect(second.cache).toBe("accepted");
    expect(second.sum).toBe(6);
    // Accepted: nothing written again.
    expect(statSync(cacheFile).mtimeMs).toBe(written.mtimeMs);
  });

  it("refuses a damaged cache, still runs the file, and writes a sound one", () => {
    const cacheFile = join(work, "cache-b", "scan-0123456789abcdef.v8");
    mkdirSync(join(work, "cache-b"), { mode: 0o700 });
    writeFileSync(cacheFile, Buffer.alloc(4096, 0x5a), { mode: 0o600 });
    const damaged = load(cacheFile);
    expect(damaged.cache).toBe("rejected");
    expect(damaged.sum).toBe(6);
    expect(load(cacheFile).cache).toBe("accepted");
  });

  it("does not read a cache others may write, and works without a cache file at all", () => {
    const cacheFile = join(work, "cache-c", "scan-0123456789abcdef.v8");
    load(cacheFile);
    chmodSync(cacheFile, 0o666);
    expect(load(cacheFile, false).cache).toBe("absent");
    expect(load(undefined)).toMatchObject({ cache: "off", sum: 6 });
  });

  it("never fails for a cache folder it cannot create", () => {
    const blocker = join(work, "a-file");
    writeFileSync(blocker, "not a folder");
    expect(load(join(blocker, "cache", "scan-0123456789abcdef.v8"))).toMatchObject({ cache: "absent", sum: 6 });
  });

  it("drops the command's caches of other bundle versions a week old, keeps recent ones and other commands'", () => {
    const dir = join(work, "cache-d");
    mkdirSync(dir, { mode: 0o700 });
    const weekOld = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    for (const name of ["scan-aaaaaaaaaaaaaaaa.v8", "server-bbbbbbbbbbbbbbbb.v8"]) {
      writeFileSync(join(dir, name), "old", { mode: 0o600 });
      utimesSync(join(dir, name), weekOld, weekOld);
    }
    writeFileSync(join(dir, "scan-cccccccccccccccc.v8"), "recent", { mode: 0o600 });
    load(join(dir, "scan-0123456789abcdef.v8"));
    expect(readdirSync(dir).sort()).toEqual(["scan-0123456789abcdef.v8", "scan-cccccccccccccccc.v8", "server-bbbbbbbbbbbbbbbb.v8"]);
  });
});

describe("codeCacheFile", () => {
  it("is per command, under the XDG cache folder or the one named, and off when asked", () => {
    const env = { XDG_CACHE_HOME: join(work, "xdg") };
    const user = 1000;
    const scan = codeCacheFile(bundle, "scan", env, user) as string;
    expect(scan).toMatch(new RegExp(`^${join(work, "xdg", "iocscan", "code-cache")}/scan-[0-9a-f]{16}\\.v8$`));
    expect(codeCacheFile(bundle, "server", env, user)).toMatch(/\/server-[0-9a-f]{16}\.v8$/);
    expect(codeCacheFile(bundle, "--help", env, user)).toMatch(/\/other-[0-9a-f]{16}\.v8$/);
    expect(codeCacheFile(bundle, undefined, env, user)).toMatch(/\/other-[0-9a-f]{16}\.v8$/);
    expect(codeCacheFile(bundle, "scan", { IOCSCAN_CODE_CACHE_DIR: join(work, "named") }, user)).toMatch(new RegExp(`^${join(work, "named")}/scan-`));
    expect(codeCacheFile(bundle, "scan", { ...env, IOCSCAN_CODE_CACHE: "off" }, user)).toBeUndefined();
    expect(codeCacheFile(join(work, "missing.cjs"), "scan", env, user)).toBeUndefined();
    // A relative XDG_CACHE_HOME is invalid (XDG): ~/.cache.
    expect(codeCacheFile(bundle, "scan", { XDG_CACHE_HOME: "relative" }, user)).toMatch(/\/\.cache\/iocscan\/code-cache\/scan-/);
  });

  it("as root, is under /var/cache whatever HOME and XDG_CACHE_HOME say, unless a folder is named", () => {
    expect(codeCacheFile(bundle, "scan", { XDG_CACHE_HOME: join(work, "xdg"), HOME: "/home/someone" }, 0)).toMatch(/^\/var\/cache\/iocscan\/code-cache\/scan-[0-9a-f]{16}\.v8$/);
    expect(codeCacheFile(bundle, "scan", { IOCSCAN_CODE_CACHE_DIR: join(work, "named") }, 0)).toMatch(new RegExp(`^${join(work, "named")}/scan-`));
  });

  it("changes with the bundle, so an upgrade does not meet the old cache", () => {
    const env = { XDG_CACHE_HOME: join(work, "xdg") };
    const other = join(work, "bundle-2.cjs");
    writeFileSync(other, "module.exports = 1;\n");
    const before = codeCacheFile(other, "scan", env, 1000);
    writeFileSync(other, "module.exports = 22;\n");
    utimesSync(other, new Date(Date.now() + 5000), new Date(Date.now() + 5000));
    expect(codeCacheFile(other, "scan", env, 1000)).not.toBe(before);
  });
});
