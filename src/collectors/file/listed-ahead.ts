/**
 * Folder listings a file worker sent unasked (its stream: worker-program.ts), held by folder
 * until the walk gets there. Each is taken once, and used only while fresh: a scan paused for long
 * lists the folder again rather than use old lstats. What is taken or dropped is given back to
 * the worker as credit, a batch at a time, so that it streams on; what the walk never takes (a
 * folder it skips) keeps its credit, and a stream that runs out of credit only stops early.
 *
 * @module
 */
import type { Worker } from "node:worker_threads";
import type { PathFilterSpec } from "./path-filter.js";

/** A listing taken ahead is used only this young; older, the folder is listed again. */
export const LISTED_FRESH_MS = 2000;

/** A listing as the stream sends it: the worker's reply for one folder, and its entries (files and folders) before any was left out. */
export interface StreamedFolder {
  readonly path: string;
  readonly entries: number;
}

export class ListedAhead<Folder extends StreamedFolder> {
  private readonly held = new Map<string, { readonly at: number; readonly folder: Folder }>();
  /** Entries taken and not yet given back. */
  private owed = 0;

  /** `creditEvery`: entries given back in one message; `filter`: the one the stream lists with. */
  constructor(
    private readonly worker: Worker,
    private readonly creditEvery: number,
    readonly filter: PathFilterSpec | undefined,
  ) {}

  add(folders: readonly Folder[], now = performance.now()): void {
    for (const folder of folders) this.held.set(folder.path, { at: now, folder });
  }

  holds(path: string): boolean {
    return this.held.has(path);
  }

  /** Listings held and not taken. */
  get size(): number {
    return this.held.size;
  }

  /** The listing of `path` if one came and is still fresh; taken either way. */
  take(path: string, now = performance.now()): Folder | undefined {
    const held = this.held.get(path);
    if (held === undefined) return undefined;
    this.held.delete(path);
    this.owed += held.folder.entries;
    if (this.owed >= this.creditEvery) {
      this.worker.postMessage({ op: "credit", entries: this.owed });
      this.owed = 0;
    }
    return now - held.at <= LISTED_FRESH_MS ? held.folder : undefined;
  }
}
