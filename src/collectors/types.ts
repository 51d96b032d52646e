/**
 * The collector contract: one collector per OpenIOC document, declared as data (document, terms,
 * platforms, permission) plus an async generator of records. The scan runner picks collectors
 * from the plan, gives each a context, and evaluates records as they stream in.
 *
 * Adding a collector: a folder `src/collectors/<name>/` with `<name>.ts` (the definition),
 * `<name>.test.ts` (runs the conformance suite plus cases), and one line in `registry.ts`.
 *
 * @module
 */
import type { HostRecord } from "../core/evaluate/index.js";
import type { Platform } from "../core/vocabulary/index.js";

export type { HostRecord } from "../core/evaluate/index.js";

/**
 * The host as collectors see it: every path is a path on the scanned host ("/etc/passwd"), which
 * `toDisk` maps under `--root` for a mounted image or offline copy.
 */
export interface HostView {
  /** The folder the host's `/` is at on this machine ("/" for a live scan). */
  readonly root: string;
  /** True when the scanned host is this running machine: /proc, sockets and processes are real. */
  readonly live: boolean;
  /** A host path → the path to open on this machine. */
  toDisk(hostPath: string): string;
  /** A path on this machine (under root) → the host path reported to the user. */
  toHost(diskPath: string): string;
}

/** A problem with one object that did not stop the collector (EACCES on one file, a vanished pid). */
export interface CollectorWarning {
  /** Stable code, e.g. `permission-denied`, `vanished`, `symlink-loop`, `too-large`, `not-regular`. */
  readonly code: string;
  readonly message: string;
  /** The host path or object id concerned. */
  readonly path?: string;
}

/** What a collector is given for one run. */
export interface CollectorContext {
  readonly host: HostView;
  /** The record fields the loaded IOCs need (keys without `Document/`); collect at least these. */
  readonly fields: ReadonlySet<string>;
  /** Reports a per-object problem; the collector goes on. */
  warn(warning: CollectorWarning): void;
  /** Counts things for the report's stats (`filesSeen`, `bytesHashed`, ...). */
  count(stat: string, by?: number): void;
  /** Aborted when the scan is cancelled or paused: stop yielding soon. */
  readonly signal?: AbortSignal;
  /**
   * Where the scan may pause, pace itself or take a checkpoint, as it does after each record: a
   * collector that leaves many objects out without a record (a gate) calls it after such a run,
   * at a point where every object before is done, so that a scan with few records still pauses
   * when asked, keeps to its CPU limit and saves its position.
   */
  between?(): Promise<void>;
}

/** The declaration and implementation of one collector. */
export interface Collector<Options = undefined> {
  /** kebab-case, the document without "Item": `file`, `process`, `dns-entry`. */
  readonly name: string;
  /** The OpenIOC document of its records, e.g. `FileItem`. */
  readonly document: string;
  readonly platforms: readonly Platform[];
  /** True when it reads the running system (/proc, sockets): unavailable with `--root`. */
  readonly liveOnly: boolean;
  /** Every field it can fill (record keys without `Document/`); each must be a vocabulary term. */
  readonly fields: readonly string[];
  /** What it needs: `fs.read`, `process.read`, `net.read`. */
  readonly permission: string;
  /** One sentence: where the data comes from. */
  readonly description: string;
  /** Yields records; throws only when it cannot run at all. */
  collect(context: CollectorContext, options: Options): AsyncIterable<HostRecord>;
}
