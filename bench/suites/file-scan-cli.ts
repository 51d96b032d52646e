/**
 * Runs of the file-scan benchmark: the real `iocscan scan` CLI in a child process, and the
 * `find | xargs sha256sum` floor, each timed by wall clock; the peak RSS of a scan comes from
 * `/usr/bin/time -f %M` when installed.
 *
 * The scanner runs as it ships: JavaScript compiled from the current src/ (`compileScanner`, the
 * TypeScript compiler's per-file emit and the esbuild bundle of the CLI, as `npm run build` writes
 * dist/ and dist/bin/iocscan.cjs), not through tsx, whose
 * loader costs about a second of start-up per process on this machine. `runScan(..., "tsx")` runs
 * src/cli/main.ts through tsx (as test/cli/run-cli.ts) to show that cost.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const sourceMain = join(repo, "src/cli/main.ts");
const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
const TIME = "/usr/bin/time";
/** Against a hang; a scan of the million-file tree on a loaded machine takes minutes. */
const TIMEOUT_MS = 1_800_000;

export const haveGnuTime = existsSync(TIME);

/**
 * A new folder under `work` holding a copy of the user state that scans left in `template`: the
 * results database (a user's exists already; creating one costs a WAL set-up and the schema
 * migrations) and, unless `iocCache` is false, the IOC cache (the IOC files were loaded before).
 * Never the hash cache: each measured scan says whether it starts with one.
 */
export function copyUserState(work: string, template: string, options: { iocCache?: boolean } = {}): string {
  const folder = mkdtempSync(join(work, "db-"));
  for (const name of readdirSync(template)) {
    if (name.startsWith("results.db")) copyFileSync(join(template, name), join(folder, name));
    else if (name === "ioc-cache" && options.iocCache !== false) cpSync(join(template, name), join(folder, name), { recursive: true });
  }
  return folder;
}

/** One timed child process. */
export interface Timed {
  readonly wallMs: number;
  /** Peak resident set of the child, bytes (undefined without /usr/bin/time). */
  readonly maxRssBytes: number | undefined;
  /** User + system CPU time of the child and its waited-for children (NaN without /usr/bin/time). */
  readonly cpuMs: number;
}

/** What one scan reported, beside its timing. */
export interface ScanRun extends Timed {
  readonly stats: Readonly<Record<string, number>>;
  /** FullPaths of every object of every detection. */
  readonly found: readonly string[];
  readonly warnings: number;
}

interface ScanReportShape {
  detections: { objects: { id: string; fields: Record<string, unknown> }[]; omittedObjects?: number }[];
  stats: Record<string, number>;
  warnings: unknown[];
}

/**
 * Without /usr/bin/time, a node child reports its own peak RSS: this module, preloaded with
 * `--require`, writes `process.resourceUsage().maxRSS` (KiB; the whole process, workers
 * included) to the file named by the environment when the process exits.
 */
const RSS_HOOK = `process.on("exit", () => require("node:fs").writeFileSync(process.env.IOCSCAN_BENCH_RSS_FILE, process.resourceUsage().maxRSS + " NaN NaN"));`;

