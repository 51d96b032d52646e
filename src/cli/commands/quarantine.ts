/**
 * `iocscan quarantine list|show|restore|delete|purge`: the local quarantine store.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import {
  DEFAULT_RETENTION,
  defaultQuarantineDir,
  deleteEntry,
  listEntries,
  openQuarantine,
  purge,
  restoreEntry,
  showEntry,
  type QuarantineEntry,
  type QuarantineStore,
} from "../../actions/quarantine/index.js";
import type { CliRun } from "../program.js";
import { escapeForTerminal, quoteForTerminal } from "../../shared/terminal-text.js";

interface StoreFlags {
  quarantine?: string;
}
interface JsonFlags extends StoreFlags {
  json?: boolean;
}
interface RestoreFlags extends StoreFlags {
  to?: string;
  force?: boolean;
}
interface PurgeFlags extends StoreFlags {
  olderThan: number;
  maxSize: number;
}

/** Registers `quarantine` and its sub-commands. */
export function registerQuarantineCommands(program: Command, run: CliRun): void {
  const quarantine = program.command("quarantine").description("List, restore and delete files moved to the quarantine by `scan --action quarantine`");
  const dirHelp = `quarantine folder (default ${defaultQuarantineDir()})`;
  quarantine
    .command("list")
    .description("List quarantined files, oldest first")
    .option("--quarantine <dir>", dirHelp)
    .option("--json", "print a JSON array of entries")
    .action(async (flags: JsonFlags) => {
      // A store that does not exist yet is not created by listing it.
      const entries = existsSync(storeDir(flags)) ? await withStore(flags, run, listWithWarnings) : [];
      if (entries === undefined) return;
      process.stdout.write(flags.json === true ? `${JSON.stringify(entries, null, 2)}\n` : formatList(entries));
    });
  quarantine
    .command("show")
    .description("Show one entry: original path, owner, times, SHA-256, the IOC and scan that caused it")
    .argument("<id>", "entry id, as `quarantine list` shows it")
    .option("--quarantine <dir>", dirHelp)
    .option("--json", "print the entry as JSON")
    .action(async (id: string, flags: JsonFlags) => {
      const entry = await withStore(flags, run, (store) => showEntry(store, id));
      if (run.exitCode !== 0) return;
      if (entry === undefined) return fail(run, `no quarantine entry "${id}"`);
      process.stdout.write(flags.json === true ? `${JSON.stringify(entry, null, 2)}\n` : formatEntry(entry));
    });
  quarantine
    .command("restore")
    .description("Recreate a quarantined file with its bytes, mode, owner and times (the entry is kept, marked restored)")
    .argument("<id>", "entry id")
    .option("--to <path>", "absolute destination file, or a folder to restore into (default: the original path)")
    .option("--force", "replace a file that exists at the destination")
    .option("--quarantine <dir>", dirHelp)
    .action(async (id: string, flags: RestoreFlags) => {
      const options = { ...(flags.to === undefined ? {} : { to: flags.to }), force: flags.force === true };
      const result = await withStore(flags, run, (store) => restoreEntry(store, id, options));
      if (result === undefined) return;
      process.stdout.write(`Restored ${quoteForTerminal(id)} to ${quoteForTerminal(result.path)} (${result.size} bytes, SHA-256 ${result.sha256} verified${result.ownerRestored ? "" : "; owner not restored: not run as root"})\n`);
    });
  quarantine
    .command("delete")
    .description("Delete an entry for good")
    .argument("<id>", "entry id")
    .option("--quarantine <dir>", dirHelp)
    .action(async (id: string, flags: StoreFlags) => {
      const deleted = await withStore(flags, run, (store) => deleteEntry(store, id));
      if (deleted === undefined) return;
      if (!deleted) return fail(run, `no quarantine entry "${id}"`);
      process.stdout.write(`Deleted ${quoteForTerminal(id)}\n`);
    });
  quarantine
    .command("purge")
    .description("Delete entries older than a number of days, then the oldest until the store fits a size")
    .option("--older-than <days>", "remove entries quarantined more than DAYS days ago (0: all)", parseDays, DEFAULT_RETENTION.olderThanDays)
    .option("--max-size <bytes>", "then remove the oldest until at most BYTES are stored", parseBytes, DEFAULT_RETENTION.maxBytes)
    .option("--quarantine <dir>", dirHelp)
    .action(async (flags: PurgeFlags) => {
      const result = await withStore(flags, run, (store) => purge(store, { olderThanDays: flags.olderThan, maxBytes: flags.maxSize }));
      if (result === undefined) return;
      process.stdout.write(`Removed ${result.removed.length} entr${result.removed.length === 1 ? "y" : "ies"} (${result.freedBytes} bytes)\n`);
    });
}

