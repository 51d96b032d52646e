/**
 * STIX 2.1 <-> OpenIOC: the pattern parser, the importer (one IOC per indicator) and the exporter
 * (one indicator per IOC, in one bundle). See README.md in this folder.
 *
 * @module
 */
export { parseStixPattern, StixPatternError, MAX_PATTERN_DEPTH, MAX_PATTERN_LENGTH } from "./pattern-parser.js";
export { printStixPattern, normaliseStixPattern, printObjectPath, quoteStixString } from "./pattern-print.js";
export type * from "./pattern-ast.js";
export { canonicalHashKey, STIX_HASH_KEYS } from "./pattern-ast.js";
export { termOfStixPath, stixPathOfTerm, EXPORTABLE_TERMS } from "./object-paths.js";
export { stixToIocs } from "./stix-to-ioc.js";
export { iocsToStixBundle, type StixExportOptions, type StixExportResult } from "./ioc-to-stix.js";
