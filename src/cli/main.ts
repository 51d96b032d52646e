#!/usr/bin/env node
/**
 * The `iocscan` command line: argument parsing only. Each command calls one library function and
 * formats its result.
 *
 * @module
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildProgram } from "./program.js";

/** Runs the CLI with `argv` (without the node and script entries); resolves to the exit status. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const run = { exitCode: 0 };
  try {
    const program = await buildProgram(run, argv);
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    // commander throws CommanderError for --help, --version and usage errors (exitOverride).
    if (error instanceof Error && "exitCode" in error && typeof error.exitCode === "number") {
      return error.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`iocscan: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  return run.exitCode;
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  process.exitCode = await runCli(process.argv.slice(2));
}
