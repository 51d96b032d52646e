/**
 * Enrollment tokens (administrators): a token lets an agent enroll into a group until it expires
 * or is revoked. The secret is in the create answer only, so it is shown once, with a copy button.
 */
import { useState } from "react";
import { api } from "../api/client.js";
import type { Group, Token } from "../api/types.js";
import { DataTable, type Column } from "../components/data-table.js";
import { ConfirmDialog, Dialog, errorText } from "../components/dialog.js";
import { groupPath } from "../components/group-tree.js";
import { formatTime } from "../format.js";
import { useLoad } from "../hooks.js";

function tokenState(t: Token): { label: string; cls: string } {
  if (t.revoked) return { label: "revoked", cls: "stopped" };
  if (Date.parse(t.expiresAt) <= Date.now()) return { label: "expired", cls: "stopped" };
  return { label: "active", cls: "finished" };
}

function NewSecret({ token, onClose }: { token: string; onClose: () => void }) {
  const [copied, setCopied] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token);
      setCopied("Copied to the clipboard.");
    } catch {
      setCopied("The browser refused the clipboard: select the token and copy it by hand.");
    }
  };
  return (
    <Dialog title="Enrollment token created" onClose={onClose} actions={<button type="button" className="primary" onClick={onClose}>Done</button>}>
      <p>Copy the token now: it is shown only this once. Agents enroll with <code>iocscan agent --server URL --enroll TOKEN</code>.</p>
      <div className="secret">
        <code data-testid="new-token">{token}</code>
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      {copied !== undefined && <div className="hint" role="status">{copied}</div>}
    </Dialog>
  );
}

export function EnrollmentPage() {
  const groups = useLoad(() => api.get<{ items: Group[] }>("/groups"), "");
  const all = groups.data?.items ?? [];
  const [groupId, setGroupId] = useState("root");
  const [hours, setHours] = useState(24);
  const [version, setVersion] = useState(0);
  const [secret, setSecret] = useState<string>();
  const [revoking, setRevoking] = useState<Token>();
  const [error, setError] = useState<string>();

  const create = async () => {
    setError(undefined);
    try {
      const created = await api.post<Token & { token: string }>("/enrollment-tokens", { groupId, expiresInHours: hours });
      setSecret(created.token);
      setVersion((v) => v + 1);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const revoke = async (t: Token) => {
    try {
      await api.post(`/enrollment-tokens/${t.id}/revoke`);
      setRevoking(undefined);
      setVersion((v) => v + 1);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const columns: Column<Token>[] = [
    { header: "Token", render: (t) => <span className="mono">{t.id}</span>, width: "16%" },
    { header: "Group", render: (t) => groupPath(all, t.groupId) || t.groupId },
    { header: "State", render: (t) => { const s = tokenState(t); return <span className={`badge state-${s.cls}`}>{s.label}</span>; }, width: "6rem" },
    { header: "Uses", render: (t) => t.uses, width: "4.5rem", align: "right" },
    { header: "Created", render: (t) => <>{formatTime(t.createdAt)}<div className="muted">{t.createdBy.replace(/^user:/, "")}</div></>, width: "10.5rem" },
    { header: "Expires", render: (t) => formatTime(t.expiresAt), width: "10.5rem" },
    { header: "", render: (t) => (tokenState(t).label === "active" ? <button type="button" className="danger" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.id}`}>Revoke</button> : null), width: "6rem" },
  ];

  return (
    <>
      <div className="page-head">
        <h1>Enrollment tokens</h1>
      </div>
      <form
        className="toolbar panel"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <label className="muted">
          Group{" "}
          <select value={groupId} onChange={(e) => setGroupId(e.target.value)}>
            {[...all].sort((a, b) => groupPath(all, a.id).localeCompare(groupPath(all, b.id))).map((g) => (
              <option key={g.id} value={g.id}>
                {groupPath(all, g.id)}
              </option>
            ))}
          </select>
        </label>
        <label className="muted">
          Valid for{" "}
          <input type="number" min={1} max={8760} value={hours} onChange={(e) => setHours(Number(e.target.value))} style={{ width: "6rem" }} /> hours
        </label>
        <button type="submit" className="primary">
          Create token
        </button>
      </form>
      {error !== undefined && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
      <div style={{ height: 10 }} />
      <DataTable
        label="Enrollment tokens"
        columns={columns}
        rowKey={(t) => t.id}
        filterKey={String(version)}
        // The server answers every token (few, short-lived); the table pages them.
        load={async (p) => {
          const items = (await api.get<{ items: Token[] }>("/enrollment-tokens")).items.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
          return { items: items.slice(p.offset, p.offset + p.limit), total: items.length };
        }}
        empty="No enrollment tokens."
      />
      {secret !== undefined && <NewSecret token={secret} onClose={() => setSecret(undefined)} />}
      {revoking !== undefined && (
        <ConfirmDialog title="Revoke enrollment token" confirm="Revoke" onClose={() => setRevoking(undefined)} onConfirm={() => void revoke(revoking)}>
          <p>Agents can no longer enroll with token {revoking.id}. Devices already enrolled stay.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
