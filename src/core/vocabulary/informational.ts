/**
 * Informational documents (openioc-semantics 7.7): they describe network traffic, mail or IDS
 * signatures, never host state, so a host scanner can only report them, never evaluate them.
 * `Network/DNS` is the second most used term in real IOCs; leaving it UNKNOWN is the faithful
 * reading ([DEFS]: "for informational purposes, and is not found in MIR audits").
 *
 * `Yara/*` is not here: it is evaluable, given a YARA engine.
 *
 * @module
 */

/** The informational documents, spelled as in the term lists. */
export const INFORMATIONAL_DOCUMENTS: readonly string[] = ["Email", "Network", "Snort"];

const LOWER = new Set(INFORMATIONAL_DOCUMENTS.map((d) => d.toLowerCase()));

/** True for `Network`, `Email` and `Snort`, in any case (documents are resolved like terms). */
export function isInformationalDocument(document: string): boolean {
  return LOWER.has(document.toLowerCase());
}
