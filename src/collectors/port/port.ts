/**
 * PortItem from /proc/net/{tcp,tcp6,udp,udp6}: one record per socket, joined to the process that
 * holds it through the socket inode (`/proc/PID/fd/N → socket:[INODE]`).
 *
 * @module
 */
import { LINUX_COLLECTED } from "../../core/vocabulary/index.js";
import { readFile } from "node:fs/promises";
import { memoryText, readlinkMemory } from "../../shared/fs-path.js";
import { pathText } from "../../shared/path-text.js";
import { readSockets } from "../_shared/proc-net.js";
import { mapSocketOwners, parseStat, processName } from "../_shared/proc-pid.js";
import { createIdGuard, toRecord } from "../_shared/record.js";
import { defineCollector } from "../define.js";
import type { CollectorContext, HostRecord } from "../types.js";

/** The owner fields of a pid: its name and the full path of its executable. */
interface Owner {
  readonly pid: number;
  readonly process?: string;
  readonly path?: string;
}

/** Reads a socket owner's name and executable; a piece that cannot be read is left out. */
async function readOwner(context: CollectorContext, pid: number): Promise<Owner> {
  const disk = (piece: string): string => context.host.toDisk(`/proc/${pid}/${piece}`);
  // In memory form, each field in text form (shared/path-text.ts), as the process collector's.
  const [stat, cmdline, exe] = await Promise.all([
    readFile(disk("stat")).then(memoryText, () => undefined),
    readFile(disk("cmdline")).then(memoryText, () => undefined),
    readlinkMemory(disk("exe")).catch(() => undefined),
  ]);
  const comm = stat === undefined ? undefined : parseStat(stat)?.comm;
  const owner: { pid: number; process?: string; path?: string } = { pid };
  if (comm !== undefined) owner.process = pathText(processName(comm, cmdline?.split("\0")[0], exe));
  // PortItem/path is the executable itself (Redline shows `C:\...\svchost.exe`), unlike
  // ProcessItem/path, which is its folder.
  if (exe !== undefined) owner.path = pathText(exe.replace(/ \(deleted\)$/, ""));
  return owner;
}

/** The PortItem collector. */
export const portCollector = defineCollector({
  name: "port",
  document: "PortItem",
  platforms: ["linux"],
  liveOnly: true,
  // Exactly the terms the vocabulary says iocscan collects (a registry test keeps them equal).
  fields: LINUX_COLLECTED["PortItem"] ?? [],
  permission: "net.read",
  description: "TCP and UDP sockets from /proc/net/{tcp,tcp6,udp,udp6}, with the owning process from /proc/PID/fd",
  async *collect(context: CollectorContext): AsyncGenerator<HostRecord> {
    const sockets = await readSockets(context);
    const wantOwner = ["pid", "process", "path"].some((f) => context.fields.has(f));
    const { owners, unreadable } = wantOwner ? await mapSocketOwners(context) : { owners: new Map<number, number>(), unreadable: 0 };
    if (unreadable > 0) {
      // One warning, not one per process: as an ordinary user most of /proc/*/fd is closed.
      const message = `Cannot read the open files of ${unreadable} process(es): permission denied; their sockets have no pid`;
      context.warn({ code: "permission-denied", message, path: "/proc" });
    }
    const ownerCache = new Map<number, Promise<Owner>>();
    const guard = createIdGuard();
    for (const socket of sockets) {
      if (context.signal?.aborted === true) return;
      const pid = socket.inode === 0 ? undefined : owners.get(socket.inode);
      let owner: Owner | undefined;
      if (pid !== undefined) {
        let pending = ownerCache.get(pid);
        if (pending === undefined) ownerCache.set(pid, (pending = readOwner(context, pid)));
        owner = await pending;
      }
      context.count("portsSeen");
      const { protocol, localIP, localPort, remoteIP, remotePort, state } = socket;
      yield guard(
        toRecord("PortItem", { protocol, localIP, localPort, remoteIP, remotePort, state, pid, process: owner?.process, path: owner?.path }, ""),
      );
    }
  },
});
