/** Dashboard: devices online/offline, detections over two weeks, tasks still running, the newest detections (live). */
import { Link } from "react-router";
import { api } from "../api/client.js";
import type { Dashboard as DashboardData } from "../api/types.js";
import { ProgressBar, StateCounts } from "../components/badges.js";
import { BarChart } from "../components/bar-chart.js";
import { formatTime } from "../format.js";
import { useLoad } from "../hooks.js";
import { ActionList } from "./task/evidence.js";

export function Dashboard() {
  const { data, error } = useLoad(() => api.get<DashboardData>("/dashboard"), "dashboard", 5000);
  if (error !== undefined && data === undefined) return <div className="error">{error.message}</div>;
  if (data === undefined) return <div className="muted">Loading…</div>;
  const { devices } = data;
  const total = data.detectionsPerDay.reduce((sum, d) => sum + d.count, 0);
  return (
    <>
      <div className="page-head">
        <h1>Dashboard</h1>
        <span className="sub">Online: seen within {devices.onlineWithinMinutes} minutes · refreshes every 5 s</span>
      </div>
      <div className="tiles">
        <Tile label="Devices" value={devices.total} />
        <Tile label="Online" value={devices.online} tone="ok" />
        <Tile label="Offline" value={devices.offline} tone={devices.offline > 0 ? "bad" : undefined} />
        <Tile label="Tasks running" value={data.activeTasks.length} tone="run" />
      </div>
      <div className="grid-2">
        <section className="panel" aria-labelledby="chart-title">
          <h2 id="chart-title">
            Detections over the last {data.detectionsPerDay.length} days <span className="muted">({total} detected object{total === 1 ? "" : "s"}, UTC days)</span>
          </h2>
          <BarChart label="Detected objects per day" bars={data.detectionsPerDay.map((d) => ({ label: d.day.slice(5), value: d.count, title: `${d.day}: ${d.count} detected objects` }))} />
        </section>
        <section className="panel" aria-labelledby="running-title">
          <h2 id="running-title">Running tasks</h2>
          {data.activeTasks.length === 0 ? (
            <div className="muted">No task has unfinished runs.</div>
          ) : (
            <table className="grid" aria-label="Running tasks">
              <thead>
                <tr>
                  <th>Task</th>
                  <th>Devices</th>
                  <th style={{ width: "9rem" }}>Progress</th>
                </tr>
              </thead>
              <tbody>
                {data.activeTasks.map((t) => (
                  <tr key={t.id}>
                    <td>
                      <Link to={`/tasks/${t.id}`}>{t.name}</Link>
                    </td>
                    <td>
                      <StateCounts counts={t.counts} />
                    </td>
                    <td>
                      <ProgressBar percent={t.progress} label={`Progress of ${t.name}`} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
      <section className="panel" aria-labelledby="recent-title">
        <h2 id="recent-title">Recent detections</h2>
        {data.recentDetections.length === 0 ? (
          <div className="muted">Nothing detected yet.</div>
        ) : (
          <table className="grid" aria-label="Recent detections">
            <thead>
              <tr>
                <th style={{ width: "10.5rem" }}>Time</th>
                <th>Device</th>
                <th>IOC</th>
                <th>Object</th>
                <th>Action</th>
              </tr>
            </thead>
            <tbody>
              {data.recentDetections.map((d) => (
                <tr key={`${d.runId}|${d.iocId}|${d.document}|${d.objectId}`}>
                  <td className="nowrap">{formatTime(d.foundAt)}</td>
                  <td>{d.hostname}</td>
                  <td>
                    <Link to={`/tasks/${d.taskId}/detections`}>{d.iocTitle || d.iocId}</Link>
                  </td>
                  <td className="break mono">{d.objectId || d.document}</td>
                  <td>
                    <ActionList actions={d.actions} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function Tile({ label, value, tone }: { label: string; value: number; tone?: "ok" | "bad" | "run" | undefined }) {
  return (
    <div className={`tile ${tone ?? ""}`}>
      <div className="tile-label">{label}</div>
      <div className="tile-value">{value}</div>
    </div>
  );
}
