/** Tasks: every task with its state, run mode, counts of device runs per state and progress (live). */
import { Link } from "react-router";
import { api } from "../api/client.js";
import type { Task } from "../api/types.js";
import { useAuth } from "../auth.js";
import { ProgressBar, StateCounts, TaskStateBadge } from "../components/badges.js";
import { DataTable, type Column } from "../components/data-table.js";
import { formatTime } from "../format.js";
import { runModeLabel } from "./task-labels.js";

const COLUMNS: readonly Column<Task>[] = [
  {
    header: "Name",
    render: (t) => (
      <>
        <Link to={`/tasks/${t.id}`}>{t.name}</Link>
        {t.origin !== null && (
          <div className="hint">
            stand-alone, sandbox verdict {t.origin.verdict}
            {t.deleteAfter === null ? "" : `; deleted ${formatTime(t.deleteAfter)}`}
          </div>
        )}
      </>
    ),
    width: "22%",
  },
  { header: "State", render: (t) => <TaskStateBadge state={t.state} />, width: "7rem" },
  { header: "Run mode", render: (t) => runModeLabel(t), width: "11rem" },
  { header: "Devices by state", render: (t) => <StateCounts counts={t.counts} /> },
  { header: "Progress", render: (t) => <ProgressBar percent={t.progress} label={`Progress of ${t.name}`} />, width: "10rem" },
  { header: "Created", render: (t) => <span className="nowrap">{formatTime(t.createdAt)}</span>, width: "10.5rem" },
];

export function TasksPage() {
  const { user } = useAuth();
  return (
    <>
      <div className="page-head">
        <h1>Tasks</h1>
        {user?.role !== "viewer" && (
          <Link className="button primary" to="/tasks/new">
            New task
          </Link>
        )}
      </div>
      <DataTable label="Tasks" columns={COLUMNS} rowKey={(t) => t.id} refreshMs={3000} load={(p) => api.get<{ items: Task[] }>("/tasks", { limit: p.limit, offset: p.offset })} empty="No tasks yet: create one with New task." />
    </>
  );
}
