/**
 * Task properties: the header with state, progress and the operations (start, pause, resume,
 * stop, re-run failed, delete), and the sections General, IOC Scan settings, Results and IOC Scan
 * results as tabs with their own URLs (/tasks/:id/results).
 */
import { useState } from "react";
import { Link, NavLink, useNavigate, useParams } from "react-router";
import { api, ApiError } from "../api/client.js";
import type { Task } from "../api/types.js";
import { useAuth } from "../auth.js";
import { ProgressBar, TaskStateBadge } from "../components/badges.js";
import { useLoad } from "../hooks.js";
import { DetectionsSection } from "./task/detections.js";
import { GeneralSection } from "./task/general.js";
import { ResultsSection } from "./task/results.js";
import { SettingsSection } from "./task/settings.js";

const SECTIONS = [
  { path: "", label: "General" },
  { path: "settings", label: "IOC Scan settings" },
  { path: "results", label: "Results" },
  { path: "detections", label: "IOC Scan results" },
] as const;

type Operation = "start" | "pause" | "resume" | "stop" | "rerun-failed";

/** The operations that make sense in the task's state. */
function operationsFor(task: Task): { op: Operation; label: string }[] {
  const unfinished = (task.counts.pending ?? 0) + (task.counts.scheduled ?? 0) + (task.counts.running ?? 0) + (task.counts.paused ?? 0);
  const ops: { op: Operation; label: string }[] = [];
  if (task.state !== "started" && task.state !== "paused") ops.push({ op: "start", label: task.state === "created" ? "Start" : "Start again" });
  if (task.state === "started" && unfinished > 0) ops.push({ op: "pause", label: "Pause" });
  if (task.state === "paused") ops.push({ op: "resume", label: "Resume" });
  if ((task.state === "started" || task.state === "paused") && unfinished > 0) ops.push({ op: "stop", label: "Stop" });
  if ((task.counts.failed ?? 0) > 0) ops.push({ op: "rerun-failed", label: "Re-run failed" });
  if (task.state === "started" && unfinished === 0) ops.push({ op: "start", label: "Start again" });
  return ops;
}

export function TaskPage() {
  const { id = "", section = "" } = useParams();
  const navigate = useNavigate();
  const { user } = useAuth();
  const { data: task, error, reload } = useLoad(() => api.get<Task>(`/tasks/${id}`), id, 2000);
  const [saved, setSaved] = useState<Task>();
  const [opError, setOpError] = useState<string>();
  const [busy, setBusy] = useState(false);

  if (error !== undefined && task === undefined) {
    return (
      <>
        <h1>Task</h1>
        <div className="error" role="alert">
          {error instanceof ApiError && error.status === 404 ? "There is no such task (it may have been deleted)." : error.message}
        </div>
        <Link to="/tasks">Back to tasks</Link>
      </>
    );
  }
  if (task === undefined) return <div className="muted">Loading…</div>;
  const shown = saved !== undefined && saved.updatedAt > task.updatedAt ? saved : task;
  const canOperate = user?.role === "operator" || user?.role === "administrator";

  const run = (what: () => Promise<unknown>) => {
    setBusy(true);
    setOpError(undefined);
    what()
      .then(reload)
      .catch((e: unknown) => setOpError(e instanceof ApiError ? e.message : String(e)))
      .finally(() => setBusy(false));
  };
  const remove = () => {
    if (!window.confirm(`Delete the task "${shown.name}" with its results?`)) return;
    run(async () => {
      await api.delete(`/tasks/${shown.id}`);
      void navigate("/tasks");
    });
  };

  return (
    <>
      <div className="page-head">
        <div>
          <div className="hint">
            <Link to="/tasks">Tasks</Link> /
          </div>
          <h1>
            {shown.name} <TaskStateBadge state={shown.state} />
          </h1>
        </div>
        <div className="head-progress">
          <ProgressBar percent={shown.progress} label="Task progress" />
        </div>
      </div>
      {canOperate && (
        <div className="toolbar" role="group" aria-label="Task operations">
          {operationsFor(shown).map(({ op, label }) => (
            <button key={`${op}-${label}`} type="button" disabled={busy} onClick={() => run(() => api.post(`/tasks/${shown.id}/${op}`))}>
              {label}
            </button>
          ))}
          <span className="spacer" />
          <button type="button" className="danger" disabled={busy} onClick={remove}>
            Delete
          </button>
        </div>
      )}
      {opError !== undefined && (
        <div className="error" role="alert">
          {opError}
        </div>
      )}
      <nav className="tabs" aria-label="Task sections">
        {SECTIONS.map((s) => (
          <NavLink key={s.path} to={`/tasks/${shown.id}${s.path === "" ? "" : `/${s.path}`}`} end className="tab">
            {s.label}
          </NavLink>
        ))}
      </nav>
      {section === "" && <GeneralSection task={shown} />}
      {section === "settings" && <SettingsSection key={shown.id} task={shown} onSaved={setSaved} />}
      {section === "results" && <ResultsSection task={shown} />}
      {section === "detections" && <DetectionsSection task={shown} />}
      {!SECTIONS.some((s) => s.path === section) && <div className="error">No section "{section}".</div>}
    </>
  );
}
