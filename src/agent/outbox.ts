/**
 * The offline result queue: every run result and command result is first written here (one
 * durable file each), then sent. A file is removed only after the server acknowledged it, so a
 * result survives the server being away and the agent restarting; sending one twice is safe
 * because the server stores a result once per run (agent-protocol.ts).
 *
 * @module
 */
import { rename } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import { CommandResult, RunResult } from "../core/api/index.js";
import { backoffDelay, DEFAULT_BACKOFF, sleep, type BackoffOptions } from "./backoff.js";
import { CredentialRevokedError, ServerRefusedError } from "./http-client.js";
import { RecordDir } from "./record-dir.js";
import { Wakeup } from "./wakeup.js";
import { makeFolderSync } from "../shared/make-folder.js";

const queuedAt = z.iso.datetime({ offset: true });

export const OutboxEntry = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("run-result"), id: z.string().min(1), queuedAt, body: RunResult }),
  z.strictObject({ kind: z.literal("command-result"), id: z.string().min(1), queuedAt, body: CommandResult }),
]);
export type OutboxEntry = z.infer<typeof OutboxEntry>;

/** Options of {@link Outbox.deliver}. */
export interface DeliverOptions {
  /** Sends one entry; resolves once the server acknowledged it. */
  readonly send: (entry: OutboxEntry) => Promise<void>;
  /** Called after the acknowledgement and before the file is removed (the run journal is marked there). */
  readonly onDelivered?: (entry: OutboxEntry) => Promise<void>;
  /** Told about every failed attempt; `willRetry` false means the entry was set aside for good. */
  readonly onError?: (entry: OutboxEntry, error: unknown, willRetry: boolean) => void;
  readonly backoff?: BackoffOptions;
  readonly signal: AbortSignal;
}

/** The queue in `dir`; entries the server refuses for good are moved to `rejectedDir`. */
export class Outbox {
  private readonly records: RecordDir<OutboxEntry>;
  private readonly wakeup = new Wakeup();
  private queued = 0;

  constructor(
    dir: string,
    private readonly rejectedDir: string,
  ) {
    this.records = new RecordDir(dir, OutboxEntry);
  }

  /** Results waiting to be sent (as of the last write or delivery pass). */
  get size(): number {
    return this.queued;
  }

  /** Queues an entry durably; it has reached the disk when this resolves. */
  async put(entry: OutboxEntry): Promise<void> {
    await this.records.put(key(entry), entry);
    this.queued++;
    this.wakeup.notify();
  }

  async has(kind: OutboxEntry["kind"], id: string): Promise<boolean> {
    return (await this.records.get(`${kind}:${id}`)) !== undefined;
  }

  /** Every queued entry, oldest first. */
  async entries(): Promise<OutboxEntry[]> {
    const entries = await this.records.list();
    this.queued = entries.length;
    return entries.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  }

  /**
   * Sends queued entries until `signal` aborts: oldest first, retrying with backoff and jitter
   * while the server is unreachable or failing. Rejects only with CredentialRevokedError.
   */
  async deliver(options: DeliverOptions): Promise<void> {
    let attempt = 0;
    while (!options.signal.aborted) {
      let failed = false;
      for (const entry of await this.entries()) {
        if (options.signal.aborted) return;
        try {
          await options.send(entry);
        } catch (error) {
          if (error instanceof CredentialRevokedError) throw error;
          if (error instanceof ServerRefusedError && !error.retryable) {
            // A 400/404/409 will not change by sending again: keep the entry for inspection, go on.
            options.onError?.(entry, error, false);
            await this.setAside(entry);
            continue;
          }
          options.onError?.(entry, error, true);
          failed = true;
          break;
        }
        attempt = 0;
        await options.onDelivered?.(entry);
        await this.records.delete(key(entry));
        this.queued = Math.max(0, this.queued - 1);
      }
      if (failed) await sleep(backoffDelay(attempt++, options.backoff ?? DEFAULT_BACKOFF), options.signal);
      // Nothing left: sleep until a new entry arrives (or re-list now and then, in case).
      else await this.wakeup.wait(60_000, options.signal);
    }
  }

  private async setAside(entry: OutboxEntry): Promise<void> {
    makeFolderSync(this.rejectedDir, 0o700);
    const file = this.records.fileOf(key(entry));
    await rename(file, join(this.rejectedDir, basename(file)));
    this.queued = Math.max(0, this.queued - 1);
  }
}

function key(entry: Pick<OutboxEntry, "kind" | "id">): string {
  return `${entry.kind}:${entry.id}`;
}
