/** The audit log (administrators): every change, newest first, paged and filtered on the server by actor and action. */
import { useEffect, useState } from "react";
import { api } from "../api/client.js";
import type { AuditEntry, Page } from "../api/types.js";
import { useAuth } from "../auth.js";
import { DataTable, type Column } from "../components/data-table.js";
import { formatTime } from "../format.js";

const COLUMNS: readonly Column<AuditEntry>[] = [
  { header: "Time", render: (e) => formatTime(e.at), width: "10.5rem" },
  { header: "Actor", render: (e) => <span className="break">{e.actor}</span>, width: "14%" },
  { header: "Action", render: (e) => <span className="mono">{e.action}</span>, width: "12rem" },
  { header: "Target", render: (e) => <span className="mono break">{e.target}</span>, width: "18%" },
  { header: "Details", render: (e) => (e.details === null || e.details === undefined ? <span className="muted">—</span> : <pre className="evidence">{JSON.stringify(e.details, null, 1)}</pre>) },
];

/** The value after the person stopped typing for `ms`, so each key press is not a request. */
function useSettled(value: string, ms = 300): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function AuditPage() {
  const { user } = useAuth();
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  const filters = { actor: useSettled(actor.trim()), action: useSettled(action.trim()) };
  if (user?.role !== "administrator") {
    return (
      <>
        <h1>Audit log</h1>
        <div className="panel empty">Only administrators read the audit log.</div>
      </>
    );
  }
  return (
    <>
      <div className="page-head">
        <h1>Audit log</h1>
        <div className="filters">
          <label>
            Actor contains <input type="search" value={actor} onChange={(e) => setActor(e.target.value)} placeholder="user:alice" />
          </label>
          <label>
            Action starts with <input type="search" value={action} onChange={(e) => setAction(e.target.value)} placeholder="task." />
          </label>
        </div>
      </div>
      <DataTable label="Audit log" columns={COLUMNS} rowKey={(e) => e.id} filterKey={JSON.stringify(filters)} load={(p) => api.get<Page<AuditEntry>>("/audit", { ...filters, limit: p.limit, offset: p.offset })} />
    </>
  );
}
