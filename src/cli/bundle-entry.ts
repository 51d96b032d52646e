/**
 * What the CLI bundle (scripts/bundle-cli.ts) exports to its launcher, bin.ts.
 *
 * @module
 */
export { runCli } from "./run-cli.js";
export { adoptFileWorker } from "../collectors/file/file-workers.js";
