#!/usr/bin/env node
/**
 * The `iocscan` command line run from its sources (through tsx, as the tests do). The shipped
 * command is the bundle that scripts/bundle-cli.ts makes, started by bin.ts.
 *
 * @module
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runCli } from "./run-cli.js";

export { runCli };

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  process.exitCode = await runCli(process.argv.slice(2));
}
