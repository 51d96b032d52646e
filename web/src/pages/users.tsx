/**
 * Users and roles (administrators): create, change role, reset password, delete. The server keeps
 * at least one administrator and answers 403 to anyone else; the page says so instead of a table.
 */
import { useState } from "react";
import { api } from "../api/client.js";
import type { User } from "../api/types.js";
import { useAuth } from "../auth.js";
import { DataTable, type Column } from "../components/data-table.js";
import { ConfirmDialog, Dialog, errorText } from "../components/dialog.js";
import { formatTime } from "../format.js";

const ROLES: readonly User["role"][] = ["administrator", "operator", "viewer"];
const ROLE_HINT: Record<User["role"], string> = {
  administrator: "everything, including users, enrollment tokens and the audit log",
  operator: "tasks, IOC files, devices, groups and quarantine",
  viewer: "reads everything an operator sees, changes nothing",
};
const MIN_PASSWORD = 12;

function UserForm({ user, onDone, onClose }: { user: User | undefined; onDone: () => void; onClose: () => void }) {
  const [name, setName] = useState("");
  const [role, setRole] = useState<User["role"]>("operator");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const submit = async () => {
    setError(undefined);
    try {
      if (user === undefined) await api.post<User>("/users", { name, role, password });
      else await api.patch<User>(`/users/${user.id}`, { password });
      onDone();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Dialog title={user === undefined ? "New user" : `Reset the password of ${user.name}`} onClose={onClose}>
      <form
        className="dialog-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {user === undefined && (
          <>
            <label>
              Name
              <input type="text" value={name} required maxLength={255} autoFocus autoComplete="off" onChange={(e) => setName(e.target.value)} />
            </label>
            <label>
              Role
              <select value={role} onChange={(e) => setRole(e.target.value as User["role"])}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
              <span className="hint">{ROLE_HINT[role]}</span>
            </label>
          </>
        )}
        <label>
          {user === undefined ? "Password" : "New password"}
          <input type="password" value={password} required minLength={MIN_PASSWORD} autoComplete="new-password" autoFocus={user !== undefined} onChange={(e) => setPassword(e.target.value)} />
          <span className="hint">At least {MIN_PASSWORD} characters.{user === undefined ? "" : " The user's sessions end."}</span>
        </label>
        {error !== undefined && (
          <div className="error" role="alert">
            {error}
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="primary">
            {user === undefined ? "Create user" : "Reset password"}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function UsersPage() {
  const { user: me } = useAuth();
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState<{ user: User | undefined }>();
  const [deleting, setDeleting] = useState<User>();
  const [error, setError] = useState<string>();
  const reload = () => setVersion((v) => v + 1);

  if (me?.role !== "administrator") {
    return (
      <>
        <h1>Users &amp; roles</h1>
        <div className="panel empty">Only administrators manage users.</div>
      </>
    );
  }

  const changeRole = async (u: User, role: User["role"]) => {
    setError(undefined);
    try {
      await api.patch<User>(`/users/${u.id}`, { role });
    } catch (e) {
      setError(errorText(e));
    }
    reload();
  };
  const remove = async (u: User) => {
    setError(undefined);
    try {
      await api.delete(`/users/${u.id}`);
      setDeleting(undefined);
      reload();
    } catch (e) {
      setError(errorText(e));
    }
  };

  const columns: Column<User>[] = [
    { header: "Name", render: (u) => <>{u.name}{u.id === me.id && <span className="muted"> (you)</span>}</> },
    {
      header: "Role",
      render: (u) => (
        <select value={u.role} onChange={(e) => void changeRole(u, e.target.value as User["role"])} aria-label={`Role of ${u.name}`}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      ),
      width: "11rem",
    },
    { header: "Created", render: (u) => formatTime(u.createdAt), width: "10.5rem" },
    {
      header: "",
      render: (u) => (
        <div className="side-actions">
          <button type="button" onClick={() => setEditing({ user: u })} aria-label={`Reset the password of ${u.name}`}>
            Reset password
          </button>
          <button type="button" className="danger" onClick={() => setDeleting(u)} aria-label={`Delete ${u.name}`}>
            Delete
          </button>
        </div>
      ),
      width: "15rem",
    },
  ];

  return (
    <>
      <div className="page-head">
        <h1>Users &amp; roles</h1>
        <button type="button" className="primary" onClick={() => setEditing({ user: undefined })}>
          New user
        </button>
      </div>
      {error !== undefined && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
      <DataTable
        label="Users"
        columns={columns}
        rowKey={(u) => u.id}
        filterKey={String(version)}
        // The server answers every user (people, not devices: few); the table pages them.
        load={async (p) => {
          const items = (await api.get<{ items: User[] }>("/users")).items.sort((a, b) => a.name.localeCompare(b.name));
          return { items: items.slice(p.offset, p.offset + p.limit), total: items.length };
        }}
      />
      {editing !== undefined && (
        <UserForm
          user={editing.user}
          onClose={() => setEditing(undefined)}
          onDone={() => {
            setEditing(undefined);
            reload();
          }}
        />
      )}
      {deleting !== undefined && (
        <ConfirmDialog title="Delete user" confirm="Delete user" onClose={() => setDeleting(undefined)} onConfirm={() => void remove(deleting)} error={error}>
          <p>
            Delete <strong>{deleting.name}</strong> ({deleting.role})? Their sessions end at once.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
