/**
 * The journal of a scan's actions: one line per acted-on object with its receipts, appended and
 * flushed to disk before the next object is touched. A resumed scan reads it and reuses the
 * receipts instead of acting again, so no action is ever applied twice.
 *
 * @module
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { readTrusted } from "./checkpoint-file.js";
import type { ReportAction } from "../../core/report/index.js";

/** Receipts by object key (`document id`). */
export interface ActionJournal {
  /**
   * Whether the journal existed before this run opened it: the scan acted before (it was
   * interrupted while acting), so the store may hold a copy it made and did not journal.
   */
  readonly resumed: boolean;
  /** The receipts of an object acted on before the scan was interrupted. */
  get(key: string): readonly ReportAction[] | undefined;
  /** Records an object's receipts durably. */
  record(key: string, receipts: readonly ReportAction[]): Promise<void>;
  close(): Promise<void>;
}

/** Opens (or creates) a journal; a torn last line (a crash while appending) is ignored. */
export async function openActionJournal(file: string): Promise<ActionJournal> {
  const known = new Map<string, readonly ReportAction[]>();
  // Trusted as the checkpoint is: a journal another user could write would make a resumed scan
  // skip objects as "quarantined already".
  const read = await readTrusted(file);
  const text = read ?? "";
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      const entry = JSON.parse(line) as { key: string; receipts: ReportAction[] };
      known.set(entry.key, entry.receipts);
    } catch {
      // Only the last line can be torn: the object it was about is looked up again on resume.
    }
  }
  // O_NOFOLLOW: a link planted in its place must not make the scan append to another file.
  const handle = await open(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  // After a torn last line, start the next entry on a line of its own.
  if (text !== "" && !text.endsWith("\n")) await handle.write("\n");
  return {
    resumed: read !== undefined,
    get: (key) => known.get(key),
    async record(key, receipts) {
      known.set(key, receipts);
      await handle.write(`${JSON.stringify({ key, receipts })}\n`);
      await handle.datasync();
    },
    close: () => handle.close(),
  };
}
