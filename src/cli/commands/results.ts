/**
 * `iocscan results list|show`: the scans recorded in the local results database.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { InvalidArgumentError, Option, type Command } from "commander";
import { defaultResultsDbPath } from "../../store/default-path.js";
import type { ResultsStore, ScanSummary } from "../../store/index.js";
import { formatReport } from "../format/report.js";
import type { CliRun } from "../program.js";
import { escapeForTerminal, quoteForTerminal } from "../../shared/terminal-text.js";

interface ListFlags {
  db?: string;
  json?: boolean;
  limit: number;
}

interface ShowFlags {
  db?: string;
  format: "text" | "json";
}

/** Registers `results list` and `results show`. */
export function registerResultsCommands(program: Command, run: CliRun): void {
  const results = program.command("results").description("Show the scans recorded in the local results database");
  const dbHelp = `results database (default ${defaultResultsDbPath()})`;
  results
    .command("list")
    .description("List recorded scans, newest first")
    .option("--db <path>", dbHelp)
    .option("--json", "print a JSON array of scan summaries")
    .option("--limit <n>", "how many scans to list (1 to 1000)", parseLimit, 20)
    .action(async (flags: ListFlags) => {
      const scans = (await withStore(flags.db, run, (store) => store.listScans({ limit: flags.limit }))) ?? [];
      if (run.exitCode !== 0) return;
      process.stdout.write(flags.json ? `${JSON.stringify(scans, null, 2)}\n` : formatList(scans));
    });
  results
    .command("show")
    .description("Show one recorded scan with its detections (exit 2 for an unknown id)")
    .argument("<id>", "scan id, as `results list` shows it")
    .option("--db <path>", dbHelp)
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (id: string, flags: ShowFlags) => {
      const found = await withStore(flags.db, run, async (store) => {
        const [summary, report] = await Promise.all([store.getSummary(id), store.getScan(id)]);
        return summary && report ? { summary, report } : undefined;
      });
      if (run.exitCode !== 0) return;
      if (found === undefined) {
        process.stderr.write(`${escapeForTerminal(`iocscan: no scan "${id}" in the results database`)}\n`);
        run.exitCode = 2;
        return;
      }
      const { summary, report } = found;
      process.stdout.write(flags.format === "json" ? formatReport(report, "json") : `${formatSummary(summary)}\n${formatReport(report, "text")}`);
    });
}

/**
 * Runs `use` on the store at `db` (or the default location) and closes it. A database that does
 * not exist yet is not created by these read-only commands: it reads as empty. On an error
 * opening or reading it, reports it and sets exit status 2.
 */
async function withStore<T>(db: string | undefined, run: CliRun, use: (store: ResultsStore) => Promise<T>): Promise<T | undefined> {
  const file = db ?? defaultResultsDbPath();
  if (!existsSync(file)) return undefined;
  let store: ResultsStore | undefined;
  try {
    // Loaded on use: the query builder is hundreds of modules every other command would pay for.
    const { openSqliteStore } = await import("../../store/sqlite/index.js");
    store = await openSqliteStore(file);
    return await use(store);
  } catch (error) {
    process.stderr.write(`${escapeForTerminal(`iocscan: Cannot read the results database "${file}": ${error instanceof Error ? error.message : String(error)}`)}\n`);
    run.exitCode = 2;
    return undefined;
  } finally {
    await store?.close();
  }
}

const LIST_COLUMNS = ["ID", "STARTED (UTC)", "HOST", "SOURCE", "IOCS", "DETECTIONS", "STATUS"];

function formatList(scans: readonly ScanSummary[]): string {
  if (scans.length === 0) return "No scans recorded.\n";
  const rows = scans.map((s) => [
    quoteForTerminal(s.id),
    shortTime(s.startedAt),
    s.host ? quoteForTerminal(s.host) : "unknown host",
    s.source.kind,
    String(s.iocCount),
    String(s.detectionCount),
    s.status,
  ]);
  const widths = LIST_COLUMNS.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return `${[line(LIST_COLUMNS), ...rows.map(line)].map(escapeForTerminal).join("\n")}\n`;
}

function formatSummary(s: ScanSummary): string {
  const seconds = Math.round((Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000);
  const source = s.source.kind === "snapshot" ? `snapshot ${quoteForTerminal(s.source.file)}` : "live";
  return [
    `Scan ${quoteForTerminal(s.id)} of ${s.host ? quoteForTerminal(s.host) : "unknown host"} (${source})`,
    `  started ${shortTime(s.startedAt)} UTC, took ${seconds} s`,
    `  ${s.status}: ${s.detectionCount} detection${s.detectionCount === 1 ? "" : "s"}, ${s.warningCount} warning${s.warningCount === 1 ? "" : "s"}, ${s.iocCount} IOC${s.iocCount === 1 ? "" : "s"}`,
    "",
  ]
    .map(escapeForTerminal)
    .join("\n");
}

/** `2026-11-28T00:02:03.000Z` -> `2026-11-28 00:02:03`. */
function shortTime(iso: string): string {
  return iso.slice(0, 19).replace("T", " ");
}

function parseLimit(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 1000) throw new InvalidArgumentError("expected a whole number from 1 to 1000");
  return value;
}
