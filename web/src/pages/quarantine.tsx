/**
 * Quarantine: the objects each device's agent reports in its quarantine store. Restore or delete
 * is a command to the agent (202 from the server); its state (pending, then done or failed with
 * the agent's detail) is read from the device's commands until the result is back.
 */
import { useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api } from "../api/client.js";
import type { Command, Device, QuarantineEntry } from "../api/types.js";
import { DevicePicker } from "../components/device-picker.js";
import { ConfirmDialog, errorText } from "../components/dialog.js";
import { OnlineBadge } from "../components/online-badge.js";
import { formatTime } from "../format.js";
import { useLoad } from "../hooks.js";

const COMMAND_CLASS: Record<Command["status"], string> = { pending: "running", done: "finished", failed: "failed" };
const COMMAND_VERB: Record<Command["kind"], string> = { "quarantine-restore": "Restore", "quarantine-delete": "Delete" };

function CommandState({ command }: { command: Command }) {
  return (
    <div>
      <span className={`badge small state-${COMMAND_CLASS[command.status]}`}>
        {COMMAND_VERB[command.kind]} {command.status === "pending" ? "pending…" : command.status}
      </span>
      {command.detail !== null && <div className="muted break">{command.detail}</div>}
    </div>
  );
}

const RECENT_COMMANDS = 10;

