/**
 * CAPEv2 `report.json` (the Cuckoo 1.x/2.x layout it inherited; checked on v2.2 and v2.4). CAPE's
 * behaviour summary covers the whole VM with no process attribution and its network data is not
 * tied to processes either, so network values count only when a signature mark or an extracted
 * config names them.
 *
 * @module
 */
import type { AnalysisConnection, AnalysisFile, SandboxAnalysis } from "./analysis.js";
import { root, type JsonNode } from "./json-read.js";
import { sampleTree, verdictOfScore, type RawProcess } from "./process-tree.js";
import { hostOfUrl } from "./warninglists.js";

const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
const URL = /\bhttps?:\/\/[^\s"'<>]+/gi;

/** Reads a CAPE report. */
export function parseCapeReport(report: unknown): SandboxAnalysis {
  const r = root(report);
  const file = r.at("target", "file");
  const name = file.get("name").str();
  const size = file.get("size").num();
  const sample = {
    ...(name !== undefined && { name }),
    ...hash("md5", file.get("md5")),
    ...hash("sha1", file.get("sha1")),
    ...hash("sha256", file.get("sha256")),
    ...(size !== undefined && { size }),
  };
  const score = r.get("malscore").num();
  const families = familiesOf(r);
  const reportId = r.at("info", "id").str();

  const raw = flattenTree(r.at("behavior", "processtree").items());
  const rootProcess = raw.find((p) => name !== undefined && p.name?.toLowerCase() === name.toLowerCase()) ?? raw[0];
  const files: AnalysisFile[] = r.get("dropped").items().flatMap((d) => {
    const paths = d.get("guest_paths").present && Array.isArray(d.get("guest_paths").value) ? d.get("guest_paths").strings() : [];
    const fields = {
      ...hash("md5", d.get("md5")),
      ...hash("sha1", d.get("sha1")),
      ...hash("sha256", d.get("sha256")),
      ...(d.get("size").num() !== undefined && { size: d.get("size").num() as number }),
    };
    return paths.length === 0 ? [fields] : paths.map((path) => ({ path, ...fields }));
  });
  const tree = sampleTree(raw, rootProcess ? [rootProcess.id] : [], {
    injections: injectionsOf(r),
    writtenPaths: files.flatMap((f) => f.path ?? []),
  });
  const processes = raw.map((p) => ({ ...p, inSampleTree: tree.has(p.id) }));

  const summary = r.at("behavior", "summary");
  const registry = summary.get("write_keys").strings().map((full) => {
    const cut = full.lastIndexOf("\\");
    return cut < 0 ? { key: full } : { key: full.slice(0, cut), valueName: full.slice(cut + 1) };
  });
  const commandLines = processes.some((p) => p.commandLine !== undefined)
    ? processes.flatMap((p) => (p.commandLine !== undefined ? [{ commandLine: p.commandLine, byProcessId: p.id }] : []))
    : summary.get("executed_commands").strings().map((commandLine) => ({ commandLine }));

  const network = r.get("network");
  const connections: AnalysisConnection[] = [
    ...network.get("hosts").items().flatMap((h) => {
      const ip = h.isObject() ? h.get("ip").str() : h.str();
      return ip === undefined ? [] : [{ ip }];
    }),
    ...network.get("domains").items().flatMap((d) => {
      const ip = d.get("ip").str();
      const domain = d.get("domain").str();
      return ip === undefined ? [] : [{ ip, ...(domain !== undefined && { domain }) }];
    }),
    ...["tcp", "udp"].flatMap((proto) =>
      network.get(proto).items().flatMap((c) => {
        const ip = c.get("dst").str();
        const port = c.get("dport").num();
        return ip === undefined ? [] : [{ ip, ...(port !== undefined && { port }) }];
      }),
    ),
  ];
  const dns = network.get("dns").items().flatMap((q) => {
    const query = q.get("request").str();
    if (query === undefined) return [];
    const answers = q.get("answers").items().flatMap((a) => {
      const data = a.get("data").str();
      return data === undefined ? [] : [{ type: a.get("type").str() ?? "", data }];
    });
    return [{ query, answers }];
  });
  const urls = ["http", "http_ex", "https_ex"].flatMap((key) =>
    network.get(key).items().flatMap((h) => {
      const uri = h.get("uri").str();
      if (uri !== undefined && /^https?:\/\//i.test(uri)) return [{ url: uri }];
      const host = h.get("host").str();
      const path = h.get("path").str() ?? h.get("uri").str() ?? "/";
      return host === undefined ? [] : [{ url: `${key === "https_ex" ? "https" : "http"}://${host}${path.startsWith("/") ? path : `/${path}`}` }];
    }),
  );

  // Signature marks and extracted configs are where CAPE names C2s.
  const evidence = [...r.get("signatures").items().map((s) => s.get("data")), r.at("CAPE", "configs")].flatMap((n) => textsOf(n.value));
  const confirmedIps = new Set(evidence.flatMap((t) => t.match(IPV4) ?? []));
  const confirmedUrls = new Set(evidence.flatMap((t) => t.match(URL) ?? []));
  const confirmedDomains = new Set([...confirmedUrls].flatMap((u) => hostOfUrl(u) ?? []));

  const signatures = r
    .get("signatures")
    .items()
    .map((s) => ({ name: s.get("description").str() ?? s.get("name").str() ?? "", severity: s.get("severity").num() ?? 0 }))
    .sort((a, b) => b.severity - a.severity)
    .map((s) => s.name);
  const noBehaviour = raw.length === 0 && r.get("signatures").items().length === 0;
  const verdict = families.length > 0 && score !== undefined && score > 0 ? "malicious" : verdictOfScore(score);

  return {
    summary: { format: "cape", verdict, sample, ...(score !== undefined && { score }), ...(reportId !== undefined && { reportId }) },
    families,
    ...(rootProcess?.image !== undefined && { samplePath: rootProcess.image }),
    processes,
    files,
    registry,
    mutexes: summary.get("mutexes").strings().map((m) => ({ name: m })),
    services: summary.get("created_services").strings().map((s) => ({ name: s })),
    tasks: [],
    commandLines,
    dns,
    connections,
    domains: network.get("domains").items().flatMap((d) => d.get("domain").str() ?? []).map((domain) => ({ domain })),
    urls,
    confirmed: { ips: confirmedIps, domains: confirmedDomains, urls: confirmedUrls },
    networkAttributed: false,
    vendorTriaged: false,
    signatures,
    ...(noBehaviour && { emptyBehaviour: "the analysis recorded no behaviour and no signature" }),
  };
}

function flattenTree(nodes: readonly JsonNode[], out: RawProcess[] = []): RawProcess[] {
  for (const node of nodes) {
    const id = node.get("pid").str();
    const parentId = node.get("parent_id").str();
    const image = node.get("module_path").str();
    const processName = node.get("name").str();
    const commandLine = node.at("environ", "CommandLine").str();
    out.push({
      id: id ?? node.path,
      ...(parentId !== undefined && { parentId }),
      ...(image !== undefined && { image }),
      ...(processName !== undefined && { name: processName }),
      ...(commandLine !== undefined && { commandLine }),
    });
    flattenTree(node.get("children").items(), out);
  }
  return out;
}

/** Injections from the injection signatures' marks (`a.exe(1) -> b.exe(2)`). */
function injectionsOf(r: JsonNode): { from: string; to: string }[] {
  const injections: { from: string; to: string }[] = [];
  for (const signature of r.get("signatures").items()) {
    if (!/injection/i.test(signature.get("name").str() ?? "")) continue;
    for (const text of textsOf(signature.get("data").value)) {
      const pair = /\((\d+)\)\s*->\s*[^()]+\((\d+)\)/.exec(text);
      if (pair?.[1] !== undefined && pair[2] !== undefined) injections.push({ from: pair[1], to: pair[2] });
    }
  }
  return injections;
}

function familiesOf(r: JsonNode): string[] {
  const detections = r.get("detections");
  const fromDetections = typeof detections.value === "string" ? [detections.value] : detections.present && Array.isArray(detections.value) ? detections.items().flatMap((d) => (d.isObject() ? (d.get("family").str() ?? []) : (d.str() ?? []))) : [];
  const tag = r.get("malfamily_tag").str();
  return [...new Set([...fromDetections, ...(tag !== undefined ? [tag] : [])].filter((f) => f !== ""))];
}

function hash(key: "md5" | "sha1" | "sha256", node: JsonNode): Record<string, string> {
  const value = node.str();
  return value === undefined ? {} : { [key]: value.toLowerCase() };
}

/** Every string inside a JSON value (object keys excluded). */
function textsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) textsOf(v, out);
  else if (typeof value === "object" && value !== null) for (const v of Object.values(value)) textsOf(v, out);
  return out;
}
