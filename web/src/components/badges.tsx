/** Coloured state badges and the progress bar. */
import type { RunState, Task } from "../api/types.js";

const RUN_STATE_LABEL: Record<RunState, string> = {
  pending: "Pending",
  scheduled: "Scheduled",
  running: "Running",
  paused: "Paused",
  finished: "Finished",
  "finished-with-warning": "Finished with warning",
  failed: "Failed",
  stopped: "Stopped",
};

export const RUN_STATES = Object.keys(RUN_STATE_LABEL) as RunState[];

export const runStateLabel = (state: RunState): string => RUN_STATE_LABEL[state];

export function RunStateBadge({ state }: { state: RunState }) {
  return <span className={`badge state-${state}`}>{RUN_STATE_LABEL[state]}</span>;
}

const TASK_STATE_CLASS: Record<Task["state"], string> = { created: "pending", started: "running", paused: "paused", stopped: "stopped" };

export function TaskStateBadge({ state }: { state: Task["state"] }) {
  return <span className={`badge state-${TASK_STATE_CLASS[state]}`}>{state[0]?.toUpperCase() + state.slice(1)}</span>;
}

export function ProgressBar({ percent, label }: { percent: number; label?: string }) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div className="progress" role="progressbar" aria-valuenow={value} aria-valuemin={0} aria-valuemax={100} aria-label={label ?? "Progress"}>
      <div className="progress-fill" style={{ width: `${value}%` }} />
      <span className="progress-text">{value}%</span>
    </div>
  );
}

/** "3 running · 1 failed · 12 finished": the non-zero counts of a task's runs as small badges. */
export function StateCounts({ counts }: { counts: Task["counts"] }) {
  const shown = RUN_STATES.filter((s) => (counts[s] ?? 0) > 0);
  if (shown.length === 0) return <span className="muted">no devices</span>;
  return (
    <span className="counts">
      {shown.map((s) => (
        <span key={s} className={`badge small state-${s}`} title={RUN_STATE_LABEL[s]}>
          {RUN_STATE_LABEL[s]} {counts[s]}
        </span>
      ))}
    </span>
  );
}
