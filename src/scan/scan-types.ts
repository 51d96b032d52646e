/**
 * Settings and progress shared by the live scan, `iocscan collect` and (later) the agent.
 *
 * @module
 */

/** How files are chosen and hashed. */
export interface FileScanSettings {
  /** Host paths to walk; empty or absent = the critical areas plus paths the IOCs name. */
  readonly scopes?: readonly string[];
  /** Globs of host paths never walked. */
  readonly excludes?: readonly string[];
  /** Only files whose host path matches this regular expression. */
  readonly hint?: RegExp;
  /** Walk into other mounted file systems (pseudo file systems are never walked). */
  readonly crossMounts?: boolean;
  /** Files larger than this are not hashed (reported as skipped). */
  readonly maxHashBytes?: number;
  /** The persistent hash cache folder; null turns the cache off. */
  readonly hashCachePath?: string | null;
}

/** A progress report: the counters so far and the object being looked at. */
export interface ScanProgress {
  readonly stats: Readonly<Record<string, number>>;
  readonly current: string;
}
