/**
 * What every part of the fleet store shares: the database, the driver's write transaction, the
 * clock and the audit helper.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { Actor } from "./fleet-store.js";
import type { FleetDatabase } from "./schema.js";

export type Db = Kysely<FleetDatabase>;

/** What a driver gives the shared store. */
export interface FleetDriver {
  dialect: "sqlite" | "postgres";
  db: Db;
  /** Runs `work` in one write transaction; concurrent writers wait rather than fail. */
  writeTransaction: <T>(work: (trx: Db) => Promise<T>) => Promise<T>;
  /**
   * Runs `work` holding the database-wide lock `name` (PostgreSQL: an advisory lock), or resolves
   * to `{ ran: false }` at once when another instance holds it.
   */
  withJobLock: <T>(name: string, work: () => Promise<T>) => Promise<{ ran: true; value: T } | { ran: false }>;
  close: () => Promise<void>;
}

export interface FleetContext {
  dialect: FleetDriver["dialect"];
  db: Db;
  write: FleetDriver["writeTransaction"];
  /** The current time in stored form. */
  now: () => string;
}

/** A new random id. */
export const newId = (): string => randomUUID();

let auditSequence = 0;
/**
 * An audit id that sorts in the order entries were written (real time, then a per-process
 * sequence), so that entries with the same clock time still list in order.
 */
function auditId(): string {
  auditSequence = (auditSequence + 1) % 1_000_000;
  return `${String(Date.now()).padStart(15, "0")}-${String(auditSequence).padStart(6, "0")}-${randomUUID().slice(0, 8)}`;
}

/** Writes one audit entry inside the caller's transaction. */
export async function auditIn(trx: Db | Transaction<FleetDatabase>, at: string, entry: { actor: Actor; action: string; target: string; details?: unknown }): Promise<void> {
  await trx
    .insertInto("audit_log")
    .values({ id: auditId(), at, actor: entry.actor, action: entry.action, target: entry.target, details: JSON.stringify(entry.details ?? {}) })
    .execute();
}

export const MAX_PAGE = 1000;

/** A checked page; a bad page is the caller's bug (the API validates first). */
export function page(options: { limit?: number; offset?: number } = {}, defaultLimit = 50): { limit: number; offset: number } {
  const limit = options.limit ?? defaultLimit;
  const offset = options.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new RangeError(`Cannot list with limit "${limit}": expected 1 to ${MAX_PAGE}`);
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`Cannot list with offset "${offset}": expected 0 or more`);
  return { limit, offset };
}

/** Parses JSON text written by this store. */
export const parseJson = <T>(text: string): T => JSON.parse(text) as T;
