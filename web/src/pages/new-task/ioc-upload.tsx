/**
 * IOC files for a new task: upload files (each in its own request, so one bad file does not hold
 * back the others) and show the server's diagnostics per file with line and column; or pick
 * files uploaded before.
 */
import { useState } from "react";
import { api, ApiError } from "../../api/client.js";
import type { Diagnostic, IocFile } from "../../api/types.js";
import { useLoad } from "../../hooks.js";

interface Refused {
  name: string;
  message: string;
  diagnostics: Diagnostic[];
}

/** The file's bytes as base64, so any encoding the XML declares reaches the server intact. */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    // readAsDataURL yields a string: "data:<type>;base64,<bytes>".
    reader.onload = () => resolve(typeof reader.result === "string" ? reader.result.replace(/^data:[^,]*,/, "") : "");
    reader.onerror = () => reject(reader.error ?? new Error(`Cannot read "${file.name}"`));
    reader.readAsDataURL(file);
  });
}

/** The 400 `unusable-ioc-files` answer: `details.files[].diagnostics`. */
function diagnosticsOf(error: ApiError, name: string): Diagnostic[] {
  const files = (error.details as { files?: { name: string; diagnostics: Diagnostic[] }[] } | null)?.files;
  return files?.find((f) => f.name === name)?.diagnostics ?? files?.[0]?.diagnostics ?? [];
}

export function DiagnosticList({ diagnostics }: { diagnostics: readonly Diagnostic[] }) {
  if (diagnostics.length === 0) return null;
  return (
    <ul className="diagnostics">
      {diagnostics.map((d, i) => (
        <li key={i} className={`${d.severity}-line`}>
          line {d.line}, column {d.column}: {d.severity} {d.code}: {d.message}
        </li>
      ))}
    </ul>
  );
}

export function IocFilePicker({ selected, onChange }: { selected: readonly string[]; onChange: (ids: string[]) => void }) {
  const library = useLoad(() => api.get<{ items: IocFile[] }>("/ioc-files"), "ioc-files");
  const [refused, setRefused] = useState<Refused[]>([]);
  const [uploading, setUploading] = useState(false);
  const files = (library.data?.items ?? []).filter((f) => !f.generated && f.usable);

  const upload = async (chosen: readonly File[]) => {
    setUploading(true);
    const failed: Refused[] = [];
    const added: string[] = [];
    for (const file of chosen) {
      try {
        const answer = await api.post<{ items: IocFile[] }>("/ioc-files", { files: [{ name: file.name, content: await readBase64(file), encoding: "base64" }] });
        added.push(...answer.items.map((f) => f.id));
      } catch (e) {
        failed.push(e instanceof ApiError ? { name: file.name, message: e.message, diagnostics: e.code === "unusable-ioc-files" ? diagnosticsOf(e, file.name) : [] } : { name: file.name, message: String(e), diagnostics: [] });
      }
    }
    setRefused(failed);
    setUploading(false);
    library.reload();
    onChange([...selected, ...added]);
  };

  const toggle = (id: string, on: boolean) => onChange(on ? [...selected, id] : selected.filter((x) => x !== id));

  return (
    <div className="ioc-picker">
      <label className="button">
        Upload IOC files…
        <input
          type="file"
          name="iocFiles"
          multiple
          accept=".ioc,.xml,application/xml,text/xml"
          className="visually-hidden"
          onChange={(e) => {
            const chosen = [...(e.target.files ?? [])];
            e.target.value = "";
            void upload(chosen);
          }}
        />
      </label>{" "}
      {uploading && <span className="muted">Uploading and checking…</span>}
      {refused.map((r) => (
        <div key={r.name} className="error" role="alert" data-file={r.name}>
          <strong>{r.name}</strong>: {r.message}
          <DiagnosticList diagnostics={r.diagnostics} />
        </div>
      ))}
      <table className="grid compact ioc-files" aria-label="IOC files">
        <tbody>
          {files.length === 0 && (
            <tr>
              <td className="muted">No IOC files uploaded yet.</td>
            </tr>
          )}
          {files.map((f) => (
            <tr key={f.id}>
              <td>
                <label>
                  <input type="checkbox" checked={selected.includes(f.id)} onChange={(e) => toggle(f.id, e.target.checked)} />
                  {f.name}
                </label>
              </td>
              <td>{f.title}</td>
              <td className="hint">
                {f.supportedItems}/{f.items} items supported · OpenIOC {f.openiocVersion ?? "?"}
                {f.diagnostics.length > 0 && <DiagnosticList diagnostics={f.diagnostics} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
