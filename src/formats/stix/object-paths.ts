/**
 * STIX 2.1 object paths <-> OpenIOC terms (docs/sandbox-and-formats.md section 5.3). One table
 * serves both directions; the first row of a term is the path it is exported as.
 *
 * @module
 */
import { canonicalHashKey, type StixObjectPath } from "./pattern-ast.js";
import { printObjectPath } from "./pattern-print.js";

/** How export groups items into one observation `[ … ]`: items of one group are about one object. */
export type ObjectGroup = "file" | "port" | "dns" | "url" | "process" | "service" | "mutex" | "registry" | "http";

interface PathRow {
  readonly path: string;
  readonly term: string;
  readonly group: ObjectGroup;
  /** Read only: accepted on import, never written (STIX 2.0 spellings, alternatives). */
  readonly importOnly?: boolean;
}

const ROWS: readonly PathRow[] = [
  { path: "file:hashes.MD5", term: "FileItem/Md5sum", group: "file" },
  { path: "file:hashes.'SHA-1'", term: "FileItem/Sha1sum", group: "file" },
  { path: "file:hashes.'SHA-256'", term: "FileItem/Sha256sum", group: "file" },
  { path: "file:name", term: "FileItem/FileName", group: "file" },
  { path: "file:size", term: "FileItem/SizeInBytes", group: "file" },
  { path: "file:parent_directory_ref.path", term: "FileItem/FilePath", group: "file" },
  { path: "ipv4-addr:value", term: "PortItem/remoteIP", group: "port" },
  { path: "ipv6-addr:value", term: "PortItem/remoteIP", group: "port", importOnly: true },
  { path: "network-traffic:dst_ref.value", term: "PortItem/remoteIP", group: "port", importOnly: true },
  { path: "network-traffic:dst_port", term: "PortItem/remotePort", group: "port" },
  { path: "domain-name:value", term: "DnsEntryItem/Host", group: "dns" },
  { path: "domain-name:resolves_to_refs[*].value", term: "DnsEntryItem/RecordData/IPv4Address", group: "dns" },
  { path: "domain-name:value", term: "Network/DNS", group: "dns" },
  { path: "url:value", term: "UrlHistoryItem/URL", group: "url" },
  { path: "process:image_ref.name", term: "ProcessItem/name", group: "process" },
  { path: "process:name", term: "ProcessItem/name", group: "process", importOnly: true },
  { path: "process:command_line", term: "ProcessItem/arguments", group: "process" },
  { path: "process:extensions.'windows-service-ext'.service_name", term: "ServiceItem/name", group: "service" },
  { path: "mutex:name", term: "ProcessItem/HandleList/Handle/Name", group: "mutex" },
  { path: "windows-registry-key:key", term: "RegistryItem/KeyPath", group: "registry" },
  { path: "windows-registry-key:values[*].name", term: "RegistryItem/ValueName", group: "registry" },
  { path: "windows-registry-key:values[*].data", term: "RegistryItem/Text", group: "registry" },
  { path: "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'", term: "Network/UserAgent", group: "http" },
];

const TERM_OF_PATH = new Map<string, string>();
for (const row of ROWS) if (!TERM_OF_PATH.has(row.path)) TERM_OF_PATH.set(row.path, row.term);
const EXPORT_OF_TERM = new Map<string, PathRow>();
for (const row of ROWS) if (!row.importOnly && !EXPORT_OF_TERM.has(row.term.toLowerCase())) EXPORT_OF_TERM.set(row.term.toLowerCase(), row);

/** The path as text with canonical hash keys (`file:hashes.md5` -> `file:hashes.MD5`). */
export function canonicalPathText(path: StixObjectPath): string {
  const [first, second, ...rest] = path.steps;
  if (first?.kind === "property" && first.name === "hashes" && second?.kind === "property") {
    return printObjectPath({ ...path, steps: [first, { kind: "property", name: canonicalHashKey(second.name) ?? second.name }, ...rest] });
  }
  return printObjectPath(path);
}

/** The OpenIOC term a STIX path maps to; undefined when OpenIOC has none. */
export function termOfStixPath(path: StixObjectPath): string | undefined {
  return TERM_OF_PATH.get(canonicalPathText(path));
}

/** What a term is exported as: the path text and the object group; undefined when STIX has no path for it. */
export function stixPathOfTerm(term: string): { readonly path: string; readonly group: ObjectGroup } | undefined {
  const row = EXPORT_OF_TERM.get(term.toLowerCase());
  return row === undefined ? undefined : { path: row.path, group: row.group };
}

/** Every term the STIX converter can export, for documentation and tests. */
export const EXPORTABLE_TERMS: readonly string[] = [...new Set(ROWS.filter((r) => !r.importOnly).map((r) => r.term))];
