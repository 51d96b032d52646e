/**
 * Term look-up: the generated rows indexed by spelling on first use, for O(1) case-insensitive
 * resolution, and each turned into {@link TermInfo} when first asked for: a scan looks up a few
 * dozen terms of the 1,300, and every command pays its start-up.
 *
 * @module
 */
import { isInformationalDocument } from "./informational.js";
import { isListValuedPath } from "./list-valued.js";
import { linuxCollectedTerms } from "./linux-collected.js";
import {
  TERM_FLAG_DEPRECATED,
  TERM_FLAG_MIR2013,
  TERM_FLAG_UNSUPPORTED,
  TERM_ROWS,
  type TermRow,
} from "./terms.generated.js";
import type { Platform, TermInfo } from "./types.js";

const EVENT_ITEM_PREFIX = "eventitem/";

const PLATFORM_OF_LETTER: Readonly<Record<string, Platform>> = { w: "win", m: "osx", l: "linux" };

interface TermIndex {
  /** Exact spelling → row index. */
  readonly exact: ReadonlyMap<string, number>;
  /** Lower-cased spelling → row index. Where two terms differ only in case, the current one, else the first in sort order. */
  readonly folded: ReadonlyMap<string, number>;
}

let index: TermIndex | undefined;
/** Each row's info once made, by row index. */
const infos: (TermInfo | undefined)[] = [];
let linuxTerms: ReadonlySet<string> | undefined;

/** The document of a canonical term: its first path segment. */
function documentOf(term: string): string {
  const slash = term.indexOf("/");
  return slash < 0 ? term : term.slice(0, slash);
}

function toTermInfo(row: TermRow, linux: ReadonlySet<string>): TermInfo {
  const [term, type, letters, flags] = row;
  const document = documentOf(term);
  const platforms = [...letters].map((l) => PLATFORM_OF_LETTER[l]).filter((p): p is Platform => p !== undefined);
  const base = {
    term,
    document,
    type,
    platforms,
    listValued: isListValuedPath(term),
    informational: isInformationalDocument(document),
    collectedOn: linux.has(term) ? (["linux"] as const) : ([] as const),
    inMir2013: (flags & TERM_FLAG_MIR2013) !== 0,
  };
  if ((flags & TERM_FLAG_UNSUPPORTED) !== 0) return { ...base, vendorStatus: "unsupported" };
  if ((flags & TERM_FLAG_DEPRECATED) !== 0) return { ...base, vendorStatus: "deprecated" };
  return base;
}

/** A row the vendor marks unsupported or deprecated. */
const hasVendorStatus = (row: TermRow): boolean => (row[3] & (TERM_FLAG_UNSUPPORTED | TERM_FLAG_DEPRECATED)) !== 0;

function buildIndex(): TermIndex {
  const exact = new Map<string, number>();
  const folded = new Map<string, number>();
  TERM_ROWS.forEach((row, i) => {
    exact.set(row[0], i);
    const key = row[0].toLowerCase();
    // `CookieHistoryItem/IsHTTPOnly` and its deprecated twin `IsHttpOnly`: prefer the current one.
    const seen = folded.get(key);
    if (seen === undefined || (hasVendorStatus(TERM_ROWS[seen] as TermRow) && !hasVendorStatus(row))) folded.set(key, i);
  });
  return { exact, folded };
}

function getIndex(): TermIndex {
  index ??= buildIndex();
  return index;
}

function infoAt(i: number): TermInfo {
  let info = infos[i];
  if (info === undefined) {
    linuxTerms ??= new Set(linuxCollectedTerms());
    info = infos[i] = Object.freeze(toTermInfo(TERM_ROWS[i] as TermRow, linuxTerms));
  }
  return info;
}

function find(candidate: string, idx: TermIndex): TermInfo | undefined {
  const i = idx.exact.get(candidate) ?? idx.folded.get(candidate.toLowerCase());
  return i === undefined ? undefined : infoAt(i);
}

/**
 * Resolves a search term to the vocabulary's entry.
 *
 * - Case-insensitive (third-party writers produce `FileItem/MD5Sum`); an exact spelling wins over
 *   a case-folded one.
 * - A leading `eventItem/` is dropped (HX writes both `eventItem/processEvent/pid` and
 *   `processEvent/pid`). The generic event fields keep their prefix in the vocabulary, so
 *   `eventItem/timestamp` and the parser's stripped `timestamp` both resolve to it.
 * - Surrounding whitespace is ignored.
 *
 * Returns undefined for an unknown term.
 */
export function lookupTerm(search: string): TermInfo | undefined {
  const idx = getIndex();
  const term = search.trim();
  const direct = find(term, idx);
  if (direct !== undefined) return direct;
  if (term.toLowerCase().startsWith(EVENT_ITEM_PREFIX)) return find(term.slice(EVENT_ITEM_PREFIX.length), idx);
  return find(`eventItem/${term}`, idx);
}

/** Every known term, sorted by spelling (code-unit order). */
export function allTerms(): readonly TermInfo[] {
  return TERM_ROWS.map((_, i) => infoAt(i));
}

/** The documents of the vocabulary (`FileItem`, `processEvent`, ...), sorted. */
export function allDocuments(): string[] {
  return [...new Set(TERM_ROWS.map(([term]) => documentOf(term)))].sort();
}
