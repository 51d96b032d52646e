/**
 * The package version, read once from package.json.
 *
 * @module
 */
import { readFileSync } from "node:fs";

const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

/** The version of this iocscan build. */
export const VERSION: string = packageJson.version;
