/**
 * The Critical Areas Scan: processes, kernel modules, boot sectors and startup objects, checked
 * with the task's IOCs, ClamAV when installed, and built-in heuristics.
 *
 * @module
 */
export { runCriticalAreasScan, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_FILES_PER_AREA, DEFAULT_TIME_BUDGET_MS } from "./critical-areas-scan.js";
export { CRITICAL_AREAS } from "./types.js";
export type {
  AntivirusStatus,
  AreaSummary,
  CriticalArea,
  CriticalAreaFinding,
  CriticalAreasOptions,
  CriticalAreasResult,
  FindingKind,
  HeuristicName,
} from "./types.js";
