/**
 * The persistent hash cache (SQLite) that makes an unchanged rescan cost little more than the walk.
 *
 * @module
 */
export { HASH_CACHE_SCHEMA_VERSION, openHashCache, type HashCacheOptions } from "./hash-cache.js";
