/**
 * The IOC Scan settings of a task (the product's "Application settings -> IOC Scan settings"):
 * the actions on detection, scope, exclusions, CPU limit and the per-document switches. Used by
 * "New task" and by the task's Settings section.
 */
import type { TaskSettings } from "../../api/types.js";

/** The documents the agent can collect (src/collectors); a switch absent = the IOCs decide. */
const DOCUMENTS = ["FileItem", "ProcessItem", "PortItem", "ServiceItem", "ModuleItem", "UserItem", "GroupItem", "TaskItem", "DnsEntryItem", "ArpEntryItem", "RouteEntryItem", "VolumeItem", "SystemInfoItem"] as const;

const lines = (text: string): string[] =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");

export function SettingsFields({ value, onChange }: { value: TaskSettings; onChange: (next: TaskSettings) => void }) {
  const set = (change: Partial<TaskSettings>) => onChange({ ...value, ...change });
  const setSwitch = (doc: string, to: string) => {
    const switches = { ...value.switches };
    if (to === "on" || to === "off") switches[doc] = to;
    else delete switches[doc];
    set({ switches });
  };
  return (
    <>
      <div className="field">
        <span className="field-label">Actions on IOC detection</span>
        <div className="checks">
          <label>
            <input type="checkbox" name="quarantine" checked={value.action === "quarantine"} onChange={(e) => set({ action: e.target.checked ? "quarantine" : "report" })} />
            Move copy to Quarantine, delete object
          </label>
          <label>
            <input type="checkbox" name="criticalAreas" checked={value.criticalAreas} onChange={(e) => set({ criticalAreas: e.target.checked })} />
            Run Critical Areas Scan
          </label>
          <label>
            <input type="checkbox" name="idleOnly" checked={value.idleOnly} onChange={(e) => set({ idleOnly: e.target.checked })} />
            Run only when the computer is idle
          </label>
        </div>
      </div>
      <label className="field">
        <span className="field-label">Scan scope</span>
        <span>
          <textarea name="scopes" rows={3} value={value.scopes.join("\n")} onChange={(e) => set({ scopes: lines(e.target.value) })} placeholder="/srv/www" />
          <span className="hint">Folders to walk, one per line. Empty: the critical areas plus the paths the IOCs name.</span>
        </span>
      </label>
      <label className="field">
        <span className="field-label">Exclusions</span>
        <span>
          <textarea name="excludes" rows={2} value={value.excludes.join("\n")} onChange={(e) => set({ excludes: lines(e.target.value) })} placeholder="/proc/**" />
          <span className="hint">Globs of paths never walked, one per line.</span>
        </span>
      </label>
      <label className="field">
        <span className="field-label">CPU limit (%)</span>
        <span>
          <input
            type="number"
            name="maxCpu"
            min={1}
            max={100}
            value={value.maxCpu ?? ""}
            disabled={value.idleOnly}
            onChange={(e) => {
              const { maxCpu: _old, ...rest } = value;
              onChange(e.target.value === "" ? rest : { ...rest, maxCpu: Math.max(1, Math.min(100, Math.round(Number(e.target.value)))) });
            }}
          />{" "}
          <span className="hint">Share of one core while the computer is in use; empty: no limit.</span>
        </span>
      </label>
      <div className="field">
        <span className="field-label">Documents</span>
        <div>
          <table className="grid compact" aria-label="Document switches">
            <tbody>
              {DOCUMENTS.map((doc) => (
                <tr key={doc}>
                  <td className="mono">{doc}</td>
                  <td>
                    <select aria-label={`${doc} switch`} value={value.switches[doc] ?? "auto"} onChange={(e) => setSwitch(doc, e.target.value)}>
                      <option value="auto">As the IOCs need</option>
                      <option value="on">Always collect</option>
                      <option value="off">Never collect</option>
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}
