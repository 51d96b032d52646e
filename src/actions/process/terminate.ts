/**
 * Terminates a process found by an IOC: SIGTERM, then SIGKILL after a grace period. Not
 * reversible. Never pid 1, a kernel thread, iocscan itself or its parent.
 *
 * @module
 */
import { readFile, readlink } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { skipped, type ActionReceipt } from "../receipt.js";

/** Options of {@link terminateProcess}. */
export interface TerminateOptions {
  /** How long the process has to exit after SIGTERM (default 5 s). */
  readonly graceMs?: number;
  /** Pids never to signal besides the built-in ones (1, self, parent). */
  readonly protectedPids?: readonly number[];
}

/** Declares the action for the audit trail. */
export const TERMINATE_ACTION = { type: "terminate", permission: "process.kill", reversible: false } as const;

/** Terminates `pid`; the receipt says what happened. */
export async function terminateProcess(pid: number, options: TerminateOptions = {}): Promise<ActionReceipt> {
  const id = String(pid);
  const refusal = await refusalReason(pid, options.protectedPids ?? []);
  if (refusal) return skipped(TERMINATE_ACTION.type, id, `protected: ${refusal}`);
  try {
    process.kill(pid, "SIGTERM");
  } catch (error) {
    return outcome(id, error, "sending SIGTERM");
  }
  const deadline = Date.now() + (options.graceMs ?? 5000);
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return { type: TERMINATE_ACTION.type, status: "done", detail: "terminated by SIGTERM", objectId: id };
    await sleep(50);
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch (error) {
    return outcome(id, error, "sending SIGKILL");
  }
  return { type: TERMINATE_ACTION.type, status: "done", detail: `killed by SIGKILL after ${options.graceMs ?? 5000} ms`, objectId: id };
}

async function refusalReason(pid: number, extra: readonly number[]): Promise<string | undefined> {
  if (pid <= 1) return "pid 1 (init) is never signalled";
  if (pid === process.pid) return "iocscan's own process";
  if (pid === process.ppid) return "iocscan's parent process";
  if (extra.includes(pid)) return "a protected process";
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return undefined;
  // Fields after the parenthesised name: state, ppid, ..., flags (9th overall). PF_KTHREAD = 0x00200000.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ppid = Number(fields[1]);
  const flags = Number(fields[6]);
  if (pid === 2 || ppid === 2 || (flags & 0x00200000) !== 0) return "a kernel thread";
  const exe = await readlink(`/proc/${pid}/exe`).catch(() => undefined);
  if (exe === undefined && ppid === 0) return "a kernel thread";
  return undefined;
}

async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return false;
  // A zombie has exited; only its parent's wait() is missing.
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

function outcome(id: string, error: unknown, step: string): ActionReceipt {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ESRCH") return { type: TERMINATE_ACTION.type, status: "done", detail: "the process had already exited", objectId: id };
  const cause = code === "EPERM" ? "permission denied" : error instanceof Error ? error.message : String(error);
  return { type: TERMINATE_ACTION.type, status: "failed", detail: `${step}: ${cause}`, objectId: id };
}