/** The entries, after warning about any that cannot be read (they are not listed). */
async function listWithWarnings(store: QuarantineStore): Promise<QuarantineEntry[]> {
  for (const damaged of store.repair.damaged) process.stderr.write(`iocscan: warning: damaged quarantine entry ${quoteForTerminal(damaged)}\n`);
  return listEntries(store);
}

function storeDir(flags: StoreFlags): string {
  return flags.quarantine ?? defaultQuarantineDir();
}

/** Opens the store (no retention: only `purge` removes entries here) and runs `use`; errors exit 2. */
async function withStore<T>(flags: StoreFlags, run: CliRun, use: (store: QuarantineStore) => Promise<T>): Promise<T | undefined> {
  try {
    return await use(await openQuarantine({ dir: storeDir(flags), retention: false }));
  } catch (error) {
    fail(run, error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

function fail(run: CliRun, message: string): void {
  process.stderr.write(`iocscan: ${escapeForTerminal(message)}\n`);
  run.exitCode = 2;
}

const LIST_COLUMNS = ["ID", "QUARANTINED (UTC)", "SIZE", "STATE", "IOC", "ORIGINAL PATH"];

function formatList(entries: readonly QuarantineEntry[]): string {
  if (entries.length === 0) return "The quarantine is empty.\n";
  const rows = entries.map(({ meta, restored }) => [
    quoteForTerminal(meta.id),
    shortTime(meta.quarantinedAt),
    String(meta.size),
    restored.length > 0 ? "restored" : "quarantined",
    quoteForTerminal(meta.cause.iocTitle || meta.cause.iocId),
    quoteForTerminal(meta.originalPath),
  ]);
  const widths = LIST_COLUMNS.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return `${[line(LIST_COLUMNS), ...rows.map(line)].map(escapeForTerminal).join("\n")}\n`;
}

/** The entry for a person; the original path, IOC and host are quoted when they hold a control character. */
function formatEntry({ meta, storedBytes, restored }: QuarantineEntry): string {
  const time = (ms: number): string => new Date(ms).toISOString();
  return [
    `Entry ${quoteForTerminal(meta.id)}`,
    `  original path   ${quoteForTerminal(meta.originalPath)}`,
    `  size            ${meta.size} bytes (${storedBytes} stored, encrypted)`,
    `  mode            ${(meta.mode & 0o7777).toString(8).padStart(4, "0")}`,
    `  owner           uid ${meta.uid}, gid ${meta.gid}`,
    `  modified        ${time(meta.mtimeMs)}`,
    `  accessed        ${time(meta.atimeMs)}`,
    `  changed         ${time(meta.ctimeMs)}`,
    `  SHA-256         ${meta.sha256}`,
    `  IOC             ${quoteForTerminal(meta.cause.iocTitle)} (${quoteForTerminal(meta.cause.iocId)})`,
    `  scan            ${quoteForTerminal(meta.cause.scanId)}`,
    `  quarantined     ${meta.quarantinedAt} on ${quoteForTerminal(meta.host)}`,
    ...(restored.length === 0 ? ["  restored        never"] : restored.map((mark) => `  restored        ${mark.at} to ${quoteForTerminal(mark.to)}`)),
    "",
  ]
    .map(escapeForTerminal)
    .join("\n");
}

/** `2026-11-28T00:02:03.000Z` -> `2026-11-28 00:02:03`. */
function shortTime(iso: string): string {
  return iso.slice(0, 19).replace("T", " ");
}

function parseDays(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) throw new InvalidArgumentError("expected a number of days, 0 or more");
  return value;
}

function parseBytes(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new InvalidArgumentError("expected a whole number of bytes, 0 or more");
  return value;
}
