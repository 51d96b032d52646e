/**
 * The command tree of `iocscan`.
 *
 * Each command's module is imported only when that command runs (or for the full help): a scan
 * must not load the server, the agent, the query builder and the schema library first.
 *
 * @module
 */
import { Command } from "commander";
import { escapeForTerminal } from "../shared/terminal-text.js";
import { VERSION } from "./version.js";

/** What a command reports back to the runner: the process exit status (DESIGN.md section 5). */
export interface CliRun {
  exitCode: number;
}

type Register = (program: Command, run: CliRun) => void;

/** Every sub-command, in the order of the help, with the import of its module. */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  scan: async () => (await import("./commands/scan.js")).registerScanCommand,
  collect: async () => (await import("./commands/collect.js")).registerCollectCommand,
  ioc: async () => (await import("./commands/ioc.js")).registerIocCommands,
  results: async () => (await import("./commands/results.js")).registerResultsCommands,
  quarantine: async () => (await import("./commands/quarantine.js")).registerQuarantineCommands,
  agent: async () => (await import("./commands/agent.js")).registerAgentCommand,
  server: async () => (await import("./commands/server.js")).registerServerCommand,
};

/**
 * Builds the `iocscan` program. With `argv` (the arguments it will parse), only the command they
 * name is registered (none for `--version`); without, or when they name none (`--help`, a typo),
 * every command is.
 */
export async function buildProgram(run: CliRun, argv?: readonly string[]): Promise<Command> {
  const program = new Command("iocscan")
    .description("Find indicators of compromise (OpenIOC 1.0 and 1.1) on computers and respond to them")
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride()
    // commander repeats a bad argument as given (a path with ESC, CR or LF in it). An error is one
    // line: escaped whole, so a newline in the value cannot start a line of its own. The help after
    // it is commander's own text, escaped line by line.
    .configureOutput({
      writeErr: (text) => process.stderr.write(text.split("\n").map(escapeForTerminal).join("\n")),
      outputError: (text, write) => write(`${escapeForTerminal(text.replace(/\n$/, ""))}\n`),
    });
  // The program has no options of its own besides --help/--version: the first word is the command.
  const named = argv?.find((arg) => !arg.startsWith("-"));
  const versionOnly = named === undefined && argv !== undefined && (argv.includes("--version") || argv.includes("-V"));
  const chosen = versionOnly ? [] : named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
  const registers = await Promise.all(chosen.map((name) => (COMMANDS[name] as () => Promise<Register>)()));
  for (const register of registers) register(program, run);
  return program;
}
