/**
 * The agent's run journal: every run it accepted and how far it got, one durable file per run.
 * After a restart a run that was queued or running is run again (not lost), a paused one stays
 * paused, and a run that reached `done` is never executed twice, whatever the server resends.
 *
 * @module
 */
import { z } from "zod";
import { RunOrder, RunResult } from "../core/api/index.js";
import { RecordDir } from "./record-dir.js";

const isoDate = z.iso.datetime({ offset: true });

export const JournalState = z.enum(["queued", "running", "paused", "done"]);
export type JournalState = z.infer<typeof JournalState>;

export const JournalEntry = z.strictObject({
  runId: z.string().min(1),
  /** The start order as accepted: task, settings and IOC files. */
  order: RunOrder,
  state: JournalState,
  acceptedAt: isoDate,
  /** When the first attempt started: the result's `startedAt`, also across restarts. */
  startedAt: isoDate.optional(),
  /** Attempts started so far (a restart or a resume after pause starts another). */
  attempts: z.number().int().min(0),
  /** Set with `done`: the final state reported. */
  outcome: RunResult.shape.state.optional(),
  /** The server acknowledged the result. */
  delivered: z.boolean().optional(),
  updatedAt: isoDate,
});
export type JournalEntry = z.infer<typeof JournalEntry>;

/** The journal in `dir`, cached in memory; writes of one run are applied in order. */
export class RunJournal {
  private readonly records: RecordDir<JournalEntry>;
  private readonly entries = new Map<string, JournalEntry>();
  private writes: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.records = new RecordDir(dir, JournalEntry);
  }

  /** Reads every entry from disk (once, at start); damaged files are reported and set aside. */
  async load(onDamaged?: (file: string, error: unknown) => void): Promise<JournalEntry[]> {
    this.entries.clear();
    for (const entry of await this.records.list(onDamaged)) this.entries.set(entry.runId, entry);
    return this.all();
  }

  get(runId: string): JournalEntry | undefined {
    return this.entries.get(runId);
  }

  /** Every entry, oldest accepted first. */
  all(): JournalEntry[] {
    return [...this.entries.values()].sort((a, b) => a.acceptedAt.localeCompare(b.acceptedAt));
  }

  /** Records a newly accepted run as queued. */
  async accept(order: RunOrder): Promise<JournalEntry> {
    const now = new Date().toISOString();
    return this.write({ runId: order.runId, order, state: "queued", acceptedAt: now, attempts: 0, updatedAt: now });
  }

  /** Applies `change` to the entry of `runId` and writes it durably. */
  async update(runId: string, change: Partial<Omit<JournalEntry, "runId" | "order" | "acceptedAt">>): Promise<JournalEntry> {
    const current = this.entries.get(runId);
    if (current === undefined) throw new Error(`Cannot update run "${runId}": it is not in the journal`);
    return this.write({ ...current, ...change, updatedAt: new Date().toISOString() });
  }

  /** Forgets finished, delivered runs older than `days` (the journal must not grow for ever). */
  async prune(days: number, now = Date.now()): Promise<void> {
    for (const entry of this.all()) {
      if (entry.state === "done" && entry.delivered === true && now - Date.parse(entry.updatedAt) > days * 86_400_000) {
        this.entries.delete(entry.runId);
        await this.records.delete(entry.runId);
      }
    }
  }

  private async write(entry: JournalEntry): Promise<JournalEntry> {
    this.entries.set(entry.runId, entry);
    // Serialised: two writes of one file racing could leave the older content last.
    const write = this.writes.then(() => this.records.put(entry.runId, this.entries.get(entry.runId) ?? entry));
    this.writes = write.catch(() => undefined);
    await write;
    return entry;
  }
}
