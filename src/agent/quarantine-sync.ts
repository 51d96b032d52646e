/**
 * The device's quarantine store as the server sees it: the inventory posted at start and after
 * each run, and the console's restore/delete commands, each executed at most once.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { z } from "zod";
import type { AgentCommand, CommandResult, QuarantineEntryReport, QuarantineInventory } from "../core/api/index.js";
import { deleteEntry, listEntries, openQuarantine, restoreEntry, type QuarantineEntry } from "../scan/agent-support.js";
import type { Outbox } from "./outbox.js";
import { RecordDir } from "./record-dir.js";

/** The inventory of the store in `dir` (empty when there is no store yet: listing creates none). */
export async function quarantineInventory(dir: string): Promise<QuarantineInventory> {
  if (!existsSync(dir)) return { entries: [] };
  const store = await openQuarantine({ dir, retention: false });
  return { entries: (await listEntries(store)).map(toReport) };
}

/** One entry as the protocol reports it. */
export function toReport({ meta, restored }: QuarantineEntry): QuarantineEntryReport {
  return {
    quarantineId: meta.id,
    originalPath: meta.originalPath,
    sha256: meta.sha256,
    size: meta.size,
    quarantinedAt: meta.quarantinedAt,
    ...(meta.cause.scanId ? { scanId: meta.cause.scanId.slice(0, 100) } : {}),
    ...(meta.cause.iocId ? { iocId: meta.cause.iocId.slice(0, 255) } : {}),
    state: restored.length > 0 ? "restored" : "quarantined",
  };
}

const ExecutedCommand = z.strictObject({ id: z.string(), at: z.string() });

/** Executes console commands against the store in `quarantineDir`; results go through the outbox. */
export class QuarantineCommands {
  private readonly executed: RecordDir<z.infer<typeof ExecutedCommand>>;

  constructor(
    private readonly quarantineDir: string,
    logDir: string,
    private readonly outbox: Outbox,
  ) {
    this.executed = new RecordDir(logDir, ExecutedCommand);
  }

  /** Runs `command` unless it ran before (the server resends until it has the result); true when it ran. */
  async handle(command: AgentCommand): Promise<boolean> {
    if ((await this.executed.get(command.id)) !== undefined) return false;
    const result = await this.execute(command);
    // Result first, then the log: a crash in between runs a restore/delete again, which fails
    // harmlessly ("no entry", "file exists") rather than losing the result.
    await this.outbox.put({ kind: "command-result", id: command.id, queuedAt: new Date().toISOString(), body: result });
    await this.executed.put(command.id, { id: command.id, at: new Date().toISOString() });
    return true;
  }

  private async execute(command: AgentCommand): Promise<CommandResult> {
    try {
      const store = await openQuarantine({ dir: this.quarantineDir, retention: false });
      if (command.kind === "quarantine-restore") {
        const restored = await restoreEntry(store, command.quarantineId);
        return { status: "done", detail: `Restored to ${restored.path} (${restored.size} bytes, SHA-256 verified)`.slice(0, 2000) };
      }
      return (await deleteEntry(store, command.quarantineId))
        ? { status: "done", detail: `Deleted quarantine entry ${command.quarantineId}`.slice(0, 2000) }
        : { status: "failed", detail: `No quarantine entry "${command.quarantineId}"`.slice(0, 2000) };
    } catch (error) {
      return { status: "failed", detail: (error instanceof Error ? error.message : String(error)).slice(0, 2000) };
    }
  }
}
