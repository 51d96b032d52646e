/**
 * Reading /proc/PID pieces shared by the process and port collectors: the pid list, stat, the
 * fd link targets, the socket inodes among them, and the process name rule.
 *
 * @module
 */
import { readdir } from "node:fs/promises";
import { basename } from "node:path";
import type { CollectorContext } from "../types.js";
import { readlinkMemory } from "../../shared/fs-path.js";
import { isGone } from "./errors.js";

/** The pids of the host's /proc, ascending. Throws when /proc cannot be listed at all. */
export async function listPids(context: CollectorContext): Promise<number[]> {
  const names = await readdir(context.host.toDisk("/proc"));
  return names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
}

/** The fields of /proc/PID/stat iocscan uses. */
export interface ProcStat {
  /** The kernel's command name, at most 15 characters (TASK_COMM_LEN 16 with the NUL). */
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  /** Start time in clock ticks after boot. */
  readonly startTicks: number;
}

/** Parses /proc/PID/stat. The name is in parentheses and may itself hold spaces and `)`. */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  // After ")": field 3 (state) is rest[0], so field n is rest[n - 3]; starttime is field 22.
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const ppid = Number(rest[1]);
  const startTicks = Number(rest[19]);
  if (!Number.isInteger(ppid) || !Number.isFinite(startTicks)) return undefined;
  return { comm: text.slice(open + 1, close), state: rest[0] ?? "", ppid, startTicks };
}

const COMM_MAX = 15;

/**
 * The process name: `comm`, unless the kernel cut it at 15 characters and argv[0] or the
 * executable's file name is the longer name it was cut from (`systemd-journal` → `systemd-journald`).
 */
export function processName(comm: string, argv0: string | undefined, exe: string | undefined): string {
  if (comm.length !== COMM_MAX) return comm;
  const candidates = [argv0, exe?.replace(/ \(deleted\)$/, "")].filter((c): c is string => c !== undefined && c !== "");
  for (const candidate of candidates) {
    const name = basename(candidate);
    if (name.length > COMM_MAX && name.startsWith(comm)) return name;
  }
  return comm;
}

/**
 * The link targets of /proc/PID/fd (`/etc/passwd`, `socket:[123]`, `pipe:[9]`), in memory form
 * (shared/path-text.ts). Throws when the folder cannot be read (denied, vanished); an fd closed
 * between readdir and readlink is skipped.
 */
export async function readFdTargets(context: CollectorContext, pid: number): Promise<string[]> {
  const dir = context.host.toDisk(`/proc/${pid}/fd`);
  const fds = await readdir(dir);
  const targets: string[] = [];
  for (const fd of fds) {
    try {
      targets.push(await readlinkMemory(`${dir}/${fd}`));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
  return targets;
}

/** The socket inode of an fd target `socket:[12345]`, or undefined. */
export function socketInode(target: string): number | undefined {
  const m = /^socket:\[(\d+)\]$/.exec(target);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Socket inode → the lowest pid holding it, with how many processes' fds could not be read. */
export async function mapSocketOwners(context: CollectorContext): Promise<{ owners: Map<number, number>; unreadable: number }> {
  const owners = new Map<number, number>();
  let unreadable = 0;
  let pids: number[];
  try {
    pids = await listPids(context);
  } catch {
    return { owners, unreadable: 1 };
  }
  for (const pid of pids) {
    if (context.signal?.aborted === true) break;
    try {
      for (const target of await readFdTargets(context, pid)) {
        const inode = socketInode(target);
        if (inode !== undefined && !owners.has(inode)) owners.set(inode, pid);
      }
    } catch (error) {
      if (!isGone(error)) unreadable++;
    }
  }
  return { owners, unreadable };
}
