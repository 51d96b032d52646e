/**
 * The results database: one `ResultsStore` interface, its SQLite driver (the embedded default),
 * its PostgreSQL driver (for the server) and the migrations both share.
 *
 * @module
 */
export * from "./store.js";
export type { StoreDatabase, ScansTable, DetectionsTable } from "./schema.js";
export { RESULTS_MIGRATIONS, resultsMigrationProvider } from "./migrations.js";
export { defaultResultsDbPath, type DefaultPathOptions } from "./default-path.js";
export { openSqliteStore } from "./sqlite/index.js";
export { openPostgresStore } from "./postgres/index.js";
