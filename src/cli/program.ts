/**
 * The command tree of `iocscan`.
 *
 * @module
 */
import { Command } from "commander";
import { registerAgentCommand } from "./commands/agent.js";
import { registerCollectCommand } from "./commands/collect.js";
import { registerIocCommands } from "./commands/ioc.js";
import { registerQuarantineCommands } from "./commands/quarantine.js";
import { registerResultsCommands } from "./commands/results.js";
import { registerScanCommand } from "./commands/scan.js";
import { registerServerCommand } from "./commands/server.js";
import { VERSION } from "./version.js";

/** What a command reports back to the runner: the process exit status (DESIGN.md section 5). */
export interface CliRun {
  exitCode: number;
}

/** Builds the `iocscan` program with every sub-command registered. */
export function buildProgram(run: CliRun): Command {
  const program = new Command("iocscan")
    .description("Find indicators of compromise (OpenIOC 1.0 and 1.1) on computers and respond to them")
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerScanCommand(program, run);
  registerCollectCommand(program, run);
  registerIocCommands(program, run);
  registerResultsCommands(program, run);
  registerQuarantineCommands(program, run);
  registerAgentCommand(program, run);
  registerServerCommand(program, run);
  return program;
}
