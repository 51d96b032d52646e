/**
 * Devices and groups: the group tree (create, rename, delete groups) and the devices of the
 * chosen group, paged on the server, with last contact (online/offline), OS and agent version;
 * selected devices move to another group.
 */
import { useState } from "react";
import { Link } from "react-router";
import { api } from "../api/client.js";
import type { Device, Group, Page } from "../api/types.js";
import { useAuth } from "../auth.js";
import { DataTable, type Column } from "../components/data-table.js";
import { ConfirmDialog, Dialog, errorText } from "../components/dialog.js";
import { GroupTree, groupPath } from "../components/group-tree.js";
import { OnlineBadge } from "../components/online-badge.js";
import { formatAgo, formatTime } from "../format.js";
import { useLoad } from "../hooks.js";

const ROOT = "root";

type GroupDialog = { kind: "create" | "rename" | "delete"; group: Group };

function GroupForm({ dialog, onDone, onClose }: { dialog: GroupDialog; onDone: (selected: string) => void; onClose: () => void }) {
  const [name, setName] = useState(dialog.kind === "rename" ? dialog.group.name : "");
  const [error, setError] = useState<string>();
  const submit = async () => {
    setError(undefined);
    try {
      if (dialog.kind === "create") onDone((await api.post<Group>("/groups", { name, parentId: dialog.group.id })).id);
      else if (dialog.kind === "rename") onDone((await api.patch<Group>(`/groups/${dialog.group.id}`, { name })).id);
      else {
        await api.delete(`/groups/${dialog.group.id}`);
        onDone(dialog.group.parentId ?? ROOT);
      }
    } catch (e) {
      setError(errorText(e));
    }
  };
  if (dialog.kind === "delete") {
    return (
      <ConfirmDialog title="Delete group" confirm="Delete group" onClose={onClose} onConfirm={() => void submit()} error={error}>
        <p>
          Delete the group <strong>{dialog.group.name}</strong>? Only an empty group (no subgroups, no devices) can be deleted.
        </p>
      </ConfirmDialog>
    );
  }
  return (
    <Dialog title={dialog.kind === "create" ? `New group in ${dialog.group.name}` : `Rename ${dialog.group.name}`} onClose={onClose}>
      <form
        className="dialog-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          Name
          <input type="text" value={name} required maxLength={255} autoFocus onChange={(e) => setName(e.target.value)} />
        </label>
        {error !== undefined && (
          <div className="error" role="alert">
            {error}
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="primary">
            {dialog.kind === "create" ? "Create" : "Rename"}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function DevicesPage() {
  const { user } = useAuth();
  const canChange = user?.role !== "viewer";
  const [selected, setSelected] = useState(ROOT);
  const [recursive, setRecursive] = useState(true);
  const [search, setSearch] = useState("");
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [target, setTarget] = useState("");
  const [version, setVersion] = useState(0);
  const [dialog, setDialog] = useState<GroupDialog>();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const groups = useLoad(() => api.get<{ items: Group[] }>("/groups"), String(version));
  const all = groups.data?.items ?? [];
  const current = all.find((g) => g.id === selected);

  const toggle = (id: string) =>
    setChecked((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const move = async () => {
    setMessage(undefined);
    const ids = [...checked];
    const failures: string[] = [];
    for (const id of ids) {
      try {
        await api.patch<Device>(`/devices/${id}`, { groupId: target });
      } catch (e) {
        failures.push(errorText(e));
      }
    }
    setChecked(new Set());
    setVersion((v) => v + 1);
    setMessage(failures.length === 0 ? { ok: true, text: `Moved ${ids.length} device${ids.length === 1 ? "" : "s"} to ${groupPath(all, target)}` } : { ok: false, text: failures.join("; ") });
  };

  const columns: Column<Device>[] = [
    ...(canChange ? [{ header: "Select", render: (d: Device) => <input type="checkbox" checked={checked.has(d.id)} onChange={() => toggle(d.id)} aria-label={`Select ${d.hostname}`} />, width: "3.5rem" }] : []),
    { header: "Host name", render: (d) => <span className="break">{d.hostname}</span>, width: "18%" },
    { header: "Status", render: (d) => <OnlineBadge lastSeenAt={d.lastSeenAt} />, width: "6rem" },
    { header: "Last seen", render: (d) => <span title={formatTime(d.lastSeenAt)}>{formatAgo(d.lastSeenAt)}</span>, width: "7rem" },
    { header: "OS", render: (d) => d.os },
    { header: "Agent", render: (d) => d.agentVersion, width: "6rem" },
    { header: "Group", render: (d) => groupPath(all, d.groupId) || "—" },
    { header: "Active runs", render: (d) => d.activeRuns.length, width: "6rem", align: "right" },
    { header: "Quarantine", render: (d) => <Link to={`/quarantine?device=${encodeURIComponent(d.id)}`}>open</Link>, width: "6rem" },
  ];

  return (
    <>
      <div className="page-head">
        <h1>Devices &amp; groups</h1>
        {canChange && <Link to="/enrollment">Enrollment tokens</Link>}
      </div>
      {message !== undefined && (
        <div className={message.ok ? "notice" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </div>
      )}
      <div className="split">
        <div className="side">
          <h2>Groups</h2>
          {groups.error !== undefined && <div className="error">{groups.error.message}</div>}
          <GroupTree groups={all} selected={selected} onSelect={(id) => { setSelected(id); setChecked(new Set()); }} />
          {canChange && current !== undefined && (
            <div className="side-actions">
              <button type="button" onClick={() => setDialog({ kind: "create", group: current })}>
                New subgroup
              </button>
              <button type="button" disabled={current.id === ROOT} onClick={() => setDialog({ kind: "rename", group: current })}>
                Rename
              </button>
              <button type="button" className="danger" disabled={current.id === ROOT} onClick={() => setDialog({ kind: "delete", group: current })}>
                Delete
              </button>
            </div>
          )}
        </div>
        <div>
          <div className="toolbar">
            <strong>{current === undefined ? "" : groupPath(all, current.id)}</strong>
            <label className="muted">
              <input type="checkbox" checked={recursive} onChange={(e) => setRecursive(e.target.checked)} />
              include subgroups
            </label>
            <input type="search" placeholder="Host name" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Search host name" />
            <span className="spacer" />
            {canChange && (
              <>
                <label className="muted">
                  Move selected to
                  <select value={target} onChange={(e) => setTarget(e.target.value)} style={{ marginLeft: 6 }}>
                    <option value="">choose a group…</option>
                    {[...all].sort((a, b) => groupPath(all, a.id).localeCompare(groupPath(all, b.id))).map((g) => (
                      <option key={g.id} value={g.id}>
                        {groupPath(all, g.id)}
                      </option>
                    ))}
                  </select>
                </label>
                <button type="button" className="primary" disabled={checked.size === 0 || target === ""} onClick={() => void move()}>
                  Move {checked.size > 0 ? checked.size : ""}
                </button>
              </>
            )}
          </div>
          <DataTable
            label="Devices"
            columns={columns}
            rowKey={(d) => d.id}
            filterKey={JSON.stringify({ selected, recursive, search, version })}
            refreshMs={15_000}
            load={(p) => api.get<Page<Device>>("/devices", { groupId: selected, recursive, search, limit: p.limit, offset: p.offset })}
            empty="No devices in this group."
          />
        </div>
      </div>
      {dialog !== undefined && (
        <GroupForm
          dialog={dialog}
          onClose={() => setDialog(undefined)}
          onDone={(id) => {
            setDialog(undefined);
            setSelected(id);
            setVersion((v) => v + 1);
          }}
        />
      )}
    </>
  );
}
