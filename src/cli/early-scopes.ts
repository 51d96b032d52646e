/**
 * The folders an `iocscan scan --scope DIR ...` command line names, read by the launcher (bin.ts)
 * before the CLI loads, so that the first file worker streams them while the CLI, the IOCs and
 * the plan load (about 50 ms sooner than the scan could ask it to: see file-workers.ts,
 * prestartFileWorker). Only for a scan of this computer that streams its scopes at once
 * (live-scan.ts): undefined for one with `--root`, `--resume`, `--snapshot`, `--exclude`, `--hint`,
 * `--idle-only`, `--max-cpu` or `--files off`, asking for help, or holding any argument this reading does not
 * know, so that it never names folders the scan would not walk as given. The CLI still parses the
 * command line itself; a test holds these tables to the scan command's options.
 *
 * @module
 */
import { resolve } from "node:path";
import { normalizeScopes } from "../scan/file-scope.js";
import { pathFromText } from "../shared/path-text.js";

/**
 * Options of `iocscan scan` that take a value (the next argument, or `--option=value`), the
 * per-document switches (document-switches.ts, `--files on|off`, ...) last.
 */
export const SCAN_VALUE_OPTIONS: ReadonlySet<string> = new Set([
  "--ioc",
  "--snapshot",
  "--root",
  "--scope",
  "--exclude",
  "--hint",
  "--action",
  "--quarantine",
  "--protect",
  "--clamav-db",
  "--max-hash-size",
  "--db",
  "--format",
  "--output",
  "--max-cpu",
  "--checkpoint-dir",
  "--checkpoint-interval",
  ...["files", "processes", "ports", "arp", "routes", "system", "users", "groups", "volumes", "modules", "services", "tasks", "dns"].map((name) => `--${name}`),
]);

/** Options of `iocscan scan` that take no value. `--resume` takes one or none. */
export const SCAN_FLAGS: ReadonlySet<string> = new Set([
  "--cross-mounts",
  "--critical-areas",
  "--no-hash-cache",
  "--no-ioc-cache",
  "--no-db",
  "--no-event-mapping",
  "--map-network-terms",
  "--idle-only",
  "--resume",
  "--no-checkpoint",
  "--help",
]);

/** Options after which the scan does not stream its scopes at once, or not as named. */
const NOT_STREAMED = new Set(["--root", "--resume", "--snapshot", "--exclude", "--hint", "--idle-only", "--max-cpu", "--help"]);

/** The absolute, normalized scopes of `argv` (the arguments after `node iocscan.js`) if it is such a scan. */
export function earlyScanScopes(argv: readonly string[], cwd: string): string[] | undefined {
  if (argv[0] !== "scan") return undefined;
  const scopes: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] as string;
    // An operand, `--`, a short option (-h): none belongs to a plain scan.
    if (!arg.startsWith("--") || arg === "--") return undefined;
    const equals = arg.indexOf("=");
    const name = equals < 0 ? arg : arg.slice(0, equals);
    if (NOT_STREAMED.has(name)) return undefined;
    if (SCAN_VALUE_OPTIONS.has(name)) {
      // A required value is the next argument, whatever it starts with (as the CLI reads it).
      const value = equals < 0 ? argv[++i] : arg.slice(equals + 1);
      if (value === undefined) return undefined;
      if (name === "--scope") scopes.push(value);
      if (name === "--files" && value !== "on") return undefined;
    } else if (!SCAN_FLAGS.has(name) || equals >= 0) {
      return undefined;
    }
  }
  // Read as the CLI reads --scope (option-parsers.ts, collectPaths): text form.
  return scopes.length > 0 ? normalizeScopes(scopes.map((scope) => resolve(cwd, pathFromText(scope)))) : undefined;
}
