/**
 * Evaluation: a plan × a host's records → detections with evidence, in three-valued logic.
 *
 * @module
 */
export { createEvaluation } from "./evaluation.js";
export type { Detection, DetectionObject, Evaluation, EvaluationOptions, EvaluationState, EvidenceState, FieldScalar, FieldValue, HostRecord, IocVerdict } from "./types.js";
