/**
 * The quarantine store: "move a copy to quarantine, delete the object", with restore. Entries are
 * encrypted (AES-256-GCM, per-store key) so they can neither run nor be detected again by a scan.
 * See quarantine-file.ts for the safe order and _entry-file.ts for the on-disk format.
 *
 * @module
 */
export { completeEarlierQuarantine } from "./complete-earlier.js";
export { deleteEntry, listEntries, showEntry } from "./entries.js";
export { purge, type PurgeOptions, type PurgeResult } from "./purge.js";
export { quarantineFile } from "./quarantine-file.js";
export { restoreEntry, type RestoreResult } from "./restore.js";
export { UnsafeDestinationError } from "./_safe-path.js";
export { DEFAULT_RETENTION, defaultQuarantineDir, isInsideStore, openQuarantine } from "./store.js";
export * from "./types.js";
