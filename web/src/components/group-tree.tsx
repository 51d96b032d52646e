/** The device group tree (from `/groups`, a flat list with `parentId`) as nested buttons; one is selected. */
import type { Group } from "../api/types.js";

export function childrenOf(groups: readonly Group[]): Map<string | null, Group[]> {
  const map = new Map<string | null, Group[]>();
  for (const g of groups) map.set(g.parentId, [...(map.get(g.parentId) ?? []), g]);
  for (const list of map.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  return map;
}

/** "Servers / Web" for a group, from the root down (the root itself is left out). */
export function groupPath(groups: readonly Group[], id: string): string {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const names: string[] = [];
  for (let g = byId.get(id); g !== undefined && g.parentId !== null && names.length < 100; g = byId.get(g.parentId)) names.unshift(g.name);
  return names.length === 0 ? (byId.get(id)?.name ?? "") : names.join(" / ");
}

function Branch({ id, tree, selected, onSelect }: { id: string | null; tree: Map<string | null, Group[]>; selected: string; onSelect: (id: string) => void }) {
  const groups = tree.get(id) ?? [];
  if (groups.length === 0) return null;
  return (
    // Nested lists of buttons (Tab moves through them), not an ARIA tree widget with its arrow-key contract.
    <ul className="tree" aria-label={id === null ? "Groups" : undefined}>
      {groups.map((g) => (
        <li key={g.id}>
          <button type="button" className={`tree-node${g.id === selected ? " selected" : ""}`} aria-current={g.id === selected ? "true" : undefined} onClick={() => onSelect(g.id)}>
            {g.name}
          </button>
          <Branch id={g.id} tree={tree} selected={selected} onSelect={onSelect} />
        </li>
      ))}
    </ul>
  );
}

export function GroupTree({ groups, selected, onSelect }: { groups: readonly Group[]; selected: string; onSelect: (id: string) => void }) {
  return <Branch id={null} tree={childrenOf(groups)} selected={selected} onSelect={onSelect} />;
}
