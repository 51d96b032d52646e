/**
 * Building host records: drop absent fields, name the record with the shared id rule
 * (`recordId`, so live ids equal snapshot ids), and keep ids unique within one run.
 *
 * @module
 */
import type { FieldValue } from "../../core/evaluate/index.js";
import { recordId } from "../../core/report/record-id.js";
import type { HostRecord } from "../types.js";

/** Fields as collectors assemble them: undefined means "not found", and is left out. */
export type DraftFields = Record<string, FieldValue | undefined>;

/** A record of `document` from `draft`; `fallback` names it when no key field is present. */
export function toRecord(document: string, draft: DraftFields, fallback: string): HostRecord {
  const fields: Record<string, FieldValue> = {};
  for (const [key, value] of Object.entries(draft)) if (value !== undefined) fields[key] = value;
  return { document, id: recordId(document, fields, fallback), fields };
}

/**
 * Keeps ids unique within one run. Natural keys can repeat on a real host (two SO_REUSEPORT
 * listeners, an over-mounted mount point, the same route in two tables); the first keeps the
 * shared id, later ones get ` #2`, ` #3` so evidence never merges two objects.
 */
export function createIdGuard(): (record: HostRecord) => HostRecord {
  const seen = new Map<string, number>();
  return (record) => {
    const n = (seen.get(record.id) ?? 0) + 1;
    seen.set(record.id, n);
    return n === 1 ? record : { ...record, id: `${record.id} #${n}` };
  };
}
