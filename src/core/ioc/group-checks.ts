/**
 * Checks of one Indicator group as a whole. Sandbox report generators (IOCAware and the like)
 * name a process by the pid and parent pid it had in the analysis VM: such a file describes one
 * analysis run and can never find the threat elsewhere.
 *
 * @module
 */
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import type { Indicator, IndicatorItem } from "./model.js";

const PID_TERMS = new Set(["processitem/pid", "processitem/parentpid"]);

/** Diagnostics for `indicator` as a group. */
export function groupDiagnostics(indicator: Indicator): Diagnostic[] {
  if (indicator.operator !== "AND") return [];
  const items = indicator.children.filter((c): c is IndicatorItem => c.kind === "item");
  // A process pinned by both ids is one process of one boot of one machine: the analysis VM. A
  // pid alone (a range, a test on a known host) stays legitimate.
  const pins = items.filter((i) => !i.negate && i.condition === "is" && PID_TERMS.has(i.term.toLowerCase()));
  if (new Set(pins.map((i) => i.term.toLowerCase())).size < PID_TERMS.size) return [];
  const label = indicator.id ? `Indicator "${indicator.id}"` : "An AND Indicator";
  const values = pins.map((i) => `${i.term.slice(i.term.indexOf("/") + 1)} ${i.value}`).join(", ");
  const message = `${label} names a process by the process ids of one sandbox run (${values}): the file describes one analysis, not a threat, and cannot be scanned for; generate an IOC from the report with "iocscan ioc from-report"`;
  return [diagnostic("IOC035", message, indicator.position)];
}
