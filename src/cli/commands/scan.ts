/**
 * `iocscan scan`: evaluate IOC files against this computer, an image under `--root`, or a host
 * snapshot; print the report and record it in the local results database.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { writeFileAtomic } from "../../agent/atomic-file.js";
import type { ScanReport } from "../../core/report/index.js";
import { defaultHashCachePath, defaultIocCacheDir } from "../../scan/dependencies.js";
import { CheckpointError } from "../../scan/checkpoint/checkpoint-file.js";
import { resumeHostScan, scanHost } from "../../scan/host-scan.js";
import { ScanInterruptedError, type ScanStateChange } from "../../scan/live-scan.js";
import type { ScanProgress } from "../../scan/scan-types.js";
import { ScanSetupError } from "../../scan/prepare-plan.js";
import { defaultResultsDbPath } from "../../store/default-path.js";
import type { openSqliteStore } from "../../store/sqlite/index.js";
import { addDocumentSwitches, documentSwitches } from "../document-switches.js";
import { formatReport, type ReportFormat } from "../format/report.js";
import { createProgressLine } from "../progress-line.js";
import { collectPaths, collectValues, parseByteCount, parseRegex, parseRootFolder } from "../option-parsers.js";
import type { CliRun } from "../program.js";
import { outputFileProblem } from "../output-file.js";
import { interruptOnSignals } from "../interrupt-signals.js";
import { escapeForTerminal, quoteForTerminal } from "../../shared/terminal-text.js";

interface ScanFlags {
  ioc: string[];
  snapshot?: string;
  root?: string;
  scope: string[];
  exclude: string[];
  hint?: RegExp;
  crossMounts?: boolean;
  criticalAreas?: boolean;
  clamavDb?: string;
  action: "report" | "quarantine";
  quarantine?: string;
  protect: string[];
  maxHashSize?: number;
  hashCache: boolean;
  iocCache: boolean;
  db: string | false;
  format: ReportFormat;
  output?: string;
  eventMapping: boolean;
  mapNetworkTerms?: boolean;
  idleOnly?: boolean;
  maxCpu?: number;
  resume?: string | true;
  checkpoint: boolean;
  checkpointDir?: string;
  checkpointInterval: number;
  [flag: string]: unknown;
}

/** Registers `scan`. */
export function registerScanCommand(program: Command, run: CliRun): void {
  const command = program
    .command("scan")
    .description("Scan this computer (or an image, or a snapshot) with IOC files; exit 0: nothing found, 1: detection, 2: error")
    .option("--ioc <path>", "IOC file or folder (repeatable; required unless --resume)", collectValues, [])
    .option("--snapshot <file>", "evaluate a host snapshot written by `iocscan collect` instead of this computer")
    .option("--root <dir>", "scan a mounted image or offline copy whose / is DIR (processes, ports, ARP stay unknown)", parseRootFolder)
    .option("--scope <dir>", "folder to walk for files (repeatable; default: the critical areas of Linux plus paths named by the IOCs)", collectPaths, [])
    .option("--exclude <glob>", "host paths never walked (repeatable)", collectValues, [])
    .option("--hint <regex>", "only collect files whose path matches", parseRegex)
    .option("--cross-mounts", "walk into other mounted file systems (pseudo file systems never)")
    .addOption(new Option("--action <action>", "on detection: report only, or move a copy to quarantine and delete the object (processes are terminated)").choices(["report", "quarantine"]).default("report"))
    .option("--quarantine <dir>", "quarantine store folder (default /var/lib/iocscan/quarantine as root)")
    .option("--protect <glob>", "host paths no action may touch, besides the loader, libc, init and login shells (repeatable)", collectValues, [])
    .option("--critical-areas", "after a scan that found something, also scan running processes, kernel modules, boot sectors and startup objects")
    .option("--clamav-db <dir>", "ClamAV database folder for the Critical Areas Scan (default /var/lib/clamav)")
    .option("--max-hash-size <bytes>", "files larger than this are not hashed, and reported", parseByteCount)
    .option("--no-hash-cache", "do not reuse or record digests of unchanged files")
    .option("--no-ioc-cache", "parse every IOC file again: do not reuse or record loaded IOC files")
    .option("--db <path>", `results database (default ${defaultResultsDbPath()})`)
    .option("--no-db", "do not record the scan in the results database")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "ndjson", "csv"]).default("text"))
    .option("--output <file>", "write the report to a file instead of standard output")
    .option("--no-event-mapping", "treat FireEye HX event terms as unknown instead of mapping them to host state")
    .option("--map-network-terms", "read Network/DNS as a DNS entry's host name")
    .option("--idle-only", "run only while the computer is idle (session locked, screensaver on, or a headless machine at rest); pause while it is in use and go on where it stopped")
    .option("--max-cpu <percent>", "hold the scan's CPU use near PERCENT of one core (1-100)", parsePercent)
    .option("--resume [id]", "continue the interrupted scan ID with its own settings; without ID, list the interrupted scans")
    .option("--checkpoint-dir <dir>", `where checkpoints of running scans are kept (default ${defaultCheckpointDir()})`)
    .option("--checkpoint-interval <seconds>", "longest time between two checkpoints: the work repeated after a crash", parseSeconds, 15)
    .option("--no-checkpoint", "do not write checkpoints (an interrupted scan then starts over)");
  addDocumentSwitches(command).action(async (flags: ScanFlags) => {
    try {
      if (flags.resume === true) {
        process.stdout.write(await formatInterrupted(checkpointDirOf(flags)));
        run.exitCode = 0;
        return;
      }
      if (flags.resume === undefined && flags.ioc.length === 0) throw new ScanSetupError("--ioc is required (or --resume ID)");
      if (flags.resume !== undefined && (flags.ioc.length > 0 || flags.snapshot)) {
        throw new ScanSetupError("--resume continues a scan with the settings it was started with: give no --ioc or --snapshot");
      }
      if (flags.snapshot && flags.action !== "report") {
        throw new ScanSetupError("--action quarantine needs a scan of this computer or an image: the objects of a snapshot are not here");
      }
      const outputProblem = flags.output === undefined ? undefined : outputFileProblem(flags.output);
      if (outputProblem !== undefined) throw new ScanSetupError(`--output: ${outputProblem}`);
      // Loaded while the scan runs: its compile fills moments the scan waits for the file workers.
      const store = flags.db === false ? undefined : loadResultsStore();
      const report = flags.snapshot ? await (await import("../../scan/snapshot-scan.js")).scanSnapshot({ ...termSwitches(flags), ...iocCacheSettings(flags), iocPaths: flags.ioc, snapshotFile: flags.snapshot }) : await scanThisHost(flags);
      const recorded = store !== undefined && (await recordReport(report, flags, store));
      const text = formatReport(report, flags.format);
      if (flags.output) {
        // A reader of the output file sees the old report or the new one, never half of one.
        await writeFileAtomic(flags.output, text).catch((error: unknown) => {
          const kept = recorded ? ` (the scan is recorded: iocscan results show ${report.scanId})` : "";
          throw new ScanSetupError(`cannot write the report to "${flags.output}": ${error instanceof Error ? error.message : String(error)}${kept}`);
        });
      }
      else process.stdout.write(text);
      run.exitCode = report.detections.length > 0 ? 1 : 0;
    } catch (error) {
      if (!(error instanceof ScanSetupError)) throw error;
      process.stderr.write(`iocscan: ${escapeForTerminal(error.message)}\n`);
      run.exitCode = 2;
    }
  });
}

