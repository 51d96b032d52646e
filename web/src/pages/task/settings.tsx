/** Task properties -> Application settings -> IOC Scan settings, saved with PATCH /tasks/:id (applies to runs started afterwards). */
import { useState, type FormEvent } from "react";
import { api, ApiError } from "../../api/client.js";
import type { Task, TaskSettings } from "../../api/types.js";
import { SettingsFields } from "./settings-fields.js";

export function SettingsSection({ task, onSaved }: { task: Task; onSaved: (task: Task) => void }) {
  const [settings, setSettings] = useState<TaskSettings>(task.settings);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const changed = JSON.stringify(settings) !== JSON.stringify(task.settings);

  const save = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    api
      .patch<Task>(`/tasks/${task.id}`, { settings })
      .then((saved) => {
        setSettings(saved.settings);
        setMessage({ ok: true, text: "Saved. The settings apply to runs started from now on." });
        onSaved(saved);
      })
      .catch((e: unknown) => setMessage({ ok: false, text: e instanceof ApiError ? e.message : String(e) }))
      .finally(() => setBusy(false));
  };

  return (
    <form className="panel form" onSubmit={save} aria-label="IOC Scan settings">
      <h2>Application settings → IOC Scan settings</h2>
      <SettingsFields
        value={settings}
        onChange={(next) => {
          setSettings(next);
          setMessage(undefined);
        }}
      />
      {message !== undefined && (
        <div className={message.ok ? "notice" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || !changed}>
          Save
        </button>
        <button type="button" disabled={busy || !changed} onClick={() => setSettings(task.settings)}>
          Discard changes
        </button>
      </div>
    </form>
  );
}
