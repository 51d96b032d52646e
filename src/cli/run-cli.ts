/**
 * Runs the `iocscan` command line: parses the arguments, runs the command they name, and turns
 * what it throws into a message and an exit status.
 *
 * @module
 */
import { stopWhenOutputCloses } from "./closed-output.js";
import { buildProgram } from "./program.js";
import { escapeForTerminal } from "../shared/terminal-text.js";

/** Runs the CLI with `argv` (without the node and script entries); resolves to the exit status. */
export async function runCli(argv: readonly string[]): Promise<number> {
  stopWhenOutputCloses();
  const run = { exitCode: 0 };
  try {
    const program = await buildProgram(run, argv);
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    // commander throws CommanderError for --help, --version and usage errors (exitOverride).
    if (error instanceof Error && "exitCode" in error && typeof error.exitCode === "number") {
      return error.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`iocscan: ${escapeForTerminal(error instanceof Error ? error.message : String(error))}\n`);
    return 2;
  }
  return run.exitCode;
}
