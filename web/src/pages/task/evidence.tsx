/** A detection's evidence: the actions taken with their results, and the observed values of the object's fields. */
import type { Detection } from "../../api/types.js";

interface Action {
  type: string;
  status: string;
  detail: string;
  quarantineId?: string;
}

/** The report's actions (typed `unknown[]` by the API): whatever is not an action object is left out. */
function readActions(actions: readonly unknown[]): Action[] {
  return actions.flatMap((a) => {
    if (typeof a !== "object" || a === null) return [];
    const r = a as Record<string, unknown>;
    const text = (v: unknown): string => (typeof v === "string" ? v : "?");
    return [{ type: text(r["type"]), status: text(r["status"]), detail: typeof r["detail"] === "string" ? r["detail"] : "", ...(typeof r["quarantineId"] === "string" ? { quarantineId: r["quarantineId"] } : {}) }];
  });
}

const STATUS_CLASS: Record<string, string> = { done: "state-finished", failed: "state-failed", skipped: "state-stopped" };

export function ActionList({ actions }: { actions: readonly unknown[] }) {
  const list = readActions(actions);
  if (list.length === 0) return <span className="muted">Report only</span>;
  return (
    <span className="counts">
      {list.map((a, i) => (
        <span key={i} className={`badge small ${STATUS_CLASS[a.status] ?? "state-pending"}`} title={a.detail + (a.quarantineId === undefined ? "" : ` (quarantine id ${a.quarantineId})`)}>
          {a.type}: {a.status}
        </span>
      ))}
    </span>
  );
}

/** The indicator items that matched, and each observed field value of the object. */
export function Evidence({ detection }: { detection: Detection }) {
  const fields = Object.entries(detection.fields);
  return (
    <div>
      <div className="hint">Matched items: {detection.matchedItems.length === 0 ? "—" : detection.matchedItems.join(", ")}</div>
      {fields.length > 0 && (
        <pre className="evidence" aria-label="Observed values">
          {fields.map(([k, v]) => `${k} = ${typeof v === "string" ? v : JSON.stringify(v)}`).join("\n")}
        </pre>
      )}
      {!detection.actionable && <div className="hint">Bound only through negated items: never acted upon.</div>}
    </div>
  );
}
