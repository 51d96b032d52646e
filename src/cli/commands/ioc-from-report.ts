/**
 * `iocscan ioc from-report REPORT.json`: a sandbox report in, an OpenIOC 1.1 file out.
 *
 * Exit status: 0 an IOC was written, 1 the report yields no IOC (the reason is printed), 2 bad
 * input (unreadable file, not JSON, not a known report, a report that breaks its format).
 *
 * @module
 */
import { open } from "node:fs/promises";
import { Option, type Command } from "commander";
import { writeFileAtomic } from "../../agent/atomic-file.js";
import { cuckoo3Part } from "../../formats/sandbox/cuckoo3.js";
import { iocFromReport, type DroppedIndicator, type IocFromReportResult, type SandboxFormat } from "../../formats/sandbox/index.js";
import { parseByteCount } from "../option-parsers.js";
import type { CliRun } from "../program.js";
import { escapeForTerminal, quoteForTerminal } from "../../shared/terminal-text.js";

interface FromReportFlags {
  format: SandboxFormat | "auto";
  output?: string;
  json?: boolean;
  maxSize: number;
}

/** A report file that cannot be used, with the file named. */
class BadReport extends Error {}

/** Registers `ioc from-report` under `ioc`. */
export function registerIocFromReportCommand(ioc: Command, run: CliRun): void {
  ioc
    .command("from-report")
    .description("Generate an OpenIOC 1.1 file from a sandbox report (CAPE, Cuckoo3, Triage, VMRay or the generic JSON)")
    .argument("<reports...>", "the report JSON; for Cuckoo3, post.json optionally followed by pre.json (the sample's hashes)")
    .addOption(new Option("--format <format>", "report format").choices(["auto", "cape", "cuckoo3", "triage", "vmray", "generic"]).default("auto"))
    .option("--output <file>", "write the IOC to this file (atomically) instead of standard output")
    .option("--json", "print the result object (IOC XML, summary, dropped values) as JSON instead")
    .option("--max-size <bytes>", "largest report accepted", parseByteCount, 256 * 1024 * 1024)
    .action(async (paths: string[], flags: FromReportFlags) => {
      let result: IocFromReportResult;
      try {
        const report = await readReports(paths, flags.maxSize);
        result = iocFromReport(report, { format: flags.format, now: new Date() });
      } catch (error) {
        // Anything else (a reference list the install lacks, a bug) still names the report.
        const where = error instanceof BadReport ? "" : `${paths.join(" + ")}: `;
        process.stderr.write(`iocscan: ${escapeForTerminal(`${where}${error instanceof Error ? error.message : String(error)}`)}\n`);
        run.exitCode = 2;
        return;
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        printDropped(result.dropped);
        if (result.generated) {
          if (flags.output) await writeFileAtomic(flags.output, result.xml, 0o644);
          else process.stdout.write(result.xml);
          process.stderr.write(`iocscan: ${result.items} indicator items written${flags.output ? ` to ${quoteForTerminal(flags.output)}` : ""} (${result.dropped.length} values left out)\n`);
        } else {
          process.stderr.write(`iocscan: no IOC: ${escapeForTerminal(result.reason)}\n`);
        }
      }
      if (!result.generated && result.summary === undefined) run.exitCode = 2;
      else run.exitCode = result.generated ? 0 : 1;
    });
}

/** Reads one report, or a Cuckoo3 post.json and pre.json as `{ post, pre }`. */
async function readReports(paths: readonly string[], maxBytes: number): Promise<unknown> {
  if (paths.length > 2) throw new BadReport(`expected one report (or a Cuckoo3 post.json and pre.json), got ${paths.length} files`);
  const reports = await Promise.all(paths.map((path) => readJson(path, maxBytes)));
  if (reports.length === 1) return reports[0];
  const parts = reports.map((r) => cuckoo3Part(r));
  const pre = parts.indexOf("pre");
  const post = parts.indexOf("post");
  if (pre < 0 || post < 0) throw new BadReport(`two files are read only as a Cuckoo3 post.json and pre.json: ${paths.join(", ")} are not that pair`);
  return { pre: reports[pre], post: reports[post] };
}

async function readJson(path: string, maxBytes: number): Promise<unknown> {
  let text: string;
  try {
    const handle = await open(path, "r");
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new BadReport(`${path}: not a regular file`);
      if (info.size > maxBytes) throw new BadReport(`${path}: ${info.size} bytes, larger than --max-size ${maxBytes}`);
      text = await handle.readFile("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof BadReport) throw error;
    throw new BadReport(`${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BadReport(`${path}: not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function printDropped(dropped: readonly DroppedIndicator[]): void {
  for (const d of dropped) {
    // Values come from the sandbox report, that is from the sample: quoted when they hold a control character.
    const value = quoteForTerminal(d.value.length > 160 ? `${d.value.slice(0, 157)}...` : d.value);
    process.stderr.write(`${escapeForTerminal(`left out ${d.kind} ${value}: ${d.reason}`)}\n`);
  }
}
