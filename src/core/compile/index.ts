/**
 * Compilation: all loaded IOCs → one immutable {@link EvaluationPlan} (documents and fields to
 * collect, prefilters, indexes, binding units).
 *
 * @module
 */
export { compilePlan, createPlanBuilder, type PlanBuilder } from "./compile.js";
export {
  createDigestGate,
  digestGateRulesOut,
  createPrefilter,
  DIGEST_BYTES,
  DIGEST_FIELD,
  digestsFor,
  neededFileDigests,
  type DigestAlgorithm,
  type DigestGate,
  type IntegerGate,
  type Prefilter,
  type PrefilterDecision,
} from "./prefilter.js";
export { isRegexError, type CompiledRegex, type RegexCompileError, type RegexEngine, type RegexOptions } from "./regex-engine.js";
export type { FieldScalar, FieldValue } from "./channel.js";
export type { Verdict } from "./tri.js";
export type {
  ChannelView,
  CompileOptions,
  DocumentPlan,
  EvaluationPlan,
  HostNode,
  IocInput,
  ItemStatus,
  NeverStatus,
  PlanIoc,
  ItemSpan,
  PlanItem,
  PlanItems,
  PlanUnit,
  RecordNode,
  UnitsOfItems,
  UnknownReason,
  UnknownStatus,
} from "./plan-types.js";
