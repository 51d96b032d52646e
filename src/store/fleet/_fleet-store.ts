/**
 * `FleetStore` on Kysely: the parts of the store assembled over one driver.
 *
 * @module
 */
import { sql } from "kysely";
import { requireStoredTime } from "../_time.js";
import { adminPart } from "./_admin.js";
import { agentPart } from "./_agent.js";
import type { FleetContext, FleetDriver } from "./_context.js";
import { devicePart } from "./_devices.js";
import { iocFilePart } from "./_ioc-files.js";
import { sandboxPart } from "./_sandbox.js";
import { taskPart } from "./_tasks.js";
import { userPart } from "./_users.js";
import type { FleetStore } from "./fleet-store.js";

/** Options of every `open...FleetStore`. */
export interface FleetStoreOptions {
  /** The clock; tests inject one to move time. */
  now?: () => Date;
}

/** Builds the dialect-independent store over `driver`. */
export function createFleetStore(driver: FleetDriver, options: FleetStoreOptions = {}): FleetStore {
  const clock = options.now ?? (() => new Date());
  const ctx: FleetContext = { dialect: driver.dialect, db: driver.db, write: (work) => driver.writeTransaction(work), now: () => requireStoredTime(clock(), "the clock") };
  const admin = adminPart(ctx, driver);
  let closed: Promise<void> | undefined;
  return {
    dialect: driver.dialect,
    async ping() {
      try {
        await sql`select 1`.execute(driver.db);
        return true;
      } catch {
        return false;
      }
    },
    ...userPart(ctx),
    ...devicePart(ctx),
    ...iocFilePart(ctx),
    ...taskPart(ctx, () => admin.getSettings()),
    ...agentPart(ctx),
    ...sandboxPart(ctx, () => admin.getSettings()),
    ...admin,
    close() {
      closed ??= driver.close();
      return closed;
    },
  };
}
