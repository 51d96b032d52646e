/**
 * `iocscan ioc ...`: tools for IOC files.
 *
 * @module
 */
import { Option, type Command } from "commander";
import { loadIocFiles } from "../../scan/load-iocs.js";
import { createRe2Engine } from "../../scan/regex/re2-engine.js";
import { formatCheckJson, formatCheckText } from "../format/check.js";
import { parseByteCount } from "../option-parsers.js";
import { registerIocConvert } from "./ioc-convert.js";
import type { CliRun } from "../program.js";
import { registerIocFromReportCommand } from "./ioc-from-report.js";

interface CheckFlags {
  json?: boolean;
  platform: "linux" | "win" | "osx";
  eventMapping: boolean;
  mapNetworkTerms?: boolean;
  maxSize: number;
  verbose?: boolean;
}

/** Registers `ioc check` and `ioc from-report`. */
export function registerIocCommands(program: Command, run: CliRun): void {
  const ioc = program.command("ioc").description("Validate and convert IOC files");
  ioc
    .command("check")
    .description("Validate OpenIOC files and tell what of them this platform can evaluate")
    .argument("<paths...>", "IOC files, or folders searched recursively for *.ioc and *.xml")
    .option("--json", "print a JSON array, one object per file")
    .addOption(new Option("--platform <os>", "platform the IOCs will run on").choices(["linux", "win", "osx"]).default("linux"))
    .option("--no-event-mapping", "treat FireEye HX event terms as unknown instead of mapping them to host state")
    .option("--map-network-terms", "read Network/DNS as a DNS entry's host name")
    .option("--max-size <bytes>", "largest IOC file accepted", parseByteCount, 10 * 1024 * 1024)
    .option("-v, --verbose", "also show informational diagnostics")
    .action(async (paths: string[], flags: CheckFlags) => {
      const loaded = await loadIocFiles(paths, {
        platform: flags.platform,
        mapEvents: flags.eventMapping,
        mapNetworkTerms: flags.mapNetworkTerms === true,
        maxBytes: flags.maxSize,
        regexEngine: createRe2Engine(),
      });
      const output = flags.json ? formatCheckJson(loaded) : formatCheckText(loaded, { verbose: flags.verbose === true, platform: flags.platform });
      process.stdout.write(output);
      // Exit 2 when any file is unusable, or when the paths held no IOC file at all.
      run.exitCode = loaded.length === 0 || loaded.some((file) => !file.ok) ? 2 : 0;
      if (loaded.length === 0) process.stderr.write("iocscan: no IOC files (*.ioc, *.xml) found in the given paths\n");
    });
  registerIocFromReportCommand(ioc, run);
  registerIocConvert(ioc, run);
}

