/**
 * What iocscan collects, per platform. The data lives in linux-collected.ts; the answers come from
 * the resolved {@link TermInfo}, so spelling variants (`FileItem/MD5Sum`) get the same answer.
 *
 * Event terms (`processEvent/…`) are not collected: map them first with `mapEventTerm`.
 *
 * @module
 */
import { allTerms, lookupTerm } from "./lookup.js";
import type { Platform, TermInfo } from "./types.js";

/** True when iocscan's collectors for `platform` produce `term` (any spelling `lookupTerm` resolves). */
export function isCollected(term: string, platform: Platform): boolean {
  return lookupTerm(term)?.collectedOn.includes(platform) ?? false;
}

/** Every term collected on `platform`, sorted by spelling. */
export function collectedTerms(platform: Platform): TermInfo[] {
  return allTerms().filter((t) => t.collectedOn.includes(platform));
}

/** The documents with at least one term collected on `platform`, sorted. */
export function collectedDocuments(platform: Platform): string[] {
  return [...new Set(collectedTerms(platform).map((t) => t.document))].sort();
}