/** `iocscan scan --resume`: the interrupted scans, one per line. */
async function formatInterrupted(dir: string): Promise<string> {
  const { listCheckpoints } = await import("../../scan/checkpoint/checkpoint-file.js");
  const scans = await listCheckpoints(dir);
  if (scans.length === 0) return `no interrupted scan in ${quoteForTerminal(dir)}\n`;
  const line = (s: (typeof scans)[number]): string =>
    s.problem ? `${quoteForTerminal(s.scanId)}  unusable: ${s.problem}` : `${quoteForTerminal(s.scanId)}  started ${s.startedAt ?? "?"}  checkpoint ${s.savedAt ?? "?"}  ${s.phase ?? ""}`;
  return scans.map((s) => `${escapeForTerminal(line(s))}\n`).join("");
}

function defaultCheckpointDir(): string {
  return join(dirname(defaultResultsDbPath()), "scans");
}

function checkpointDirOf(flags: ScanFlags): string {
  return flags.checkpointDir ?? (typeof flags.db === "string" ? join(dirname(flags.db), "scans") : defaultCheckpointDir());
}

function parsePercent(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError("a whole percentage from 1 to 100");
  return n;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new InvalidArgumentError("seconds, more than 0 and at most 3600");
  return n;
}

/** Runs a scan, turning an interruption into the message that says how to resume it. */
async function resumable(scan: () => Promise<ScanReport>, flags: ScanFlags): Promise<ScanReport> {
  try {
    return await scan();
  } catch (error) {
    if (error instanceof ScanInterruptedError && error.notSaved !== undefined) throw new ScanSetupError(error.message);
    if (error instanceof ScanInterruptedError) throw new ScanSetupError(`scan interrupted; continue it with: iocscan scan --resume ${error.scanId}${resumeLocation(flags)}`);
    if (error instanceof CheckpointError) throw new ScanSetupError(error.message);
    throw error;
  }
}

