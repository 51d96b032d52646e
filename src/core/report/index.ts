/**
 * The report and snapshot contracts (DESIGN.md section 5) and their (de)serialisation.
 *
 * @module
 */
export * from "./report.js";
export * from "./snapshot.js";
export * from "./record-id.js";
