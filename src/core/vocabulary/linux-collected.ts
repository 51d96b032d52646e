/**
 * The terms iocscan's own Linux collectors collect (src/collectors/<document>/linux.ts).
 *
 * This is data, not derived: FireEye's `platform` flags describe what *their* agent collects, and
 * iocscan both collects less (no macOS-only fields) and more (UserItem, ServiceItem → systemd,
 * DnsEntryItem, PE fields of PE files found on Linux; semantics section 8). A term missing here is
 * UNKNOWN on Linux, which keeps negated Windows-only items from matching.
 *
 * Every spelling is byte for byte as in the term lists; a unit test checks each one resolves.
 * When a collector learns a new field, add it here in the same change.
 *
 * @module
 */

/** Document → the terms after `Document/`, in the collector's own order. */
export const LINUX_COLLECTED: Readonly<Record<string, readonly string[]>> = {
  FileItem: [
    "FullPath",
    "FilePath",
    "FileName",
    "FileExtension",
    "SizeInBytes",
    "Created",
    "Modified",
    "Accessed",
    "Changed",
    "Md5sum",
    "Sha1sum",
    "Sha256sum",
    "Username",
    "Group",
    "Permissions",
    // PE headers of Windows executables lying on a Linux disk (a share, a mail spool, a dropper).
    "PEInfo/PETimeStamp",
    "PEInfo/Type",
    "PEInfo/Sections/Section/Name",
    "StringList/string",
  ],
  ProcessItem: [
    "pid",
    "parentpid",
    "name",
    "path", // the directory of /proc/<pid>/exe
    "arguments", // /proc/<pid>/cmdline, argv joined by spaces
    "Username",
    "startTime",
    "SectionList/MemorySection/Name", // mapped files from /proc/<pid>/maps
    "HandleList/Handle/Name", // targets of /proc/<pid>/fd
    // the process's sockets; the same fields as PortItem
    "PortList/PortItem/protocol",
    "PortList/PortItem/localIP",
    "PortList/PortItem/localPort",
    "PortList/PortItem/remoteIP",
    "PortList/PortItem/remotePort",
    "PortList/PortItem/state",
  ],
  PortItem: ["protocol", "localIP", "localPort", "remoteIP", "remotePort", "state", "pid", "process", "path"],
  ArpEntryItem: ["IPv4Address", "PhysicalAddress", "Interface", "CacheType"],
  RouteEntryItem: ["Destination", "Gateway", "Netmask", "Interface", "Flags", "MTU", "RouteType"],
  SystemInfoItem: [
    "hostname",
    "OS",
    "kernelVersion",
    "MAC",
    "primaryIpAddress",
    "primaryIpv4Address",
    "primaryIpv6Address",
    "networkArray/networkInfo/adapter",
    "networkArray/networkInfo/MAC",
    "networkArray/networkInfo/ipArray/ipInfo/ipAddress",
    "networkArray/networkInfo/ipArray/ipInfo/ipv6Address",
    "networkArray/networkInfo/ipArray/ipInfo/subnetMask",
    "timezone",
    "uptime",
  ],
  // /etc/passwd and /etc/group (FireEye lists UserItem for win/osx only; the meaning is the same).
  UserItem: ["Username", "userid", "fullname", "homedirectory", "shell", "grouplist/groupname"],
  GroupItem: ["GroupName", "gid", "userlist/username"],
  // /proc/mounts plus statfs
  VolumeItem: ["MountPoint", "DevicePath", "FileSystemName", "TotalSize", "FreeSize", "Flags/ReadOnly"],
  // kernel modules: /proc/modules and the module file
  ModuleItem: ["Module", "Filename", "Md5sum", "Sha1sum", "Sha256sum"],
  // systemd unit files: Description serves both descriptiveName and description; ExecStart gives
  // path and arguments; the wants/requires links give mode. Not status: whether a unit runs
  // needs a running systemd to ask, and unit files do not hold it.
  ServiceItem: ["name", "descriptiveName", "description", "path", "arguments", "mode"],
  // cron: system and user crontabs
  TaskItem: [
    "Name",
    "crontabCommand",
    "crontabMinute",
    "crontabHour",
    "crontabDayOfMonth",
    "crontabMonth",
    "crontabDayOfWeek",
    "crontabPath",
    "userName",
  ],
  // /etc/hosts and, where present, the systemd-resolved cache
  DnsEntryItem: ["Host", "RecordName", "RecordData/IPv4Address"],
};

/** Every Linux-collected term as `Document/path`, in the order above. */
export function linuxCollectedTerms(): string[] {
  const out: string[] = [];
  for (const [document, paths] of Object.entries(LINUX_COLLECTED)) {
    for (const path of paths) out.push(`${document}/${path}`);
  }
  return out;
}
