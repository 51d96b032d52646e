/**
 * Checks across a set of IOC files loaded together: IOC ids must be unique in a scan, and when
 * they are not, the first file wins (as KES for Linux does) and the others are reported.
 *
 * @module
 */
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import type { IocDocument } from "./model.js";

/** One loaded file: its name and, when it parsed, its IOC. */
export interface IocSetEntry {
  readonly file: string;
  readonly document?: IocDocument;
}

/**
 * Finds IOC ids used by more than one file. Returns, per index of `entries`, the diagnostics for
 * that entry (only the later duplicates get one) and the indexes of the entries to keep.
 */
export function checkIocSet(entries: readonly IocSetEntry[]): { diagnostics: Map<number, Diagnostic[]>; duplicates: Set<number> } {
  const firstById = new Map<string, number>();
  const diagnostics = new Map<number, Diagnostic[]>();
  const duplicates = new Set<number>();
  entries.forEach((entry, index) => {
    const id = entry.document?.id;
    if (!id) return;
    const first = firstById.get(id);
    if (first === undefined) {
      firstById.set(id, index);
      return;
    }
    duplicates.add(index);
    const firstFile = entries[first]?.file ?? "";
    const message = `IOC id "${id}" is already used by "${firstFile}": this file is ignored, the first one wins`;
    diagnostics.set(index, [diagnostic("IOC026", message, entry.document?.position)]);
  });
  return { diagnostics, duplicates };
}
