/**
 * ProcessItem from /proc: one record per running process (thread-group leaders), with mapped
 * files, open handles and sockets read only when the loaded IOCs ask for them.
 *
 * @module
 */
import { LINUX_COLLECTED } from "../../core/vocabulary/index.js";
import { readUserNames } from "../_shared/accounts.js";
import { readSockets, type SocketRow } from "../_shared/proc-net.js";
import { mapOrdered } from "../_shared/ordered-pool.js";
import { listPids } from "../_shared/proc-pid.js";
import { readHostText } from "../_shared/read.js";
import { toRecord } from "../_shared/record.js";
import { defineCollector } from "../define.js";
import type { CollectorContext, HostRecord } from "../types.js";
import { readProcess, type ProcessRunState } from "./read-process.js";

const PORT_FIELDS = [
  "PortList/PortItem/protocol",
  "PortList/PortItem/localIP",
  "PortList/PortItem/localPort",
  "PortList/PortItem/remoteIP",
  "PortList/PortItem/remotePort",
  "PortList/PortItem/state",
] as const;

/** /proc reads in flight at once: enough to overlap syscalls, few enough to stay polite. */
const READ_CONCURRENCY = 8;

/** Boot time in epoch ms from the `btime` line of /proc/stat. */
async function readBootMs(context: CollectorContext): Promise<number | undefined> {
  const text = await readHostText(context, "/proc/stat");
  const m = text === undefined ? null : /^btime\s+(\d+)$/m.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]) * 1000;
}

async function socketsByInode(context: CollectorContext): Promise<Map<number, SocketRow>> {
  const map = new Map<number, SocketRow>();
  for (const row of await readSockets(context)) if (row.inode !== 0) map.set(row.inode, row);
  return map;
}

/** The ProcessItem collector. */
export const processCollector = defineCollector({
  name: "process",
  document: "ProcessItem",
  platforms: ["linux"],
  liveOnly: true,
  // Exactly the terms the vocabulary says iocscan collects (a registry test keeps them equal).
  fields: LINUX_COLLECTED["ProcessItem"] ?? [],
  permission: "process.read",
  description: "Running processes from /proc/PID (stat, status, cmdline, exe; maps, fd and sockets on request)",
  async *collect(context: CollectorContext): AsyncGenerator<HostRecord> {
    const { fields } = context;
    const wantPorts = PORT_FIELDS.some((f) => fields.has(f));
    const run: ProcessRunState = {
      bootMs: await readBootMs(context),
      userNames: await readUserNames(context),
      sockets: wantPorts ? await socketsByInode(context) : undefined,
      wantMaps: fields.has("SectionList/MemorySection/Name"),
      wantHandles: fields.has("HandleList/Handle/Name"),
    };
    const pids = await listPids(context);
    const reads = mapOrdered(pids, (pid) => readProcess(context, pid, run), { concurrency: READ_CONCURRENCY, signal: context.signal });
    for await (const read of reads) {
      if (context.signal?.aborted === true) return;
      if (read.warning !== undefined) context.warn(read.warning);
      if (!("fields" in read)) continue;
      context.count("processesSeen");
      yield toRecord("ProcessItem", read.fields, String(read.fields["pid"]));
    }
  },
});
