/**
 * Staying light: `--max-cpu` (a duty cycle on this process's CPU time) and lowered CPU and I/O
 * priority for background scans. See README.md in this folder.
 *
 * @module
 */
export { createCpuLimiter, type CpuLimiter, type CpuLimiterOptions } from "./cpu-limiter.js";
export { lowerPriority, type LowerPriorityOptions, type PriorityReport } from "./lower-priority.js";
