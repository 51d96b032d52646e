/**
 * The SQLite driver of the results database.
 *
 * @module
 */
export { openSqliteStore } from "./driver.js";
