/**
 * The production responder for `--action quarantine`: the quarantine store, the protected paths
 * of the host and process termination, wired into {@link respondToDetections}.
 *
 * @module
 */
import { completeEarlierQuarantine, isInsideStore, listEntries, openQuarantine, quarantineFile, type QuarantineEntry } from "../actions/quarantine/index.js";
import { terminateProcess } from "../actions/process/terminate.js";
import type { HostView } from "../collectors/types.js";
import type { ScanReport } from "../core/report/index.js";
import { pathText } from "../shared/path-text.js";
import { loadProtectedPaths } from "./protected-paths.js";
import { respondToDetections, type ReceiptJournal } from "./respond.js";

/** Options of {@link createQuarantineResponder}. */
export interface QuarantineResponderOptions {
  readonly host: HostView;
  /** The quarantine store folder (default: the store's default folder). */
  readonly quarantineDir?: string;
  /** Globs of host paths to protect besides the built-in ones and /etc/shells. */
  readonly protect?: readonly string[];
  /** How long a terminated process has between SIGTERM and SIGKILL (default 5 s). */
  readonly graceMs?: number;
}

/**
 * Opens the store now (so a store that cannot be used stops the scan before anything is
 * deleted) and returns the step that acts on a finished report.
 */
export async function createQuarantineResponder(
  options: QuarantineResponderOptions,
): Promise<(report: ScanReport, scopes: readonly string[], journal?: ReceiptJournal, signal?: AbortSignal) => Promise<void>> {
  const store = await openQuarantine(options.quarantineDir ? { dir: options.quarantineDir } : {});
  const protectedPaths = await loadProtectedPaths(options.host, options.protect ?? []);
  // Listed once, and only by a resumed response that meets an object its journal does not know.
  let entries: Promise<QuarantineEntry[]> | undefined;
  return (report, scopes, journal, signal) =>
    respondToDetections(report, {
      ...(journal ? { journal } : {}),
      ...(signal ? { signal } : {}),
      host: options.host,
      scopes,
      protectedPaths,
      quarantine: {
        quarantineFile: async (diskPath, hostPath, cause) => ({ ...(await quarantineFile(store, diskPath, cause)), objectId: hostPath }),
        isInsideStore: (diskPath) => isInsideStore(store, diskPath),
        findEarlier: async (diskPath, hostPath, scanId) => {
          entries ??= listEntries(store);
          const entry = (await entries).find((e) => e.meta.cause.scanId === scanId && e.meta.originalPath === pathText(diskPath));
          if (entry === undefined) return undefined;
          // Killed between writing the entry and deleting the original: the file may still be
          // there. Deleted now if it is the very content of the entry; otherwise quarantined afresh.
          const receipt = await completeEarlierQuarantine(store, entry.meta, diskPath);
          return receipt && { ...receipt, objectId: hostPath };
        },
      },
      terminate: (pid) => terminateProcess(pid, options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    });
}