/** What {@link runTimed} returns: the timing and the child's output. */
export interface TimedResult extends Timed {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `command args` (under /usr/bin/time when it exists, else with the RSS hook when
 * `nodeChild`); throws on a signal or timeout. GNU time's figures are wait4's rusage: ru_maxrss
 * is the largest single process among the child and its waited-for descendants, not a sum.
 */
export function runTimed(command: string, args: readonly string[], options: { nodeChild?: boolean; cwd?: string; env?: Readonly<Record<string, string>> } = {}): TimedResult {
  const nodeChild = options.nodeChild === true;
  const scratch = mkdtempSync(join(tmpdir(), "iocscan-bench-time-"));
  const rssFile = join(scratch, "rss");
  const hook = join(scratch, "rss-hook.cjs");
  let extraEnv: Record<string, string> = {};
  if (!haveGnuTime && nodeChild) {
    writeFileSync(hook, RSS_HOOK);
    args = ["--require", hook, ...args];
    extraEnv = { IOCSCAN_BENCH_RSS_FILE: rssFile };
  }
  try {
    const [file, argv] = haveGnuTime ? [TIME, ["-f", "%M %U %S", "-o", rssFile, command, ...args]] : [command, [...args]];
    const start = performance.now();
    const result = spawnSync(file, argv, {
      encoding: "utf8",
      maxBuffer: 256 * 2 ** 20,
      timeout: TIMEOUT_MS,
      env: { ...process.env, ...options.env, ...extraEnv },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const wallMs = performance.now() - start;
    if (result.error) throw result.error;
    if (result.signal) throw new Error(`${command} ${args.join(" ")}: killed by ${result.signal}\n${result.stderr}`);
    // GNU time writes "Command exited with non-zero status N" before the figures: take the last line.
    const [rssKiB, user, system] = existsSync(rssFile) ? (readFileSync(rssFile, "utf8").trim().split("\n").pop() ?? "").split(" ").map(Number) : [];
    return {
      wallMs,
      maxRssBytes: rssKiB !== undefined && Number.isFinite(rssKiB) ? rssKiB * 1024 : undefined,
      cpuMs: ((user ?? NaN) + (system ?? NaN)) * 1000,
      status: result.status,
      stdout: result.stdout,
      stderr: result.stderr,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The floor of the peers' comparison: `find TREE -type f -print0 | xargs -0 -P2 sha256sum > /dev/null`. */
export function runFloor(tree: string): Timed {
  const r = runTimed("sh", ["-c", 'find "$1" -type f -print0 | xargs -0 -P2 sha256sum > /dev/null', "sh", tree]);
  if (r.status !== 0) throw new Error(`floor on ${tree} failed (exit ${r.status}): ${r.stderr}`);
  return r;
}

/** Reads every file of `tree` once, so every run sees a warm page cache. */
export function warmCache(tree: string): void {
  const r = spawnSync("sh", ["-c", 'find "$1" -type f -print0 | xargs -0 cat > /dev/null', "sh", tree], { stdio: "ignore" });
  if (r.status !== 0) throw new Error(`reading ${tree} failed (exit ${r.status})`);
}

/** Not part of the build (tsconfig.build.json "exclude"). */
const NOT_BUILT = /(\.test\.ts|\/conformance\.ts|\/_?test-[^/]*\.ts)$|\/_testdata\//;

/**
 * Compiles src/ into `folder` (src/**\/*.js beside a copy of package.json and a link to the
 * repository's node_modules), bundles the CLI as `npm run build` does (scripts/bundle-cli.ts,
 * into folder/bin/) and returns the bundle's entry point to run with node.
 */
export function compileScanner(folder: string): string {
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true, sourceMap: false };
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
  for (const file of walk(join(repo, "src"))) {
    if (NOT_BUILT.test(file) || file.endsWith(".d.ts")) continue;
    const out = join(folder, relative(repo, file)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(out), { recursive: true });
    const { outputText, diagnostics } = ts.transpileModule(readFileSync(file, "utf8"), { compilerOptions: options, fileName: file, reportDiagnostics: true });
    if (diagnostics !== undefined && diagnostics.length > 0) throw new Error(`compiling ${file}: ${ts.flattenDiagnosticMessageText(diagnostics[0]?.messageText ?? "", "\n")}`);
    writeFileSync(out, outputText);
  }
  copyFileSync(join(repo, "package.json"), join(folder, "package.json"));
  symlinkSync(join(repo, "node_modules"), join(folder, "node_modules"), "dir");
  // The native file lister as `npm run build:native` left it (the scan lists with node:fs without it).
  symlinkSync(join(repo, "native"), join(folder, "native"), "dir");
  const bundler = join(repo, "scripts/bundle-cli.ts");
  const bundled = spawnSync(process.execPath, ["--import", tsxLoader, bundler, "--emit-root", join(folder, "src"), "--package-root", folder, "--out-dir", join(folder, "bin")], { encoding: "utf8" });
  if (bundled.status !== 0) throw new Error(`bundling the CLI failed (exit ${bundled.status}): ${bundled.stderr}`);
  return join(folder, "bin/iocscan.cjs");
}

/** How the compiled scanner lists folders: "native" when the native lister is built (native/). */
export function scannerLister(): string {
  return existsSync(join(repo, "native/build/Release/iocscan_fs.node")) ? "the native lister (native/)" : "node:fs (the native lister is not built: npm run build:native)";
}

export interface ScanOptions {
  /** The compiled CLI (from compileScanner), or "tsx" to run src/ through the tsx loader. */
  readonly cli: string;
  readonly iocs: string;
  readonly scope: string;
  /** Folder for the results database, and the hash cache beside it. */
  readonly dbFolder: string;
  readonly hashCache: boolean;
  /** Extra node flags for the child (e.g. --cpu-prof). */
  readonly nodeFlags?: readonly string[];
  /** Extra `iocscan scan` options (e.g. --exclude GLOB). */
  readonly scanArgs?: readonly string[];
}

/** `iocscan scan --format json`; throws unless it ran and reported (exit 0 or 1). */
export function runScan(options: ScanOptions): ScanRun {
  const args = [
    ...(options.nodeFlags ?? []),
    ...(options.cli === "tsx" ? ["--import", tsxLoader, sourceMain] : [options.cli]),
    "scan",
    "--ioc",
    options.iocs,
    "--scope",
    options.scope,
    "--db",
    join(options.dbFolder, "results.db"),
    "--format",
    "json",
    ...(options.hashCache ? [] : ["--no-hash-cache"]),
    ...(options.scanArgs ?? []),
  ];
  // The launcher's V8 code cache (src/cli/code-cache.ts) beside the compiled scanner, not in
  // the user's ~/.cache: written by the first (warm-up) scan, as a user's first scan writes it.
  const env = options.cli === "tsx" ? {} : { IOCSCAN_CODE_CACHE_DIR: join(dirname(options.cli), "..", "code-cache") };
  const r = runTimed(process.execPath, args, { nodeChild: true, env });
  if (r.status !== 0 && r.status !== 1) throw new Error(`iocscan scan ${options.scope} failed (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
  let report: ScanReportShape;
  try {
    report = JSON.parse(r.stdout) as ScanReportShape;
  } catch {
    throw new Error(`iocscan scan ${options.scope} printed no JSON report: ${r.stdout.slice(0, 500)} ${r.stderr.slice(0, 500)}`);
  }
  const found: string[] = [];
  for (const detection of report.detections) {
    if ((detection.omittedObjects ?? 0) > 0) throw new Error(`iocscan scan ${options.scope}: ${detection.omittedObjects} detection objects omitted`);
    for (const object of detection.objects) found.push(typeof object.fields["FullPath"] === "string" ? object.fields["FullPath"] : object.id);
  }
  return { wallMs: r.wallMs, maxRssBytes: r.maxRssBytes, cpuMs: r.cpuMs, stats: report.stats, found, warnings: report.warnings.length };
}

/** Throws unless `run` found exactly the planted files, each once, and saw every file. */
export function checkRun(label: string, run: ScanRun, planted: readonly string[], files: number): void {
  const want = [...planted].sort();
  const got = [...run.found].sort();
  if (got.length !== want.length || got.some((path, i) => path !== want[i])) {
    const missing = want.filter((p) => !got.includes(p));
    const extra = got.filter((p) => !want.includes(p));
    throw new Error(`${label}: expected exactly the ${want.length} planted files; missing ${JSON.stringify(missing)}, unexpected ${JSON.stringify(extra)}`);
  }
  const seen = run.stats["filesSeen"] ?? 0;
  if (seen !== files) throw new Error(`${label}: the scan saw ${seen} files, the tree holds ${files} (stats ${JSON.stringify(run.stats)})`);
}
