/**
 * Telling report formats apart by their shape (`--format auto`).
 *
 * @module
 */
import { GENERIC_FORMAT_MARK } from "./generic.js";
import type { SandboxFormat } from "./types.js";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The format `report` is written in, or undefined when it is none iocscan reads. */
export function detectSandboxFormat(report: unknown): SandboxFormat | undefined {
  if (!isObject(report)) return undefined;
  if (report["format"] === GENERIC_FORMAT_MARK) return "generic";
  // CAPE (and the Cuckoo 1.x/2.x layout it keeps): `target` with `category`, plus `info`.
  if (isObject(report["target"]) && "category" in report["target"] && isObject(report["info"])) return "cape";
  // VMRay summary_v2: typed object tables and the analysis metadata.
  if (isObject(report["analysis_metadata"]) && isObject(report["files"])) return "vmray";
  // Triage: the behavioural report (`sample` + `task` + `analysis`) or the sample summary (`tasks`).
  if ((isObject(report["sample"]) && isObject(report["task"]) && isObject(report["analysis"])) || (typeof report["sample"] === "string" && isObject(report["tasks"]))) {
    return "triage";
  }
  // Cuckoo3: post.json (`processes` with `procid`, `score`), pre.json (`target` with `orig_filename`),
  // or both together as `{ "pre": ..., "post": ... }`.
  if (isObject(report["pre"]) || isObject(report["post"])) return "cuckoo3";
  if (Array.isArray(report["processes"]) && "task_id" in report && "score" in report) return "cuckoo3";
  if (isObject(report["target"]) && "orig_filename" in report["target"]) return "cuckoo3";
  return undefined;
}
