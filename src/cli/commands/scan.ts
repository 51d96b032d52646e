/**
 * `iocscan scan`: evaluate IOC files against this computer or a host snapshot.
 *
 * @module
 */
import { rename, writeFile } from "node:fs/promises";
import { Option, type Command } from "commander";
import { scanSnapshot, ScanSetupError } from "../../scan/snapshot-scan.js";
import { formatReport, type ReportFormat } from "../format/report.js";
import type { CliRun } from "../program.js";

interface ScanFlags {
  ioc: string[];
  snapshot?: string;
  format: ReportFormat;
  output?: string;
  eventMapping: boolean;
  mapNetworkTerms?: boolean;
}

/** Registers `scan`. */
export function registerScanCommand(program: Command, run: CliRun): void {
  program
    .command("scan")
    .description("Evaluate IOC files against a host snapshot (exit 0: nothing found, 1: detection, 2: error)")
    .requiredOption("--ioc <path>", "IOC file or folder (repeatable)", collect, [])
    .option("--snapshot <file>", "evaluate a host snapshot written by `iocscan collect` instead of this computer")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "ndjson", "csv"]).default("text"))
    .option("--output <file>", "write the report to a file instead of standard output")
    .option("--no-event-mapping", "treat FireEye HX event terms as unknown instead of mapping them to host state")
    .option("--map-network-terms", "read Network/DNS as a DNS entry's host name")
    .action(async (flags: ScanFlags) => {
      if (!flags.snapshot) {
        process.stderr.write("iocscan: live scanning of this computer is not available yet; pass --snapshot FILE\n");
        run.exitCode = 2;
        return;
      }
      try {
        const report = await scanSnapshot({
          iocPaths: flags.ioc,
          snapshotFile: flags.snapshot,
          mapEvents: flags.eventMapping,
          mapNetworkTerms: flags.mapNetworkTerms === true,
        });
        const text = formatReport(report, flags.format);
        if (flags.output) await writeAtomically(flags.output, text);
        else process.stdout.write(text);
        run.exitCode = report.detections.length > 0 ? 1 : 0;
      } catch (error) {
        if (!(error instanceof ScanSetupError)) throw error;
        process.stderr.write(`iocscan: ${error.message}\n`);
        run.exitCode = 2;
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A reader of the output file sees the old report or the new one, never half of one. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, file);
}
