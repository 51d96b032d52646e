/**
 * The socket tables /proc/net/{tcp,tcp6,udp,udp6}: one parsed row per socket, with the socket
 * inode that joins it to the process holding it (`/proc/PID/fd/N → socket:[INODE]`).
 *
 * @module
 */
import type { CollectorContext } from "../types.js";
import { procAddressText } from "./ip-text.js";
import { linesOf, readHostText } from "./read.js";

/** One socket of the kernel's tables. */
export interface SocketRow {
  readonly protocol: "TCP" | "UDP";
  readonly localIP: string;
  readonly localPort: number;
  readonly remoteIP: string;
  readonly remotePort: number;
  readonly state: string;
  /** 0 for sockets no process holds any more (TIME_WAIT). */
  readonly inode: number;
  readonly uid: number;
}

/** include/net/tcp_states.h, with the names `ss` and `netstat` print. */
const TCP_STATES: Readonly<Record<number, string>> = {
  1: "ESTABLISHED",
  2: "SYN_SENT",
  3: "SYN_RECV",
  4: "FIN_WAIT1",
  5: "FIN_WAIT2",
  6: "TIME_WAIT",
  7: "CLOSE",
  8: "CLOSE_WAIT",
  9: "LAST_ACK",
  10: "LISTEN",
  11: "CLOSING",
  12: "NEW_SYN_RECV",
};

/** UDP has no connection states; the kernel reuses TCP_CLOSE for "not connected" (ss: UNCONN). */
function stateName(protocol: "TCP" | "UDP", code: number): string {
  if (protocol === "UDP") return code === 1 ? "ESTABLISHED" : "UNCONN";
  return TCP_STATES[code] ?? `UNKNOWN(${code})`;
}

function splitEndpoint(text: string | undefined): { ip: string; port: number } | undefined {
  const [hex = "", portHex = ""] = (text ?? "").split(":");
  const ip = procAddressText(hex, true);
  const port = parseInt(portHex, 16);
  return ip === undefined || !Number.isFinite(port) ? undefined : { ip, port };
}

/** Parses one table's text; the header and malformed lines are skipped. */
export function parseSocketTable(text: string, protocol: "TCP" | "UDP"): SocketRow[] {
  const rows: SocketRow[] = [];
  for (const line of linesOf(text).slice(1)) {
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    const cols = line.trim().split(/\s+/);
    const local = splitEndpoint(cols[1]);
    const remote = splitEndpoint(cols[2]);
    const state = parseInt(cols[3] ?? "", 16);
    const uid = Number(cols[7]);
    const inode = Number(cols[9]);
    if (local === undefined || remote === undefined || !Number.isFinite(state) || !Number.isInteger(inode)) continue;
    rows.push({
      protocol,
      localIP: local.ip,
      localPort: local.port,
      remoteIP: remote.ip,
      remotePort: remote.port,
      state: stateName(protocol, state),
      inode,
      uid: Number.isInteger(uid) ? uid : -1,
    });
  }
  return rows;
}

const TABLES: readonly (readonly [string, "TCP" | "UDP"])[] = [
  ["/proc/net/tcp", "TCP"],
  ["/proc/net/tcp6", "TCP"],
  ["/proc/net/udp", "UDP"],
  ["/proc/net/udp6", "UDP"],
];

/** Every socket of the four tables; a table that does not exist (no IPv6) is simply empty. */
export async function readSockets(context: CollectorContext): Promise<SocketRow[]> {
  const texts = await Promise.all(TABLES.map(([path]) => readHostText(context, path)));
  return TABLES.flatMap(([, protocol], i) => {
    const text = texts[i];
    return text === undefined ? [] : parseSocketTable(text, protocol);
  });
}