async function scanThisHost(flags: ScanFlags): Promise<ScanReport> {
  const dbPath = typeof flags.db === "string" ? flags.db : defaultResultsDbPath();
  // NDJSON streams progress events on standard output; otherwise a terminal gets a status line.
  const progress = flags.format === "ndjson" && !flags.output ? ndjsonProgress() : createProgressLine();
  // Ctrl-C and SIGTERM stop a checkpointed scan cleanly: it writes its checkpoint and can be resumed.
  const interrupt = flags.checkpoint ? interruptOnSignals() : undefined;
  const reporting = {
    onCacheUnavailable: (file: string, error: unknown) =>
      // A scan without the cache is slower, never wrong: go on and say so.
      process.stderr.write(`${escapeForTerminal(`iocscan: hash cache "${file}" unavailable (${error instanceof Error ? error.message : String(error)}); hashing without it`)}\n`),
    ...(progress ? { onProgress: (p: ScanProgress) => progress.update(p), onStateChange: (c: ScanStateChange) => progress.state?.(c) } : {}),
    ...(interrupt ? { signal: interrupt.signal } : {}),
    ...iocCacheSettings(flags),
    checkpointIntervalMs: flags.checkpointInterval * 1000,
  };
  try {
    if (typeof flags.resume === "string") {
      return await resumable(() => resumeHostScan(checkpointDirOf(flags), flags.resume as string, reporting), flags);
    }
    return await resumable(() =>
      scanHost({
        ...termSwitches(flags),
        ...reporting,
        iocPaths: flags.ioc,
        ...(flags.root ? { root: flags.root } : {}),
        scopes: flags.scope,
        excludes: flags.exclude,
        ...(flags.hint ? { hint: flags.hint } : {}),
        crossMounts: flags.crossMounts === true,
        criticalAreas: flags.criticalAreas === true,
        ...(flags.clamavDb ? { clamavDatabase: flags.clamavDb } : {}),
        ...(flags.maxHashSize ? { maxHashBytes: flags.maxHashSize } : {}),
        switches: documentSwitches(flags),
        action: flags.action,
        ...(flags.quarantine ? { quarantineDir: flags.quarantine } : {}),
        protect: flags.protect,
        ...(flags.hashCache ? { hashCacheFile: defaultHashCachePath(dbPath) } : {}),
        ...(flags.checkpoint ? { checkpointDir: checkpointDirOf(flags) } : {}),
        idleOnly: flags.idleOnly === true,
        ...(flags.maxCpu !== undefined ? { maxCpu: flags.maxCpu } : {}),
      }),
      flags,
    );
  } finally {
    interrupt?.release();
    progress?.done();
  }
}

