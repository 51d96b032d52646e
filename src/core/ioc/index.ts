/**
 * The OpenIOC reader and checker: text -> {@link IocDocument} with coded diagnostics.
 *
 * @module
 */
export * from "./model.js";
export * from "./diagnostics.js";
export { parseIoc, OPENIOC_NAMESPACES, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, type ParseIocOptions, type ParseIocResult } from "./parse.js";
export { checkIoc, type CheckIocOptions, type IocCheck } from "./check.js";
export { checkIocSet, type IocSetEntry } from "./check-set.js";
export { classifyItem, NETWORK_DNS_TARGET, type ItemSupport, type ItemSupportOptions } from "./item-support.js";
export { expandCriteria, expandDocument, runItem, type CompactDocument, type CompactIndicator, type CompactNode, type ItemRun, type RunDigests, type RunFields } from "./item-run.js";
