/**
 * Public types of the quarantine store.
 *
 * @module
 */
import type { ReportAction } from "../../core/report/index.js";

/** Why a file was quarantined: the detection that caused it. */
export interface QuarantineCause {
  readonly iocId: string;
  readonly iocTitle: string;
  readonly scanId: string;
}

/** The authenticated description of one entry (stored in the entry file's trailer). */
export interface EntryMeta {
  readonly format: "iocscan-quarantine-entry";
  readonly version: 1;
  readonly id: string;
  /**
   * The path it was quarantined from, in text form (src/shared/path-text.ts): a name that is
   * not UTF-8 is written with `\xHH` escapes, and restore reads them back to the exact bytes.
   */
  readonly originalPath: string;
  /** Plaintext size in bytes. */
  readonly size: number;
  /** The full st_mode (type and permission bits). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Times in milliseconds since the epoch, with Node's sub-millisecond fraction. */
  readonly atimeMs: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  /** SHA-256 of the plaintext, lower-case hex. */
  readonly sha256: string;
  readonly cause: QuarantineCause;
  /** ISO 8601 (UTC). */
  readonly quarantinedAt: string;
  readonly host: string;
  /** AES-256-GCM nonce and tag, hex: binding them into the authenticated metadata ties it to the ciphertext. */
  readonly iv: string;
  readonly tag: string;
}

/** One restore of an entry (entries are kept after a restore until deleted or purged). */
export interface RestoreMark {
  readonly at: string;
  readonly to: string;
}

/** What `listEntries` / `showEntry` return. */
export interface QuarantineEntry {
  readonly meta: EntryMeta;
  /** Bytes the entry takes in the store (its file size). */
  readonly storedBytes: number;
  readonly restored: readonly RestoreMark[];
}

/** A receipt for one quarantine attempt: the report's action entry. */
export interface QuarantineReceipt extends ReportAction {
  readonly type: "quarantine";
  readonly objectId: string;
}

/** Retention limits; `Infinity` switches a limit off. */
export interface RetentionOptions {
  /** Entries quarantined more than this many days ago are removed (default 30). */
  readonly olderThanDays?: number;
  /** Oldest entries are removed until the store holds at most this many bytes (default 1 GiB). */
  readonly maxBytes?: number;
}

/** Options of `openQuarantine`. */
export interface OpenQuarantineOptions {
  /** The store folder (default: `defaultQuarantineDir()`). */
  readonly dir?: string;
  /** Retention applied on open and after each quarantine; `false` = none (default 30 days / 1 GiB). */
  readonly retention?: RetentionOptions | false;
}

/** What `openQuarantine` found and fixed from an interrupted run. */
export interface RepairReport {
  /** Half-written temporary files of dead processes, removed. */
  readonly removedTemporary: readonly string[];
  /** Entry files that cannot be read (bad trailer or metadata that fails authentication), left in place. */
  readonly damaged: readonly string[];
}

/** An open store. Its key material is held outside this object (see _keys.ts), so logging it leaks nothing. */
export interface QuarantineStore {
  /** The store folder, with symbolic links resolved. */
  readonly dir: string;
  readonly retention: Required<RetentionOptions> | false;
  readonly repair: RepairReport;
}

/** Options of `restoreEntry`. */
export interface RestoreOptions {
  /** Absolute destination file, or an existing folder to restore into (default: the original path). */
  readonly to?: string;
  /** Replace an existing file at the destination. */
  readonly force?: boolean;
}

/** Declares the action for the audit trail (style guide, "Adding an action"). */
export const QUARANTINE_ACTION = { type: "quarantine", permission: "fs.write", reversible: true, supportsDryRun: false } as const;