/**
 * The options a resumed scan needs to find the interrupted one's checkpoint and record it where
 * it would have been: `--checkpoint-dir`, `--db` (which places the default checkpoint folder)
 * or `--no-db`, as they were given.
 */
function resumeLocation(flags: ScanFlags): string {
  const words: string[] = [];
  if (flags.checkpointDir !== undefined) words.push("--checkpoint-dir", shellWord(flags.checkpointDir));
  if (typeof flags.db === "string") words.push("--db", shellWord(flags.db));
  if (flags.db === false) words.push("--no-db");
  return words.length === 0 ? "" : ` ${words.join(" ")}`;
}

/** `text` as one word for a POSIX shell. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

function ndjsonProgress(): { update(p: ScanProgress): void; state(c: ScanStateChange): void; done(): void } {
  return {
    update: (p) => process.stdout.write(`${JSON.stringify({ type: "progress", at: new Date().toISOString(), stats: p.stats, current: p.current })}\n`),
    state: (c) => process.stdout.write(`${JSON.stringify({ type: "state", at: new Date().toISOString(), state: c.state, detail: c.detail })}\n`),
    done: () => undefined,
  };
}

type ResultsStoreModule = { readonly openSqliteStore: typeof openSqliteStore };

/**
 * The results store's module, loaded on demand: the query builder is hundreds of modules that a
 * --no-db scan never needs. A failure to load is held for {@link recordReport} to report.
 */
function loadResultsStore(): Promise<ResultsStoreModule | { failed: unknown }> {
  return import("../../store/sqlite/index.js").catch((failed: unknown) => ({ failed }));
}

/** Records `report` in the results database; false (after saying why) when it could not. */
async function recordReport(report: ScanReport, flags: ScanFlags, loading: Promise<ResultsStoreModule | { failed: unknown }>): Promise<boolean> {
  const path = typeof flags.db === "string" ? flags.db : defaultResultsDbPath();
  try {
    const loaded = await loading;
    if ("failed" in loaded) throw loaded.failed;
    const store = await loaded.openSqliteStore(path);
    try {
      await store.saveScan(report);
    } finally {
      await store.close();
    }
    return true;
  } catch (error) {
    process.stderr.write(`${escapeForTerminal(`iocscan: could not record the scan in "${path}": ${error instanceof Error ? error.message : String(error)}`)}\n`);
    return false;
  }
}

/**
 * The IOC cache beside the results database (the default one under `--no-db`, like the hash
 * cache), unless `--no-ioc-cache`.
 */
function iocCacheSettings(flags: ScanFlags): { iocCacheDir?: string; onIocCacheUnavailable?: (dir: string, error: unknown) => void } {
  if (!flags.iocCache) return {};
  return {
    iocCacheDir: defaultIocCacheDir(typeof flags.db === "string" ? flags.db : defaultResultsDbPath()),
    onIocCacheUnavailable: (dir, error) =>
      // Loading without the cache is slower, never different: go on and say so.
      process.stderr.write(`${escapeForTerminal(`iocscan: IOC cache "${dir}" unavailable (${error instanceof Error ? error.message : String(error)}); loading IOC files without it`)}\n`),
  };
}

function termSwitches(flags: ScanFlags): { mapEvents: boolean; mapNetworkTerms: boolean } {
  return { mapEvents: flags.eventMapping, mapNetworkTerms: flags.mapNetworkTerms === true };
}

