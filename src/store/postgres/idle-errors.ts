/**
 * What a pg pool does when one of its idle connections fails (PostgreSQL restarted, the
 * connection terminated by an administrator or a `DROP DATABASE ... WITH (FORCE)`): it drops the
 * connection and emits `error` on the pool. An `error` event without a listener ends the
 * process, so every store listens: the pool opens a new connection on the next query, and a
 * lasting problem is reported by that query.
 *
 * @module
 */
import type { PostgresPool } from "kysely";

/** Listens for idle-connection errors on `pool` (a pg.Pool; other pools are left alone). */
export function survivePoolIdleErrors(pool: PostgresPool, report: (error: Error) => void = () => {}): void {
  const emitter = pool as Partial<{ on(event: "error", listener: (error: Error) => void): unknown }>;
  if (typeof emitter.on === "function") emitter.on("error", report);
}
