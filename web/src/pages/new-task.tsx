/** New task: name, target (a group with its subgroups, or chosen devices), IOC files, IOC Scan settings, run mode. */
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { api, ApiError } from "../api/client.js";
import type { Device, Group, NewTask, Page, Task, TaskSettings } from "../api/types.js";
import { useLoad } from "../hooks.js";
import { IocFilePicker } from "./new-task/ioc-upload.js";
import { SettingsFields } from "./task/settings-fields.js";

const DEFAULT_SETTINGS: TaskSettings = { action: "report", criticalAreas: false, idleOnly: false, scopes: [], excludes: [], switches: {} };

/** "Servers / Web" paths for the group list, in tree order. */
function groupPaths(groups: readonly Group[]): { id: string; path: string }[] {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const path = (g: Group): string => {
    const parent = g.parentId === null ? undefined : byId.get(g.parentId);
    return parent === undefined ? g.name : `${path(parent)} / ${g.name}`;
  };
  return groups.map((g) => ({ id: g.id, path: path(g) })).sort((a, b) => a.path.localeCompare(b.path));
}

export function NewTaskPage() {
  const navigate = useNavigate();
  const groups = useLoad(() => api.get<{ items: Group[] }>("/groups"), "groups");
  const [search, setSearch] = useState("");
  const devices = useLoad(() => api.get<Page<Device>>("/devices", { limit: 200, search: search || undefined }), search);
  const [name, setName] = useState("");
  const [targetKind, setTargetKind] = useState<"group" | "devices">("group");
  const [groupId, setGroupId] = useState("root");
  const [deviceIds, setDeviceIds] = useState<string[]>([]);
  const [iocFileIds, setIocFileIds] = useState<string[]>([]);
  const [settings, setSettings] = useState<TaskSettings>(DEFAULT_SETTINGS);
  const [runMode, setRunMode] = useState<NewTask["runMode"]>("immediately");
  const [from, setFrom] = useState("22:00");
  const [to, setTo] = useState("06:00");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (iocFileIds.length === 0) return setError("Choose or upload at least one IOC file.");
    if (targetKind === "devices" && deviceIds.length === 0) return setError("Choose at least one device, or target a group.");
    const body: NewTask = {
      name,
      target: targetKind === "group" ? { kind: "group", groupId } : { kind: "devices", deviceIds },
      iocFileIds,
      settings,
      runMode,
      ...(runMode === "window" ? { window: `${from}-${to}` } : {}),
    };
    setBusy(true);
    api
      .post<Task>("/tasks", body)
      .then((task) => navigate(`/tasks/${task.id}/results`))
      .catch((e: unknown) => {
        setError(e instanceof ApiError ? e.message : String(e));
        setBusy(false);
      });
  };

  return (
    <>
      <h1>New task</h1>
      <form className="panel form" onSubmit={submit} aria-label="New task">
        <label className="field">
          <span className="field-label">Name</span>
          <input type="text" name="name" required maxLength={255} value={name} onChange={(e) => setName(e.target.value)} placeholder="Weekly IOC sweep" />
        </label>
        <div className="field">
          <span className="field-label">Target</span>
          <div className="checks">
            <label>
              <input type="radio" name="targetKind" checked={targetKind === "group"} onChange={() => setTargetKind("group")} />
              A group with its subgroups{" "}
              <select name="group" aria-label="Group" value={groupId} disabled={targetKind !== "group"} onChange={(e) => setGroupId(e.target.value)}>
                {groupPaths(groups.data?.items ?? []).map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.path}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <input type="radio" name="targetKind" checked={targetKind === "devices"} onChange={() => setTargetKind("devices")} />
              Chosen devices {deviceIds.length > 0 && <span className="muted">({deviceIds.length} chosen)</span>}
            </label>
            {targetKind === "devices" && (
              <div>
                <input type="search" aria-label="Search devices" placeholder="Search host names" value={search} onChange={(e) => setSearch(e.target.value)} />
                <div className="target-list">
                  {devices.data?.items.length === 0 && <div className="muted">No devices match.</div>}
                  {devices.data?.items.map((d) => (
                    <label key={d.id} style={{ display: "block" }}>
                      <input type="checkbox" checked={deviceIds.includes(d.id)} onChange={(e) => setDeviceIds(e.target.checked ? [...deviceIds, d.id] : deviceIds.filter((x) => x !== d.id))} />
                      {d.hostname} <span className="muted">{d.os}</span>
                    </label>
                  ))}
                </div>
              </div>
            )}
          </div>
        </div>
        <div className="field">
          <span className="field-label">IOC files</span>
          <IocFilePicker selected={iocFileIds} onChange={setIocFileIds} />
        </div>
        <SettingsFields value={settings} onChange={setSettings} />
        <div className="field">
          <span className="field-label">Run mode</span>
          <div className="checks">
            <label>
              <input type="radio" name="runMode" checked={runMode === "immediately"} onChange={() => setRunMode("immediately")} />
              Immediately
            </label>
            <label>
              <input type="radio" name="runMode" checked={runMode === "manual"} onChange={() => setRunMode("manual")} />
              Manually (start it from the task)
            </label>
            <label>
              <input type="radio" name="runMode" checked={runMode === "window"} onChange={() => setRunMode("window")} />
              Daily in a window (UTC) from{" "}
              <input type="time" aria-label="Window start" value={from} disabled={runMode !== "window"} onChange={(e) => setFrom(e.target.value)} /> to{" "}
              <input type="time" aria-label="Window end" value={to} disabled={runMode !== "window"} onChange={(e) => setTo(e.target.value)} />
            </label>
          </div>
        </div>
        {error !== undefined && (
          <div className="error" role="alert">
            {error}
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            Create task
          </button>
          <button type="button" onClick={() => void navigate("/tasks")}>
            Cancel
          </button>
        </div>
      </form>
    </>
  );
}
