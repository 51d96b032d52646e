/**
 * The production wiring of a scan: every registered collector, and the FileItem collector's
 * options built from the scan settings (scopes, prefilter, hash cache).
 *
 * @module
 */
import { dirname, join } from "node:path";
import type { FileCollectorOptions, HashCache } from "../collectors/file/index.js";
import { COLLECTORS } from "../collectors/registry.js";
import type { FileCollectorSettings, LiveScanDependencies } from "./live-scan.js";

/** The hash cache's default folder: beside the results database. */
export function defaultHashCachePath(resultsDbPath: string): string {
  return join(dirname(resultsDbPath), "hash-cache");
}

/** The IOC cache's default folder: beside the results database, like the hash cache. */
export function defaultIocCacheDir(resultsDbPath: string): string {
  return join(dirname(resultsDbPath), "ioc-cache");
}

/** Dependencies for a real scan; `hashCache` is shared by every file collection of the run. */
export function scanDependencies(hashCache: HashCache | undefined): LiveScanDependencies {
  return {
    collectors: COLLECTORS,
    optionsFor(document: string, settings: FileCollectorSettings): unknown {
      if (document !== "FileItem") return undefined;
      const options: FileCollectorOptions = {
        scopes: settings.scopes,
        ...(settings.excludes ? { excludes: settings.excludes } : {}),
        ...(settings.hint ? { hint: settings.hint } : {}),
        ...(settings.crossMounts !== undefined ? { crossMounts: settings.crossMounts } : {}),
        ...(settings.maxHashBytes !== undefined ? { maxHashBytes: settings.maxHashBytes } : {}),
        ...(settings.decide ? { decide: settings.decide } : {}),
        ...(settings.sizeGate ? { sizeGate: settings.sizeGate } : {}),
        ...(settings.hashEveryFile ? { hashEveryFile: true } : {}),
        ...(settings.digestGate ? { digestGate: settings.digestGate } : {}),
        ...(hashCache ? { hashCache } : {}),
      };
      return options;
    },
  };
}
