/**
 * The object id of a host record, as DESIGN.md section 5 defines it: FileItem = full path,
 * ProcessItem = pid, PortItem = `proto localIP:localPort remoteIP:remotePort`, others their natural
 * key. Reports, quarantine and the server all name an object by this id.
 *
 * @module
 */

/** A field value of a host record: a scalar, or a list for list-valued terms. */
export type FieldValue = string | number | boolean | readonly (string | number | boolean)[];

/** A record's fields, keyed by the search path without the leading `Document/`. */
export type RecordFields = Readonly<Record<string, FieldValue | undefined>>;

/** Fields whose values, joined, name a record of each document. */
const NATURAL_KEYS: Readonly<Record<string, readonly string[]>> = {
  FileItem: ["FullPath"],
  ProcessItem: ["pid"],
  ArpEntryItem: ["Interface", "IPv4Address"],
  RouteEntryItem: ["Destination", "Netmask", "Gateway", "Interface"],
  SystemInfoItem: ["hostname"],
  UserItem: ["Username"],
  GroupItem: ["GroupName"],
  VolumeItem: ["MountPoint"],
  ModuleItem: ["Module"],
  ServiceItem: ["name"],
  TaskItem: ["crontabPath", "Name"],
  DnsEntryItem: ["Host", "RecordData/IPv4Address"],
};

/**
 * The id of a record of `document`. `fallback` (e.g. the record's position in a snapshot) is used
 * when none of the key fields is present.
 */
export function recordId(document: string, fields: RecordFields, fallback: string): string {
  if (document === "PortItem") {
    const text = (key: string): string => scalarText(fields[key]) ?? "";
    return `${text("protocol")} ${text("localIP")}:${text("localPort")} ${text("remoteIP")}:${text("remotePort")}`;
  }
  // Own keys only: a document named "constructor" or "toString" (a typo, or a hostile snapshot)
  // must not find Object.prototype's members.
  const keys = Object.hasOwn(NATURAL_KEYS, document) ? NATURAL_KEYS[document] : undefined;
  const parts = (keys ?? []).map((key) => scalarText(fields[key])).filter((part): part is string => part !== undefined && part !== "");
  return parts.length > 0 ? parts.join(" ") : fallback;
}

function scalarText(value: FieldValue | undefined): string | undefined {
  if (value === undefined || Array.isArray(value)) return undefined;
  return String(value);
}
