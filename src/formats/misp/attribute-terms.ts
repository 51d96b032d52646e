/**
 * MISP attribute types -> OpenIOC items (docs/sandbox-and-formats.md section 6). A composite
 * value (`filename|md5`, `ip-dst|port`, `domain|ip`, `regkey|value`) is split on its first `|`
 * (registry data may itself hold `|`) into items ANDed on one object.
 *
 * @module
 */
import type { ItemSpec } from "../_ioc-build.js";

/** The items of one attribute: one, or several that must hold on the same object. */
export type AttributeItems = readonly ItemSpec[];

const is = (term: string, value: string): ItemSpec => ({ term, condition: "is", value });

const SIMPLE: Readonly<Record<string, string>> = {
  md5: "FileItem/Md5sum",
  sha1: "FileItem/Sha1sum",
  sha256: "FileItem/Sha256sum",
  filename: "FileItem/FileName",
  "size-in-bytes": "FileItem/SizeInBytes",
  "ip-dst": "PortItem/remoteIP",
  "ip-src": "PortItem/remoteIP",
  port: "PortItem/remotePort",
  domain: "DnsEntryItem/Host",
  hostname: "DnsEntryItem/Host",
  url: "UrlHistoryItem/URL",
  regkey: "RegistryItem/KeyPath",
  mutex: "ProcessItem/HandleList/Handle/Name",
  "user-agent": "Network/UserAgent",
  "windows-service-name": "ServiceItem/name",
};

/** Composite types: the term of the part before and after the first `|`. */
const COMPOSITE: Readonly<Record<string, readonly [string, string]>> = {
  "filename|md5": ["FileItem/FileName", "FileItem/Md5sum"],
  "filename|sha1": ["FileItem/FileName", "FileItem/Sha1sum"],
  "filename|sha256": ["FileItem/FileName", "FileItem/Sha256sum"],
  "ip-dst|port": ["PortItem/remoteIP", "PortItem/remotePort"],
  "ip-src|port": ["PortItem/remoteIP", "PortItem/remotePort"],
  "domain|ip": ["DnsEntryItem/Host", "DnsEntryItem/RecordData/IPv4Address"],
  "regkey|value": ["RegistryItem/KeyPath", "RegistryItem/Text"],
};

/**
 * Object members whose type is too generic (`text`) to say what they are: the term by object
 * name and `object_relation`.
 */
const BY_RELATION: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  file: { fullpath: "FileItem/FullPath", path: "FileItem/FilePath", "size-in-bytes": "FileItem/SizeInBytes" },
  process: { name: "ProcessItem/name", "command-line": "ProcessItem/arguments" },
  "registry-key": { key: "RegistryItem/KeyPath", name: "RegistryItem/ValueName", data: "RegistryItem/Text" },
  mutex: { name: "ProcessItem/HandleList/Handle/Name" },
};

/** MISP objects whose members describe one host object or one network indicator. */
export const CONVERTED_OBJECTS: ReadonlySet<string> = new Set(["file", "domain-ip", "ip-port", "url", "registry-key", "mutex", "process", "network-connection", "domain", "ip"]);

/** The categories whose `to_ids` attributes are scan indicators (the MISP IOC exporter's rule). */
export const INDICATOR_CATEGORIES: ReadonlySet<string> = new Set(["Payload delivery", "Artifacts dropped", "Payload installation", "Persistence mechanism", "Network activity"]);

/**
 * The items for an attribute, or undefined when OpenIOC has no term for its type.
 *
 * @example
 * attributeItems("filename|md5", "a.exe|44d8…"); // [FileName is a.exe, Md5sum is 44d8…]
 */
export function attributeItems(type: string, value: string, object?: { name: string; relation?: string | undefined }): AttributeItems | undefined {
  const byRelation = object?.relation === undefined ? undefined : BY_RELATION[object.name]?.[object.relation];
  if (byRelation !== undefined) return [is(byRelation, value)];
  const simple = SIMPLE[type];
  if (simple !== undefined) return [is(simple, value)];
  const composite = COMPOSITE[type];
  if (composite === undefined) return undefined;
  const bar = value.indexOf("|");
  if (bar < 0) return [is(composite[0], value)];
  return [is(composite[0], value.slice(0, bar)), is(composite[1], value.slice(bar + 1))];
}
