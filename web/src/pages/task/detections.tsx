/**
 * Task properties -> IOC Scan results: every detected object with its device, IOC file, IOC,
 * matched indicator items and observed values, action and result, and time. Filtered, sorted and
 * paged on the server; exported as CSV or JSON by /detections?format=.
 */
import { useState } from "react";
import { Link } from "react-router";
import { api, apiUrl } from "../../api/client.js";
import type { Detection, Page, Run, Task } from "../../api/types.js";
import { DataTable, type Column } from "../../components/data-table.js";
import { formatTime } from "../../format.js";
import { useLoad } from "../../hooks.js";
import { iocViewerLink } from "../ioc-viewer-link.js";
import { ActionList, Evidence } from "./evidence.js";

const COLUMNS: readonly Column<Detection>[] = [
  { header: "Time", render: (d) => <span className="nowrap">{formatTime(d.foundAt)}</span>, sort: "foundAt", width: "10.5rem" },
  { header: "Device", render: (d) => d.hostname, sort: "hostname", width: "9rem" },
  // The agent reports where it keeps the file; its name is what the operator uploaded.
  {
    header: "IOC file",
    width: "9rem",
    render: (d) => (
      <span className="break" title={d.iocFile}>
        {d.iocFile.split(/[\\/]/).pop()}
      </span>
    ),
  },
  {
    header: "IOC",
    sort: "iocId",
    width: "14rem",
    render: (d) => (
      <>
        <div>{d.iocTitle || "(untitled)"}</div>
        <div className="hint break mono">{d.iocId}</div>
        <Link to={iocViewerLink(d)}>view in IOC</Link>
      </>
    ),
  },
  { header: "Matched indicator", render: (d) => <Evidence detection={d} /> },
  {
    header: "Object",
    width: "18rem",
    render: (d) => (
      <>
        <div className="hint">{d.document}</div>
        <div className="break mono">{d.objectId || "—"}</div>
      </>
    ),
  },
  { header: "Action and result", render: (d) => <ActionList actions={d.actions} />, width: "11rem" },
];

const rowKey = (d: Detection): string => `${d.runId}|${d.iocId}|${d.document}|${d.objectId}`;

export function DetectionsSection({ task }: { task: Task }) {
  const [deviceId, setDeviceId] = useState("");
  const [iocId, setIocId] = useState("");
  const [iocInput, setIocInput] = useState("");
  const runs = useLoad(() => api.get<Page<Run>>(`/tasks/${task.id}/runs`, { limit: 1000 }), task.id);
  const filters = { taskId: task.id, deviceId: deviceId || undefined, iocId: iocId || undefined };
  const exportUrl = (format: "csv" | "json") => apiUrl("/detections", { ...filters, format, ...(format === "json" ? { limit: 1000 } : {}) });

  return (
    <>
      <form
        className="toolbar"
        aria-label="Filter detections"
        onSubmit={(e) => {
          e.preventDefault();
          setIocId(iocInput.trim());
        }}
      >
        <label>
          Device{" "}
          <select name="device" value={deviceId} onChange={(e) => setDeviceId(e.target.value)}>
            <option value="">All devices</option>
            {runs.data?.items.map((r) => (
              <option key={r.deviceId} value={r.deviceId}>
                {r.hostname}
              </option>
            ))}
          </select>
        </label>
        <label>
          IOC id <input name="iocId" type="text" value={iocInput} onChange={(e) => setIocInput(e.target.value)} placeholder="exact IOC id" />
        </label>
        <button type="submit">Filter</button>
        {(deviceId !== "" || iocId !== "") && (
          <button
            type="button"
            onClick={() => {
              setDeviceId("");
              setIocId("");
              setIocInput("");
            }}
          >
            Clear
          </button>
        )}
        <span className="spacer" />
        <a className="button" href={exportUrl("csv")} download="detections.csv">
          Export CSV
        </a>
        <a className="button" href={exportUrl("json")} download="detections.json" title="Up to 1,000 rows; use CSV for more">
          Export JSON
        </a>
      </form>
      <DataTable
        label="IOC Scan results"
        columns={COLUMNS}
        rowKey={rowKey}
        filterKey={JSON.stringify(filters)}
        initialSort={{ sort: "foundAt", order: "desc" }}
        refreshMs={5000}
        load={(p) => api.get<Page<Detection>>("/detections", { ...filters, limit: p.limit, offset: p.offset, sort: p.sort, order: p.order })}
        empty="No detections for this task (yet)."
      />
    </>
  );
}
