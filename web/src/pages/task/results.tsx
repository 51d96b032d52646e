/** Task properties -> Results: the task's run on each device with state, percent, start, finish and errors (live). */
import { useState } from "react";
import { api } from "../../api/client.js";
import type { Page, Run, RunState, Task } from "../../api/types.js";
import { ProgressBar, RUN_STATES, RunStateBadge, runStateLabel } from "../../components/badges.js";
import { DataTable, type Column } from "../../components/data-table.js";
import { formatTime } from "../../format.js";

const COLUMNS: readonly Column<Run>[] = [
  { header: "Device", render: (r) => r.hostname, width: "16%" },
  { header: "State", render: (r) => <RunStateBadge state={r.state} />, width: "11rem" },
  { header: "Progress", render: (r) => <ProgressBar percent={r.percent} label={`Progress on ${r.hostname}`} />, width: "9rem" },
  { header: "Started", render: (r) => <span className="nowrap">{formatTime(r.startedAt)}</span>, width: "10.5rem" },
  { header: "Finished", render: (r) => <span className="nowrap">{formatTime(r.finishedAt)}</span>, width: "10.5rem" },
  { header: "Detections", render: (r) => r.detectionCount, align: "right", width: "6rem" },
  {
    header: "Errors and details",
    render: (r) => (
      <span className={r.state === "failed" ? "error-text" : "muted"}>
        {[r.reason, r.detail, r.pendingOrder === null ? null : `order "${r.pendingOrder}" not yet acknowledged`].filter((x) => x !== null && x !== "").join(" · ") || "—"}
      </span>
    ),
  },
];

export function ResultsSection({ task }: { task: Task }) {
  const [state, setState] = useState<RunState>();
  return (
    <>
      <div className="toolbar" role="group" aria-label="Filter by state">
        <button type="button" className={state === undefined ? "chip active" : "chip"} onClick={() => setState(undefined)}>
          All {Object.values(task.counts).reduce((a, b) => a + b, 0)}
        </button>
        {RUN_STATES.filter((s) => (task.counts[s] ?? 0) > 0 || s === state).map((s) => (
          <button key={s} type="button" className={state === s ? "chip active" : "chip"} onClick={() => setState(s)}>
            {runStateLabel(s)} {task.counts[s] ?? 0}
          </button>
        ))}
      </div>
      <DataTable
        label="Results per device"
        columns={COLUMNS}
        rowKey={(r) => r.id}
        filterKey={state ?? ""}
        refreshMs={2000}
        load={(p) => api.get<Page<Run>>(`/tasks/${task.id}/runs`, { limit: p.limit, offset: p.offset, state })}
        empty="No device runs: start the task, or the target has no devices."
      />
    </>
  );
}
