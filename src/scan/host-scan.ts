/**
 * A scan of this computer (or an image) with everything wired: the hash cache, the quarantine
 * responder and every collector. `iocscan scan` and the agent's task runs both call this, so a
 * task behaves exactly like the same scan typed on the command line.
 *
 * @module
 */
import type { ScanReport } from "../core/report/index.js";
import { createHostView } from "../collectors/host-view.js";
import { scanDependencies } from "./dependencies.js";
import { openHashCache } from "./hash-cache/index.js";
import { scanLive, type LiveScanOptions } from "./live-scan.js";
import { ScanSetupError } from "./prepare-plan.js";
import { createQuarantineResponder } from "./quarantine-response.js";

/** Options of {@link scanHost}: a live scan's options plus the response and the cache. */
export interface HostScanOptions extends Omit<LiveScanOptions, "respond"> {
  /** On detection: report only (default) or quarantine then delete (processes are terminated). */
  readonly action?: "report" | "quarantine";
  /** The quarantine store folder (default: the store's default folder). */
  readonly quarantineDir?: string;
  /** Globs of host paths no action may touch, besides the built-in protected paths. */
  readonly protect?: readonly string[];
  /** The hash cache file; undefined = no cache. */
  readonly hashCacheFile?: string;
  /** Told when the hash cache cannot be opened (the scan goes on without it). */
  readonly onCacheUnavailable?: (file: string, error: unknown) => void;
}

/** Scans the host; throws `ScanSetupError` when it cannot run (no usable IOC, unusable store). */
export async function scanHost(options: HostScanOptions): Promise<ScanReport> {
  const root = options.root ?? "/";
  const respond =
    options.action === "quarantine"
      ? await createQuarantineResponder({
          host: createHostView(root),
          ...(options.quarantineDir ? { quarantineDir: options.quarantineDir } : {}),
          protect: options.protect ?? [],
        }).catch((error: unknown) => {
          // A store that cannot be used must stop the scan before anything could be deleted.
          throw new ScanSetupError(`quarantine store unusable: ${error instanceof Error ? error.message : String(error)}`);
        })
      : undefined;
  const hashCache = options.hashCacheFile === undefined ? undefined : openCache(options.hashCacheFile, options.onCacheUnavailable);
  try {
    return await scanLive({ ...options, ...(respond ? { respond } : {}) }, scanDependencies(hashCache));
  } finally {
    hashCache?.close();
  }
}

function openCache(file: string, onUnavailable: HostScanOptions["onCacheUnavailable"]): ReturnType<typeof openHashCache> | undefined {
  try {
    return openHashCache(file);
  } catch (error) {
    // A scan without the cache is slower, never wrong.
    onUnavailable?.(file, error);
    return undefined;
  }
}
