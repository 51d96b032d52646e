/**
 * Where the stand-alone scan keeps its results database when no `--db` is given.
 *
 * @module
 */
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/** What the default location depends on; each defaults to this process. */
export interface DefaultPathOptions {
  env?: Readonly<Record<string, string | undefined>>;
  uid?: number;
  home?: string;
}

/**
 * `$IOCSCAN_STATE_DIR/results.db` when that is set (an absolute path: one folder for all of
 * iocscan's state, as root too; containers, tests), else `/var/lib/iocscan/results.db` as root,
 * else `$XDG_STATE_HOME/iocscan/results.db`, else `~/.local/state/iocscan/results.db` (the XDG
 * base directory default for state).
 *
 * @example
 * ```ts
 * defaultResultsDbPath({ uid: 1000, env: {}, home: "/home/ann" }); // "/home/ann/.local/state/iocscan/results.db"
 * ```
 */
export function defaultResultsDbPath(options: DefaultPathOptions = {}): string {
  const override = (options.env ?? process.env)["IOCSCAN_STATE_DIR"];
  if (override !== undefined && isAbsolute(override)) return join(override, "results.db");
  const uid = options.uid ?? process.getuid?.();
  if (uid === 0) return "/var/lib/iocscan/results.db";
  const state = (options.env ?? process.env)["XDG_STATE_HOME"];
  // The XDG specification says a relative value is invalid and must be ignored.
  const base = state !== undefined && isAbsolute(state) ? state : join(options.home ?? homedir(), ".local", "state");
  return join(base, "iocscan", "results.db");
}
