/**
 * Chooses one device: a host-name search asked of the server (`/devices?search=`, 50 at a time)
 * and a list of the answers, so it stays fast with any number of devices.
 */
import { useState } from "react";
import { api } from "../api/client.js";
import type { Device, Page } from "../api/types.js";
import { useLoad } from "../hooks.js";
import { OnlineBadge } from "./online-badge.js";

export function DevicePicker({ selected, onSelect }: { selected: string | undefined; onSelect: (device: Device) => void }) {
  const [search, setSearch] = useState("");
  const devices = useLoad(() => api.get<Page<Device>>("/devices", { search, limit: 50 }), search);
  const items = devices.data?.items ?? [];
  return (
    <div className="side" role="region" aria-label="Devices">
      <label className="muted">
        Find a device
        <input type="search" value={search} placeholder="Host name" onChange={(e) => setSearch(e.target.value)} style={{ width: "100%" }} />
      </label>
      <ul className="tree" aria-label="Matching devices">
        {items.map((d) => (
          <li key={d.id}>
            <button type="button" className={`tree-node${d.id === selected ? " selected" : ""}`} aria-pressed={d.id === selected} onClick={() => onSelect(d)}>
              {d.hostname} <OnlineBadge lastSeenAt={d.lastSeenAt} small />
            </button>
          </li>
        ))}
      </ul>
      {devices.data !== undefined && items.length === 0 && <div className="muted">No device matches.</div>}
      {devices.data !== undefined && devices.data.total > items.length && <div className="muted">{devices.data.total - items.length} more: refine the search.</div>}
      {devices.error !== undefined && <div className="error">{devices.error.message}</div>}
    </div>
  );
}