/** The newest commands with their results: a deleted entry leaves the inventory, its command's result stays here. */
function RecentCommands({ commands, paths }: { commands: readonly Command[]; paths: ReadonlyMap<string, string> }) {
  if (commands.length === 0) return null;
  return (
    <section className="table-block" style={{ marginTop: 12 }} aria-label="Recent commands">
      <h2 style={{ padding: "8px 10px 0" }}>Recent commands</h2>
      <table className="grid" aria-label="Recent commands">
        <thead>
          <tr>
            <th style={{ width: "14rem" }}>Command</th>
            <th>Object</th>
            <th style={{ width: "10rem" }}>Sent by</th>
            <th style={{ width: "10.5rem" }}>Sent</th>
            <th style={{ width: "10.5rem" }}>Finished</th>
          </tr>
        </thead>
        <tbody>
          {commands.map((c) => (
            <tr key={c.id}>
              <td>
                <CommandState command={c} />
              </td>
              <td className="mono break">{paths.get(c.quarantineId) ?? c.quarantineId}</td>
              <td>{c.createdBy.replace(/^user:/, "")}</td>
              <td>{formatTime(c.createdAt)}</td>
              <td>{formatTime(c.finishedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function DeviceQuarantine({ device }: { device: Device }) {
  const [error, setError] = useState<string>();
  const [confirmDelete, setConfirmDelete] = useState<QuarantineEntry>();
  const [sent, setSent] = useState(0);
  const commands = useLoad(() => api.get<{ items: Command[] }>(`/devices/${device.id}/commands`), `${device.id}|${sent}`, 2000);
  const pending = (commands.data?.items ?? []).some((c) => c.status === "pending");
  // Faster while a command is on its way: the agent reports its store again after running it.
  const entries = useLoad(() => api.get<{ items: QuarantineEntry[] }>(`/devices/${device.id}/quarantine`), `${device.id}|${sent}`, pending ? 2000 : 10_000);
  const latest = new Map<string, Command>();
  for (const c of commands.data?.items ?? []) if (!latest.has(c.quarantineId)) latest.set(c.quarantineId, c); // newest first

  const send = async (entry: QuarantineEntry, verb: "restore" | "delete") => {
    setError(undefined);
    try {
      await api.post<Command>(`/devices/${device.id}/quarantine/${encodeURIComponent(entry.quarantineId)}/${verb}`);
      setSent((n) => n + 1);
      setConfirmDelete(undefined);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const items = [...(entries.data?.items ?? [])].sort((a, b) => b.quarantinedAt.localeCompare(a.quarantinedAt));
  // Paths seen on this page, so a command for an entry the agent has since deleted still names its object.
  const paths = useRef(new Map<string, string>()).current;
  for (const e of items) paths.set(e.quarantineId, e.originalPath);
  return (
    <div>
      <div className="page-head">
        <h2 style={{ margin: 0 }}>
          {device.hostname} <OnlineBadge lastSeenAt={device.lastSeenAt} />
        </h2>
        <span className="muted">{entries.data === undefined ? "" : `${items.filter((e) => e.state === "quarantined").length} in quarantine, ${items.length} reported`}</span>
      </div>
      {(error ?? entries.error?.message ?? commands.error?.message) !== undefined && (
        <div className="error" role="alert">
          {error ?? entries.error?.message ?? commands.error?.message}
        </div>
      )}
      <div className="table-block">
        <div className="table-scroll">
          <table className="grid" aria-label={`Quarantine of ${device.hostname}`}>
            <thead>
              <tr>
                <th style={{ width: "32%" }}>Original path</th>
                <th style={{ width: "6.5rem" }}>State</th>
                <th style={{ width: "6rem" }} className="num">
                  Size
                </th>
                <th style={{ width: "14%" }}>IOC</th>
                <th style={{ width: "10.5rem" }}>Quarantined</th>
                <th style={{ width: "14rem" }}>Command</th>
                <th style={{ width: "10.5rem" }}>Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => {
                const command = latest.get(e.quarantineId);
                const busy = command?.status === "pending";
                return (
                  <tr key={e.quarantineId} data-quarantine-id={e.quarantineId}>
                    <td>
                      <span className="mono break">{e.originalPath}</span>
                      <div className="muted mono" title="SHA-256">
                        {e.sha256.slice(0, 16)}…
                      </div>
                    </td>
                    <td>
                      <span className={`badge small state-${e.state === "quarantined" ? "paused" : "finished"}`}>{e.state}</span>
                    </td>
                    <td className="num">{e.size.toLocaleString("en-US")} B</td>
                    <td className="break">{e.iocId === null ? "—" : <Link to={`/ioc-viewer?iocId=${encodeURIComponent(e.iocId)}`}>{e.iocId}</Link>}</td>
                    <td>{formatTime(e.quarantinedAt)}</td>
                    <td>{command === undefined ? <span className="muted">—</span> : <CommandState command={command} />}</td>
                    <td>
                      {e.state === "quarantined" && (
                        <div className="side-actions">
                          <button type="button" disabled={busy} onClick={() => void send(e, "restore")} aria-label={`Restore ${e.originalPath}`}>
                            Restore
                          </button>
                          <button type="button" className="danger" disabled={busy} onClick={() => setConfirmDelete(e)} aria-label={`Delete ${e.originalPath}`}>
                            Delete
                          </button>
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
              {entries.data !== undefined && items.length === 0 && (
                <tr>
                  <td colSpan={7} className="empty">
                    Nothing in this device's quarantine.
                  </td>
                </tr>
              )}
              {entries.data === undefined && entries.error === undefined && (
                <tr>
                  <td colSpan={7} className="empty">
                    Loading…
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </div>
      <RecentCommands commands={(commands.data?.items ?? []).slice(0, RECENT_COMMANDS)} paths={paths} />
      {confirmDelete !== undefined && (
        <ConfirmDialog title="Delete from quarantine" confirm="Delete for good" onClose={() => setConfirmDelete(undefined)} onConfirm={() => void send(confirmDelete, "delete")} error={error}>
          <p>
            The agent on <strong>{device.hostname}</strong> deletes its quarantined copy of <span className="mono break">{confirmDelete.originalPath}</span>. It cannot be restored afterwards.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

export function QuarantinePage() {
  const [params, setParams] = useSearchParams();
  const deviceId = params.get("device") ?? undefined;
  const device = useLoad(async () => (deviceId === undefined ? undefined : api.get<Device>(`/devices/${encodeURIComponent(deviceId)}`)), deviceId ?? "");
  return (
    <>
      <div className="page-head">
        <h1>Quarantine</h1>
        <span className="sub">Objects moved to quarantine by IOC scan tasks, per device. Restore and delete are carried out by the device's agent.</span>
      </div>
      <div className="split">
        <DevicePicker selected={deviceId} onSelect={(d) => setParams({ device: d.id })} />
        {deviceId === undefined ? (
          <div className="panel empty">Choose a device to see its quarantine.</div>
        ) : device.data !== undefined ? (
          <DeviceQuarantine key={device.data.id} device={device.data} />
        ) : (
          <div className="panel empty">{device.error?.message ?? "Loading…"}</div>
        )}
      </div>
    </>
  );
}
