/**
 * What every action returns: the audit trail of one thing done (or not done) to one object.
 *
 * @module
 */
import type { ReportAction } from "../core/report/index.js";

/** A receipt is the report's action entry. */
export type ActionReceipt = ReportAction;

/** A receipt for an action that was not attempted, with why. */
export function skipped(type: string, objectId: string, detail: string): ActionReceipt {
  return { type, status: "skipped", detail, objectId };
}
