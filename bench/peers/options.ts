/**
 * Command-line options of `npm run bench:peers -- [options]`.
 *
 * @module
 */
import { parseArgs } from "node:util";

export interface PeersOptions {
  /** Small trees, 1 run, short scaling curves: a smoke test of about a minute. */
  readonly quick: boolean;
  readonly runs: number;
  /** Keep the temporary folder (its path is printed). */
  readonly keep: boolean;
  /** Largest tree of the files scaling curve (metadata only). */
  readonly maxFiles: number;
  /** Largest list of the IOC-count scaling curve. */
  readonly maxIocs: number;
  readonly scaling: boolean;
  /** Only the files scaling curve (no trees, no peers, no IOC curve). */
  readonly filesOnly: boolean;
  /** Only the IOC-count scaling curve (tree A is generated for it; no peers, no files curve). */
  readonly iocsOnly: boolean;
  /** The 100,000-hash and MD5 cases on tree A (never with --quick). */
  readonly extras: boolean;
  /** Write BENCHMARKS.md's peers section and the SVG charts. */
  readonly write: boolean;
}

export const USAGE = `npm run bench:peers -- [--quick] [--runs N] [--keep] [--max-files N] [--max-iocs N] [--no-scaling] [--files-only] [--iocs-only] [--no-extras] [--write | --no-write]`;

export function parseOptions(argv: readonly string[]): PeersOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean", default: false },
      runs: { type: "string" },
      keep: { type: "boolean", default: false },
      "max-files": { type: "string" },
      "max-iocs": { type: "string" },
      "no-scaling": { type: "boolean", default: false },
      "files-only": { type: "boolean", default: false },
      "iocs-only": { type: "boolean", default: false },
      "no-extras": { type: "boolean", default: false },
      write: { type: "boolean" },
      "no-write": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const count = (text: string | undefined, fallback: number, name: string): number => {
    if (text === undefined) return fallback;
    const n = Number(text.replace(/[_,]/g, ""));
    if (!Number.isInteger(n) || n < 1) throw new Error(`Option --${name} needs a positive whole number, got "${text}"`);
    return n;
  };
  const quick = values.quick;
  return {
    quick,
    runs: count(values.runs, quick ? 1 : 5, "runs"),
    keep: values.keep,
    maxFiles: count(values["max-files"], quick ? 1000 : 1_000_000, "max-files"),
    maxIocs: count(values["max-iocs"], quick ? 1000 : 1_000_000, "max-iocs"),
    scaling: !values["no-scaling"],
    filesOnly: values["files-only"],
    iocsOnly: values["iocs-only"],
    extras: !values["no-extras"],
    write: values["no-write"] ? false : (values.write ?? !quick),
  };
}
