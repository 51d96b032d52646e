/**
 * The persistent cache of loaded IOC files (`iocscan scan`, on by default; `--no-ioc-cache`).
 *
 * @module
 */
export { contentDigest, iocCacheKey, iocCacheKeyOf, IOC_CACHE_FORMAT, THIS_BUILD, type BuildIdentity, type LoadSettings } from "./cache-key.js";
export { fileIdentity, isSettled, type FileIdentity } from "./file-identity.js";
export { type CachedLoad } from "./cached-load.js";
export { evictEntries, DEFAULT_MAX_AGE_MS, DEFAULT_MAX_CACHE_BYTES, type EvictionBounds } from "./eviction.js";
export { entryFileName, identityFileName, openIocCache, type IocCache, type IocCacheOptions } from "./ioc-cache.js";
