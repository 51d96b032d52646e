/**
 * Where the agent keeps its credential, journal, outbox and status, and the layout inside.
 *
 * @module
 */
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/** What the default location depends on; each defaults to this process. */
export interface AgentStateDirOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly uid?: number;
  readonly home?: string;
}

/**
 * `$IOCSCAN_STATE_DIR/agent` when that is set (absolute), else `/var/lib/iocscan/agent` as root,
 * else `$XDG_STATE_HOME/iocscan/agent`, else `~/.local/state/iocscan/agent` (the same rule as the
 * results database's default).
 *
 * @example
 * ```ts
 * defaultAgentStateDir({ uid: 1000, env: {}, home: "/home/ann" }); // "/home/ann/.local/state/iocscan/agent"
 * ```
 */
export function defaultAgentStateDir(options: AgentStateDirOptions = {}): string {
  const override = (options.env ?? process.env)["IOCSCAN_STATE_DIR"];
  if (override !== undefined && isAbsolute(override)) return join(override, "agent");
  const uid = options.uid ?? process.getuid?.();
  if (uid === 0) return "/var/lib/iocscan/agent";
  const state = (options.env ?? process.env)["XDG_STATE_HOME"];
  // The XDG specification says a relative value is invalid and must be ignored.
  const base = state !== undefined && isAbsolute(state) ? state : join(options.home ?? homedir(), ".local", "state");
  return join(base, "iocscan", "agent");
}

/** The files and folders of one state directory. */
export interface AgentPaths {
  readonly root: string;
  /** The device credential (0600). */
  readonly credential: string;
  /** What the running agent is doing, for `iocscan agent status`. */
  readonly status: string;
  /** One JSON file per accepted run: the run journal. */
  readonly runs: string;
  /** Ids of console commands already executed. */
  readonly commands: string;
  /** One file per result not yet acknowledged by the server. */
  readonly outbox: string;
  /** Results the server refused for good (kept for inspection, never resent). */
  readonly rejected: string;
  /** Downloaded IOC files, named by their SHA-256. */
  readonly iocFiles: string;
  /** The scan's hash cache. */
  readonly hashCache: string;
  /** The scan's cache of loaded IOC files (a folder). */
  readonly iocCache: string;
  /** Per-run scan checkpoints (issue 6). */
  readonly checkpoints: string;
  /** Files seen by earlier runs, for the progress estimate. */
  readonly estimates: string;
}

/** The layout of `root`. */
export function agentPaths(root: string): AgentPaths {
  return {
    root,
    credential: join(root, "credential.json"),
    status: join(root, "status.json"),
    runs: join(root, "runs"),
    commands: join(root, "commands"),
    outbox: join(root, "outbox"),
    rejected: join(root, "rejected"),
    iocFiles: join(root, "ioc-files"),
    hashCache: join(root, "hash-cache"),
    iocCache: join(root, "ioc-cache"),
    checkpoints: join(root, "checkpoints"),
    estimates: join(root, "estimates.json"),
  };
}
