/**
 * Wire contracts between iocscan's processes (the agent <-> server protocol).
 *
 * @module
 */
export * from "./agent-protocol.js";
export * from "./scan-report.js";
