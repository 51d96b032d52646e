/**
 * A run's percent, estimated: the scan walks without knowing how many files there are, so the
 * estimate uses the file count of the last run over the same scopes when there was one, and an
 * asymptotic curve otherwise. It never says 100 before the result.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { TaskSettings } from "../core/api/index.js";
import { writeFileAtomic } from "./atomic-file.js";

/** Files after which the curve stands at about 63% of its ceiling when nothing is known. */
const CURVE_SCALE = 20_000;
const CEILING = 95;

/** Percent done after `filesSeen` files, given the count of an earlier run (if any). */
export function estimatePercent(filesSeen: number, expectedFiles: number | undefined): number {
  if (expectedFiles !== undefined && expectedFiles > 0) return Math.min(99, (100 * filesSeen) / expectedFiles);
  return CEILING * (1 - Math.exp(-filesSeen / CURVE_SCALE));
}

/** The key of the file scope a run walks: runs with the same scopes and excludes see about the same files. */
export function scopeKey(settings: Pick<TaskSettings, "scopes" | "excludes">): string {
  return createHash("sha256").update(JSON.stringify([[...settings.scopes].sort(), [...settings.excludes].sort()])).digest("hex").slice(0, 32);
}

/** Files seen by earlier runs, per scope key, in one small JSON file. */
export class FileCountMemory {
  constructor(private readonly file: string) {}

  async get(key: string): Promise<number | undefined> {
    const value = (await this.read())[key];
    return typeof value === "number" ? value : undefined;
  }

  async set(key: string, files: number): Promise<void> {
    const counts = await this.read();
    counts[key] = files;
    await writeFileAtomic(this.file, `${JSON.stringify(counts)}\n`);
  }

  private async read(): Promise<Record<string, unknown>> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, "utf8"));
      return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      // Only an estimate: a missing or damaged file means "unknown", never an error.
      return {};
    }
  }
}
