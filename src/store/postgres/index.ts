/**
 * The PostgreSQL driver of the results database.
 *
 * @module
 */
export { openPostgresStore } from "./driver.js";
