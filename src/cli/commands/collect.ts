/**
 * `iocscan collect`: write a host snapshot for evaluation elsewhere.
 *
 * @module
 */
import { InvalidArgumentError, type Command } from "commander";
import { collectSnapshot, type CollectOptions } from "../../scan/collect-snapshot.js";
import { defaultHashCachePath, scanDependencies } from "../../scan/dependencies.js";
import { openHashCache } from "../../scan/hash-cache/index.js";
import { defaultResultsDbPath } from "../../store/index.js";
import { addDocumentSwitches, documentSwitches } from "../document-switches.js";
import { collectPaths, collectValues, parseRegex, parseRootFolder } from "../option-parsers.js";
import type { CliRun } from "../program.js";
import { interruptOnSignals } from "../interrupt-signals.js";
import { escapeForTerminal } from "../../shared/terminal-text.js";

interface CollectFlags {
  out?: string;
  root?: string;
  scope: string[];
  exclude: string[];
  hint?: RegExp;
  crossMounts?: boolean;
  hashes: NonNullable<CollectOptions["hashes"]>;
  strings?: boolean;
  hashCache: boolean;
  [flag: string]: unknown;
}

const ALGORITHMS = ["md5", "sha1", "sha256"] as const;

/** Registers `collect`. */
export function registerCollectCommand(program: Command, run: CliRun): void {
  const command = program
    .command("collect")
    .description("Write a host snapshot (JSON) of this computer or an image, for `iocscan scan --snapshot` elsewhere")
    .option("--out <file>", "write the snapshot to a file (written completely, then renamed into place) instead of standard output")
    .option("--root <dir>", "collect from a mounted image or offline copy whose / is DIR", parseRootFolder)
    .option("--scope <dir>", "folder to walk for files (repeatable; default: the critical areas of Linux)", collectPaths, [])
    .option("--exclude <glob>", "host paths never walked (repeatable)", collectValues, [])
    .option("--hint <regex>", "only collect files whose path matches", parseRegex)
    .option("--cross-mounts", "walk into other mounted file systems (pseudo file systems never)")
    .option("--hashes <list>", "digests to compute for every file: md5,sha1,sha256 or none", parseHashes, [...ALGORITHMS])
    .option("--strings", "also collect printable strings of files (large)")
    .option("--no-hash-cache", "do not reuse or record digests of unchanged files");
  addDocumentSwitches(command).action(async (flags: CollectFlags) => {
    const cache = flags.hashCache ? openCacheOrWarn(defaultHashCachePath(defaultResultsDbPath())) : undefined;
    // Ctrl-C or SIGTERM: the collection stops and leaves no partial file behind.
    const interrupt = interruptOnSignals();
    try {
      const summary = await collectSnapshot(
        {
          ...(flags.out ? { out: flags.out } : {}),
          ...(flags.root ? { root: flags.root } : {}),
          scopes: flags.scope,
          excludes: flags.exclude,
          ...(flags.hint ? { hint: flags.hint } : {}),
          crossMounts: flags.crossMounts === true,
          hashes: flags.hashes,
          strings: flags.strings === true,
          switches: documentSwitches(flags),
          onWarning: (w) => process.stderr.write(`iocscan: ${w.document}: ${escapeForTerminal(w.message)}\n`),
          signal: interrupt.signal,
        },
        scanDependencies(cache),
      );
      process.stderr.write(`iocscan: collected ${summary.records} records of ${summary.documents.join(", ")}; ${summary.warnings} warnings\n`);
      run.exitCode = 0;
    } finally {
      interrupt.release();
      cache?.close();
    }
  });
}

function parseHashes(text: string): NonNullable<CollectOptions["hashes"]> {
  if (text === "none") return [];
  const names = text.split(",").map((s) => s.trim().toLowerCase());
  const bad = names.find((n) => !(ALGORITHMS as readonly string[]).includes(n));
  if (bad !== undefined) throw new InvalidArgumentError(`unknown digest "${bad}" (md5, sha1, sha256 or none)`);
  return names as (typeof ALGORITHMS)[number][];
}

/** The hash cache, or none (said why): a collection without it is slower, never wrong, as a scan's. */
function openCacheOrWarn(folder: string): ReturnType<typeof openHashCache> | undefined {
  try {
    return openHashCache(folder);
  } catch (error) {
    process.stderr.write(`iocscan: ${escapeForTerminal(`hash cache "${folder}" unavailable (${error instanceof Error ? error.message : String(error)}); collecting without it`)}\n`);
    return undefined;
  }
}
