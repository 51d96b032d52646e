/**
 * The persistent hash cache (a binary file per device) that makes an unchanged rescan cost little
 * more than the walk.
 *
 * @module
 */
export { HASH_CACHE_FORMAT_VERSION, openHashCache, type HashCacheOptions } from "./hash-cache.js";
