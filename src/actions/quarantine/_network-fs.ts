/**
 * Refuses a store on a network file system: a copy there may not be durable when fsync returns,
 * other machines may read or change it, and the key would travel with it.
 *
 * @module
 */
import { readFile, statfs } from "node:fs/promises";

/** statfs f_type magics of network file systems (linux/magic.h and the file systems' sources). */
const NETWORK_MAGICS = new Map<number, string>([
  [0x6969, "nfs"],
  [0x517b, "smb"],
  [0xff534d42, "cifs"],
  [0xfe534d42, "smb2"],
  [0x01021997, "9p"],
  [0x00c36400, "ceph"],
  [0x5346414f, "afs"],
  [0x6b414653, "afs"],
  [0x73757245, "coda"],
  [0x564c, "ncp"],
  [0x0bd00bd0, "lustre"],
  [0x47504653, "gpfs"],
]);
const FUSE_MAGIC = 0x65735546;
/** FUSE file systems (mount table type `fuse.<name>`) that reach another machine. */
const NETWORK_FUSE = /^fuse(blk)?\.(sshfs|s3fs|gcsfuse|rclone|davfs2?|glusterfs|cephfs|ceph-fuse|smbnetfs|curlftpfs|goofys|juicefs|seaweedfs|moosefs|mfs|lizardfs)$/;
const NETWORK_TYPES = /^(nfs4?|cifs|smb3?|smbfs|9p|ceph|afs|coda|ncpfs|lustre|gpfs|glusterfs|davfs)$/;

/**
 * The name of the network file system for a statfs type (and, for FUSE, the mount table's type),
 * or undefined for a local one.
 */
export function networkFsName(type: number, mountType?: string): string | undefined {
  const known = NETWORK_MAGICS.get(type);
  if (known !== undefined) return known;
  if (mountType !== undefined && (NETWORK_FUSE.test(mountType) || NETWORK_TYPES.test(mountType))) return mountType;
  return undefined;
}

/** Throws if `dir` (which exists) is on a network file system. */
export async function refuseNetworkFs(dir: string): Promise<void> {
  const type = Number((await statfs(dir)).type);
  const name = networkFsName(type, type === FUSE_MAGIC ? await mountTypeOf(dir) : undefined);
  if (name !== undefined) throw new Error(`Cannot keep the quarantine store "${dir}" on a network file system (${name}): choose a local folder with --quarantine`);
}

/** The mount table's type of the mount holding `dir` (longest mount point prefix). */
async function mountTypeOf(dir: string): Promise<string | undefined> {
  const table = await readFile("/proc/self/mounts", "utf8").catch(() => "");
  let best: { point: string; type: string } | undefined;
  for (const line of table.split("\n")) {
    const [, rawPoint, type] = line.split(" ");
    if (rawPoint === undefined || type === undefined) continue;
    // The mount table escapes space, tab, newline and backslash as octal.
    const point = rawPoint.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
    const inside = point === "/" || dir === point || dir.startsWith(`${point}/`);
    if (inside && (best === undefined || point.length >= best.point.length)) best = { point, type };
  }
  return best?.type;
}
