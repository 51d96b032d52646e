/**
 * IOC files: every uploaded file with its validation result and the tasks using it; upload (the
 * server refuses a batch with an unusable file and names each file's problems by line and
 * column), view (the IOC viewer) and delete (refused while a task uses the file).
 */
import { useRef, useState } from "react";
import { Link } from "react-router";
import { api, ApiError } from "../api/client.js";
import type { Diagnostic, IocFile, Task } from "../api/types.js";
import { DataTable, type Column } from "../components/data-table.js";
import { ConfirmDialog, errorText } from "../components/dialog.js";
import { formatTime } from "../format.js";
import { useLoad } from "../hooks.js";

interface Refused {
  name: string;
  diagnostics: Diagnostic[];
}

/** The bytes of a file as base64, so the server validates exactly what is on disk (any encoding). */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function refusedFiles(error: unknown): Refused[] {
  if (!(error instanceof ApiError) || error.code !== "unusable-ioc-files") return [];
  const details = error.details as { files?: Refused[] } | null;
  return details?.files ?? [];
}

export function DiagnosticList({ diagnostics, file }: { diagnostics: readonly Diagnostic[]; file: string }) {
  return (
    <ul className="diagnostics">
      {diagnostics.map((d, i) => (
        <li key={i} className={`${d.severity}-line`}>
          <span className="mono">
            {file}:{d.line}:{d.column}
          </span>{" "}
          {d.severity}: {d.message} <span className="muted">({d.code})</span>
        </li>
      ))}
    </ul>
  );
}

function Validation({ file }: { file: IocFile }) {
  const errors = file.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = file.diagnostics.filter((d) => d.severity === "warning").length;
  const badge = !file.usable ? <span className="badge state-failed">Unusable</span> : warnings > 0 ? <span className="badge state-paused">{warnings} warning{warnings === 1 ? "" : "s"}</span> : <span className="badge state-finished">Valid</span>;
  if (file.diagnostics.length === 0) return badge;
  return (
    <details>
      <summary>
        {badge} {errors > 0 ? `${errors} error${errors === 1 ? "" : "s"}` : ""}
      </summary>
      <DiagnosticList diagnostics={file.diagnostics} file={file.name} />
    </details>
  );
}

export function IocFilesPage() {
  const input = useRef<HTMLInputElement>(null);
  const [version, setVersion] = useState(0);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  const [refused, setRefused] = useState<Refused[]>([]);
  const [deleting, setDeleting] = useState<IocFile>();
  const [deleteError, setDeleteError] = useState<string>();
  // Which tasks use each file: the task list holds the references (one request, up to 1000 tasks).
  const tasks = useLoad(() => api.get<{ items: Task[] }>("/tasks", { limit: 1000 }), String(version));
  const usedBy = new Map<string, Task[]>();
  for (const t of tasks.data?.items ?? []) for (const id of t.iocFileIds) usedBy.set(id, [...(usedBy.get(id) ?? []), t]);

  const upload = async (files: FileList | null) => {
    if (files === null || files.length === 0) return;
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    setRefused([]);
    try {
      const body = { files: await Promise.all([...files].map(async (f) => ({ name: f.name, content: await base64Of(f), encoding: "base64" as const }))) };
      const stored = await api.post<{ items: IocFile[] }>("/ioc-files", body);
      setNotice(`Uploaded ${stored.items.map((f) => f.name).join(", ")}`);
      setVersion((v) => v + 1);
    } catch (e) {
      setError(errorText(e));
      setRefused(refusedFiles(e));
    } finally {
      setBusy(false);
      if (input.current !== null) input.current.value = "";
    }
  };

  const remove = async (file: IocFile) => {
    try {
      await api.delete(`/ioc-files/${file.id}`);
      setDeleting(undefined);
      setVersion((v) => v + 1);
    } catch (e) {
      setDeleteError(errorText(e));
    }
  };

  const columns: Column<IocFile>[] = [
    { header: "Name", render: (f) => <Link to={`/ioc-viewer?file=${encodeURIComponent(f.id)}`}>{f.name}</Link>, width: "22%" },
    { header: "IOC", render: (f) => <>{f.title || <span className="muted">untitled</span>} <div className="muted mono break">{f.iocId}</div></>, width: "22%" },
    { header: "Version", render: (f) => f.openiocVersion ?? "—", width: "5rem" },
    { header: "Items", render: (f) => `${f.supportedItems}/${f.items}`, width: "5rem", align: "right" },
    { header: "Validation", render: (f) => <Validation file={f} />, width: "14rem" },
    {
      header: "Used by tasks",
      render: (f) => {
        const users = usedBy.get(f.id) ?? [];
        return users.length === 0 ? <span className="muted">none</span> : users.map((t, i) => <span key={t.id}>{i > 0 && ", "}<Link to={`/tasks/${t.id}`}>{t.name}</Link></span>);
      },
    },
    { header: "Uploaded", render: (f) => <>{formatTime(f.uploadedAt)}<div className="muted">{f.uploadedBy.replace(/^user:/, "")}</div></>, width: "10.5rem" },
    {
      header: "",
      render: (f) => (
        <button type="button" className="danger" onClick={() => { setDeleteError(undefined); setDeleting(f); }} aria-label={`Delete ${f.name}`}>
          Delete
        </button>
      ),
      width: "5.5rem",
    },
  ];

  return (
    <>
      <div className="page-head">
        <h1>IOC files</h1>
        <div className="toolbar">
          <label className="button primary">
            {busy ? "Uploading…" : "Upload IOC files"}
            <input ref={input} type="file" multiple accept=".ioc,.xml,application/xml,text/xml" className="visually-hidden" disabled={busy} onChange={(e) => void upload(e.target.files)} aria-label="IOC files to upload" />
          </label>
        </div>
      </div>
      {notice !== undefined && <div className="notice" role="status">{notice}</div>}
      {error !== undefined && (
        <div className="error" role="alert">
          {error}
          {refused.map((f) => (
            <div key={f.name}>
              <strong>{f.name}</strong>
              <DiagnosticList diagnostics={f.diagnostics} file={f.name} />
            </div>
          ))}
        </div>
      )}
      <DataTable
        label="IOC files"
        columns={columns}
        rowKey={(f) => f.id}
        filterKey={String(version)}
        // The server answers the whole list (IOC files number in the hundreds at most); the table shows it in pages.
        load={async (p) => {
          const all = (await api.get<{ items: IocFile[] }>("/ioc-files")).items.sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt));
          return { items: all.slice(p.offset, p.offset + p.limit), total: all.length };
        }}
        empty="No IOC files yet: upload one."
      />
      {deleting !== undefined && (
        <ConfirmDialog title="Delete IOC file" confirm="Delete" onClose={() => setDeleting(undefined)} onConfirm={() => void remove(deleting)} error={deleteError}>
          <p>
            Delete <strong>{deleting.name}</strong>? Tasks that use it must be changed first.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
