/**
 * The FileItem collector and the hash-cache contract it uses.
 *
 * @module
 */
export { MAX_UNFINISHED_FILES } from "./collect.js";
export { fileCollector } from "./file.js";
export { cacheKey, CONTENT_FIELDS } from "./file-record.js";
export { prestartFileWorker } from "./file-workers.js";
export { pathFilterSpec, type PathFilterSpec } from "./path-filter.js";
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_HASH_BYTES,
  DEFAULT_STRINGS_MAX_BYTES,
  DEFAULT_STRINGS_MAX_COUNT,
  type DigestAlgorithm,
  type Digests,
  type DigestGate,
  type FileCollectorOptions,
  type FileDecide,
  type HashCache,
  type HashCacheKey,
  type WalkPosition,
} from "./options.js";
