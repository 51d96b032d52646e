/**
 * The term vocabulary: every OpenIOC search term iocscan knows, with its document, value type,
 * platforms, whether it is list-valued, informational or collected, plus typed value parsing,
 * condition applicability and the HX event-term mapping.
 *
 * @module
 */
export type { Platform, TermInfo, ValueType } from "./types.js";
export { allDocuments, allTerms, lookupTerm } from "./lookup.js";
export { isListValuedPath } from "./list-valued.js";
export { INFORMATIONAL_DOCUMENTS, isInformationalDocument } from "./informational.js";
export { LINUX_COLLECTED, linuxCollectedTerms } from "./linux-collected.js";
export { collectedDocuments, collectedTerms, isCollected } from "./collected.js";
export {
  EVENT_DOCUMENTS,
  EVENT_TERM_MAP,
  applyEventView,
  eventTermMapping,
  isEventDocument,
  mapEventTerm,
  type EventTermMapping,
  type EventValueView,
} from "./event-mapping.js";
export { comparisonMode, conditionApplies, isNumericText, type ComparisonMode } from "./conditions.js";
export {
  canonicalText,
  compareValues,
  normalizeExtension,
  parseValue,
  valueIs,
  type OrderedValue,
  type ParseOptions,
  type ParseResult,
  type ParsedValue,
} from "./values.js";
export { dateSpan } from "./values-date.js";
export type { IpAddress } from "./values-ip.js";
export { TERM_SOURCES } from "./terms.generated.js";
