/** Online/offline from the last contact: two minutes, as the server counts it (src/server/online.ts). */
import { formatAgo } from "../format.js";

export const ONLINE_WITHIN_MS = 2 * 60_000;

export const isOnline = (lastSeenAt: string, now = Date.now()): boolean => now - Date.parse(lastSeenAt) < ONLINE_WITHIN_MS;

export function OnlineBadge({ lastSeenAt, small = false }: { lastSeenAt: string; small?: boolean }) {
  const online = isOnline(lastSeenAt);
  return (
    <span className={`badge${small ? " small" : ""} state-${online ? "online" : "offline"}`} title={`Last seen ${formatAgo(lastSeenAt)}`}>
      {online ? "online" : "offline"}
    </span>
  );
}
