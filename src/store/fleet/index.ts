/**
 * The fleet database of the management server: the `FleetStore` interface, its SQLite and
 * PostgreSQL drivers, and the migrations both share.
 *
 * @module
 */
export * from "./fleet-store.js";
export type { FleetDatabase } from "./schema.js";
export type { FleetStoreOptions } from "./_fleet-store.js";
export { FLEET_MIGRATIONS, ROOT_GROUP_ID } from "./migrations.js";
export { openSqliteFleetStore } from "./sqlite.js";
export { openPostgresFleetStore } from "./postgres.js";
