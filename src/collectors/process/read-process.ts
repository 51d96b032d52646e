/**
 * One /proc/PID → the fields of its ProcessItem. Each piece is read separately so a denied piece
 * (another user's exe, fd or maps when not root) costs only that piece, and a process that exits
 * between reads is reported as vanished instead of half-filled.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { DraftFields } from "../_shared/record.js";
import { isDenied, isGone, reasonOf } from "../_shared/errors.js";
import { parseStat, processName, readFdTargets, socketInode } from "../_shared/proc-pid.js";
import type { SocketRow } from "../_shared/proc-net.js";
import { memoryText, readlinkMemory } from "../../shared/fs-path.js";
import { pathText } from "../../shared/path-text.js";
import type { CollectorContext, CollectorWarning } from "../types.js";

/** What one run of the process collector reads once and shares across pids. */
export interface ProcessRunState {
  /** Boot time in epoch ms (/proc/stat btime), when known. */
  readonly bootMs: number | undefined;
  readonly userNames: ReadonlyMap<number, string>;
  /** Socket inode → socket, only when PortList fields are requested. */
  readonly sockets: ReadonlyMap<number, SocketRow> | undefined;
  readonly wantMaps: boolean;
  readonly wantHandles: boolean;
}

/** The outcome for one pid: its fields, or a warning when it could not be read at all. */
export type ProcessRead = { readonly fields: DraftFields; readonly warning?: CollectorWarning } | { readonly warning: CollectorWarning };

/** The kernel's USER_HZ: fixed at 100 in the user-space ABI, whatever CONFIG_HZ is. */
const TICKS_PER_SECOND = 100;

class Gone extends Error {}

/** Reads every requested piece of `/proc/<pid>`. */
export async function readProcess(context: CollectorContext, pid: number, run: ProcessRunState): Promise<ProcessRead> {
  const procDir = `/proc/${pid}`;
  const disk = (piece: string): string => context.host.toDisk(`${procDir}/${piece}`);
  const denied: string[] = [];
  // A piece that is denied is left out and named in one warning; a piece that is gone means the
  // process exited mid-read (kernel threads and zombies have every piece except exe).
  async function piece<T>(name: string, read: () => Promise<T>, goneIsNormal = false): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (isGone(error)) {
        if (goneIsNormal) return undefined;
        throw new Gone(name);
      }
      if (isDenied(error)) {
        denied.push(name);
        return undefined;
      }
      throw error;
    }
  }
  try {
    // A name, an argument or a path is any bytes: read in memory form (shared/path-text.ts), each
    // field written in text form, as the file collector writes a path whose name is not UTF-8.
    const statText = memoryText(await readFile(disk("stat")));
    const stat = parseStat(statText);
    if (stat === undefined) return { warning: { code: "read-failed", message: `Cannot parse "${procDir}/stat"`, path: procDir } };
    const cmdline = await piece("cmdline", () => readFile(disk("cmdline")));
    const status = await piece("status", () => readFile(disk("status"), "utf8"));
    const exe = await piece("exe", () => readlinkMemory(disk("exe")), true);
    const maps = run.wantMaps ? await piece("maps", async () => memoryText(await readFile(disk("maps")))) : undefined;
    const wantFds = run.wantHandles || run.sockets !== undefined;
    const fds = wantFds ? await piece("fd", () => readFdTargets(context, pid)) : undefined;

    const argv = cmdline === undefined ? [] : splitCmdline(cmdline);
    const uid = status === undefined ? undefined : realUid(status);
    const fields: DraftFields = {
      pid,
      parentpid: stat.ppid,
      name: pathText(processName(stat.comm, argv[0], exe)),
      path: exe === undefined ? undefined : pathText(dirname(exe.replace(/ \(deleted\)$/, ""))),
      arguments: argv.length > 0 ? argv.map(pathText).join(" ") : undefined,
      Username: uid === undefined ? undefined : (run.userNames.get(uid) ?? String(uid)),
      startTime: run.bootMs === undefined ? undefined : isoDate(run.bootMs + (stat.startTicks * 1000) / TICKS_PER_SECOND),
    };
    if (run.wantMaps && maps !== undefined) fields["SectionList/MemorySection/Name"] = mappedFiles(maps).map(pathText);
    if (run.wantHandles && fds !== undefined) fields["HandleList/Handle/Name"] = [...new Set(fds)].map(pathText);
    if (run.sockets !== undefined && fds !== undefined) Object.assign(fields, portLists(fds, run.sockets));
    if (denied.length === 0) return { fields };
    const message = `Cannot read ${denied.join(", ")} of process ${pid} ("${String(fields["name"])}"): permission denied`;
    return { fields, warning: { code: "permission-denied", message, path: procDir } };
  } catch (error) {
    if (error instanceof Gone || isGone(error)) {
      return { warning: { code: "vanished", message: `Cannot read process ${pid}: it exited during the scan`, path: procDir } };
    }
    const code = isDenied(error) ? "permission-denied" : "read-failed";
    return { warning: { code, message: `Cannot read process ${pid}: ${reasonOf(error)}`, path: procDir } };
  }
}

/** argv from /proc/PID/cmdline: NUL-separated, usually NUL-terminated; in memory form. */
export function splitCmdline(raw: Buffer): string[] {
  const parts = memoryText(raw).split("\0");
  if (parts.at(-1) === "") parts.pop();
  return parts;
}

function realUid(status: string): number | undefined {
  const m = /^Uid:\s+(\d+)/m.exec(status);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** ISO 8601 UTC, without `.000` when the time is whole seconds. */
export function isoDate(ms: number): string {
  return new Date(Math.round(ms)).toISOString().replace(/\.000Z$/, "Z");
}

/** The distinct file paths mapped into the process (the sixth column when it is a path). */
export function mappedFiles(maps: string): string[] {
  const out = new Set<string>();
  for (const line of maps.split("\n")) {
    // address perms offset dev inode pathname; the path may contain spaces.
    const m = /^\S+\s+\S+\s+\S+\s+\S+\s+\d+\s+(\/.*)$/.exec(line);
    if (m?.[1] !== undefined) out.add(m[1]);
  }
  return [...out];
}

/** PortList/PortItem/* of the process: parallel lists, one element per socket it holds. */
function portLists(fds: readonly string[], sockets: ReadonlyMap<number, SocketRow>): DraftFields {
  const rows: SocketRow[] = [];
  for (const target of fds) {
    const inode = socketInode(target);
    const row = inode === undefined ? undefined : sockets.get(inode);
    if (row !== undefined && !rows.includes(row)) rows.push(row);
  }
  return {
    "PortList/PortItem/protocol": rows.map((r) => r.protocol),
    "PortList/PortItem/localIP": rows.map((r) => r.localIP),
    "PortList/PortItem/localPort": rows.map((r) => r.localPort),
    "PortList/PortItem/remoteIP": rows.map((r) => r.remoteIP),
    "PortList/PortItem/remotePort": rows.map((r) => r.remotePort),
    "PortList/PortItem/state": rows.map((r) => r.state),
  };
}
