#!/usr/bin/env node
/**
 * The `iocscan` command as shipped (dist/bin/iocscan.cjs, made by scripts/bundle-cli.ts): a small
 * launcher for the CLI bundle beside it (iocscan-cli.cjs). CommonJS, like the bundle: a CommonJS
 * entry spares node the start of its ES module loader (about 7 ms of every command here).
 *
 * Both things it does are about start-up time, which every command pays (BENCHMARKS.md, "Fixed
 * cost"): the bundle is loaded through V8's code cache (code-cache.ts), and for a scan the first
 * file worker thread starts before the bundle loads, so that the thread's own start-up runs on
 * another core while this one loads the CLI, the IOCs and the plan; when the scan names its
 * scopes (early-scopes.ts), the worker then lists them meanwhile.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFileWorkerThread, streamFromLaunch } from "../collectors/file/worker-program.js";
import type * as Cli from "./bundle-entry.js";
import { codeCacheFile, requireWithCodeCache } from "./code-cache.js";
import { earlyScanScopes } from "./early-scopes.js";

const argv = process.argv.slice(2);
// As program.ts reads it: the program has no options of its own, the first word is the command.
const command = argv.find((arg) => !arg.startsWith("-"));
const helpOnly = argv.some((arg) => arg === "--help" || arg === "-h" || arg === "--version" || arg === "-V");
const firstWorker = command === "scan" && !helpOnly ? startFileWorkerThread() : undefined;
// The scopes a plain scan names: the worker lists them as soon as it runs.
const scopes = firstWorker === undefined ? undefined : earlyScanScopes(argv, process.cwd());
const launched = firstWorker !== undefined && scopes !== undefined ? streamFromLaunch(firstWorker, scopes) : undefined;

const bundle = join(dirname(fileURLToPath(import.meta.url)), "iocscan-cli.cjs");
const cli = requireWithCodeCache<typeof Cli>(bundle, codeCacheFile(bundle, command));
if (firstWorker !== undefined) cli.exports.adoptFileWorker(firstWorker, launched);
// No top-level await: the launcher is built as CommonJS.
void cli.exports.runCli(argv).then((status) => {
  // A run that did its work (0: done, 1: found something) compiled what the next one will need;
  // one that printed help, the version or a usage error compiled little of it.
  if ((status === 0 || status === 1) && !helpOnly) cli.save();
  process.exitCode = status;
});
