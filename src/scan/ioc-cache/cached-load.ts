/**
 * What a cache entry holds (the loaded file's entry without its path, and its parsed document,
 * stored with its hash lists column-wise: entry-codec.ts), and the check that a decoded entry
 * header has that shape.
 *
 * @module
 */
import { DIAGNOSTIC_CODES, type CompactDocument, type Diagnostic, type IocDocument } from "../../core/ioc/index.js";
import type { LoadedIoc } from "../load-iocs.js";
import { IOC_CACHE_FORMAT } from "./cache-key.js";
import type { PackedIndicator } from "./entry-codec.js";

/**
 * One IOC file's load, independent of the file's name: what the loader computes from its bytes
 * (its document is absent only when the file did not parse). A document read from the cache
 * holds its hash lists as runs (expandDocument gives the parser's document).
 */
export interface CachedLoad extends Omit<LoadedIoc, "file" | "duplicate" | "document"> {
  readonly document?: CompactDocument;
}

/** A document as stored: its indicator tree packed (entry-codec.ts). */
export interface StoredDocument extends Omit<IocDocument, "criteria"> {
  readonly criteria?: PackedIndicator;
}

/** An entry as stored: the load, with the format and key it was written for. */
export interface StoredEntry extends Omit<CachedLoad, "document"> {
  readonly format: typeof IOC_CACHE_FORMAT;
  readonly key: string;
  readonly document?: StoredDocument;
}

/**
 * True when `value` is an entry of this format for `key` with the shape of a {@link CachedLoad}.
 * The entry checksum already catches a damaged file; this catches an entry written by other code
 * (another format, another key). The indicator tree is checked at its root only: reading all of
 * it would cost as much as the parse the cache saves, and only the user can write the folder.
 */
export function isStoredEntry(value: unknown, key: string): value is StoredEntry {
  if (!isRecord(value) || value["format"] !== IOC_CACHE_FORMAT || value["key"] !== key) return false;
  const { ok, openiocVersion, id, title, items, supportedItems, diagnostics, document } = value;
  return (
    typeof ok === "boolean" &&
    (openiocVersion === undefined || openiocVersion === "1.0" || openiocVersion === "1.1") &&
    optionalString(id) &&
    optionalString(title) &&
    isCount(items) &&
    isCount(supportedItems) &&
    Array.isArray(diagnostics) &&
    diagnostics.every(isDiagnostic) &&
    (document === undefined ? !ok : isDocument(document))
  );
}

function isDiagnostic(value: unknown): value is Diagnostic {
  return (
    isRecord(value) &&
    typeof value["code"] === "string" &&
    Object.hasOwn(DIAGNOSTIC_CODES, value["code"]) &&
    (value["severity"] === "error" || value["severity"] === "warning" || value["severity"] === "info") &&
    typeof value["message"] === "string" &&
    isCount(value["line"]) &&
    isCount(value["column"])
  );
}

function isDocument(value: unknown): value is StoredDocument {
  if (!isRecord(value)) return false;
  const { version, id, title, links, parameters, position, criteria } = value;
  return (
    (version === "1.0" || version === "1.1") &&
    typeof id === "string" &&
    typeof title === "string" &&
    Array.isArray(links) &&
    Array.isArray(parameters) &&
    isRecord(position) &&
    (criteria === undefined || (isRecord(criteria) && criteria["kind"] === "indicator" && Array.isArray(criteria["children"])))
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === "string";
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
