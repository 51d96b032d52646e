/**
 * VMRay `logs/summary_v2.json`: typed object tables (`files.file_0`, `processes.process_1`, ...)
 * linked by `ref_*` references. VMRay already triaged every artifact (`is_ioc`), so only flagged
 * artifacts are kept; the others are left out with that reason (the pattern misp-modules uses).
 *
 * @module
 */
import type { AnalysisConnection, AnalysisFile, SandboxAnalysis } from "./analysis.js";
import { root, type JsonNode } from "./json-read.js";
import { sampleTree, type RawProcess } from "./process-tree.js";
import type { DroppedIndicator, SandboxVerdict } from "./types.js";

const NOT_FLAGGED = "not-flagged-as-ioc-by-sandbox";

/** Reads a VMRay summary_v2 report. */
export function parseVmrayReport(report: unknown): SandboxAnalysis {
  const r = root(report);
  const meta = r.get("analysis_metadata");
  const verdictText = meta.get("verdict").str()?.toLowerCase();
  const verdict: SandboxVerdict = verdictText === "malicious" || verdictText === "suspicious" || verdictText === "clean" ? verdictText : "unknown";
  const preDropped: DroppedIndicator[] = [];
  const flagged = (node: JsonNode, kind: string, value: string): boolean => {
    if (node.get("is_ioc").bool() === true) return true;
    preDropped.push({ kind, value, reason: NOT_FLAGGED });
    return false;
  };

  const fileEntries = r.get("files").entries();
  const sampleFile = fileEntries.find(([, f]) => f.get("is_sample").bool() === true)?.[1];
  const hashes = sampleFile?.get("hash_values");
  const name = meta.get("submission_filename").str();
  const size = sampleFile?.get("size").num();
  const lower = (node: JsonNode | undefined): string | undefined => node?.str()?.toLowerCase();
  const md5 = lower(hashes?.get("md5"));
  const sha1 = lower(hashes?.get("sha1"));
  const sha256 = lower(hashes?.get("sha256"));

  const filenames = new Map(r.get("filenames").entries().map(([key, f]) => [`filenames.${key}`, f.get("filename").str()]));
  const files: AnalysisFile[] = fileEntries.flatMap(([, f]) => {
    const categories = f.get("categories").strings();
    if (f.get("is_sample").bool() === true || !categories.some((c) => c === "dropped" || c === "extracted" || c === "downloaded")) return [];
    const h = f.get("hash_values");
    const path = refs(f.get("ref_filenames")).map((ref) => filenames.get(ref)).find((p) => p !== undefined);
    if (!flagged(f, "file", path ?? h.get("sha256").str() ?? f.path)) return [];
    const fileSize = f.get("size").num();
    return [
      {
        ...(path !== undefined && { path }),
        ...(lower(h.get("md5")) !== undefined && { md5: lower(h.get("md5")) as string }),
        ...(lower(h.get("sha1")) !== undefined && { sha1: lower(h.get("sha1")) as string }),
        ...(lower(h.get("sha256")) !== undefined && { sha256: lower(h.get("sha256")) as string }),
        ...(fileSize !== undefined && { size: fileSize }),
      },
    ];
  });

  const processEntries = r.get("processes").entries();
  const byMonitorId = new Map(processEntries.map(([key, p]) => [p.get("monitor_id").str(), `processes.${key}`]));
  const raw: RawProcess[] = processEntries.map(([key, p]) => {
    const parentId = byMonitorId.get(p.get("origin_monitor_id").str());
    const image = p.get("filename").str();
    const processName = p.get("image_name").str();
    const commandLine = p.get("cmd_line").str()?.trim();
    return {
      id: `processes.${key}`,
      ...(parentId !== undefined && { parentId }),
      ...(image !== undefined && { image }),
      ...(processName !== undefined && { name: processName }),
      ...(commandLine !== undefined && commandLine !== "" && { commandLine }),
    };
  });
  const targets = processEntries.filter(([, p]) => p.get("monitor_reason").str() === "analysis_target").map(([key]) => `processes.${key}`);
  const tree = sampleTree(raw, targets);
  const processes = raw.map((p) => ({ ...p, inSampleTree: tree.has(p.id) }));
  const rootProcess = processes.find((p) => targets.includes(p.id));

  const confirmed = { ips: new Set<string>(), domains: new Set<string>(), urls: new Set<string>() };
  const domains = r.get("domains").entries().flatMap(([, d]) => {
    const domain = d.get("domain").str();
    if (domain === undefined) return [];
    if (d.get("is_ioc").bool() === true) confirmed.domains.add(domain.toLowerCase());
    return [{ domain, ...firstProcess(d) }];
  });
  const connections: AnalysisConnection[] = r.get("ip_addresses").entries().flatMap(([, a]) => {
    const ip = a.get("ip_address").str();
    if (ip === undefined) return [];
    if (a.get("is_ioc").bool() === true) confirmed.ips.add(ip);
    return [{ ip, ...firstProcess(a) }];
  });
  const urls = r.get("urls").entries().flatMap(([, u]) => {
    const url = u.get("url").str();
    if (url === undefined) return [];
    if (u.get("is_ioc").bool() === true) confirmed.urls.add(url);
    return [{ url, ...firstProcess(u) }];
  });
  const mutexes = r.get("mutexes").entries().flatMap(([, m]) => {
    const mutexName = m.get("name").str();
    return mutexName !== undefined && flagged(m, "mutex", mutexName) ? [{ name: mutexName, ...firstProcess(m) }] : [];
  });
  const registry = r.get("registry_records").entries().flatMap(([, k]) => {
    const key = k.get("reg_key_name").str();
    const writes = k.get("operations").strings().some((o) => /write|create|set/i.test(o));
    if (key === undefined || !writes || !flagged(k, "registry", key)) return [];
    const cut = key.lastIndexOf("\\");
    return [{ key: key.slice(0, cut), valueName: key.slice(cut + 1), ...firstProcess(k) }];
  });
  const signatures = r
    .at("vti", "matches")
    .entries()
    .map(([, m]) => ({ name: m.get("operation_desc").str() ?? m.get("category_desc").str() ?? "", score: m.get("analysis_score").num() ?? 0 }))
    .sort((a, b) => b.score - a.score)
    .map((s) => s.name)
    .filter((s) => s !== "");
  const reportId = meta.get("analysis_id").str();

  return {
    summary: {
      format: "vmray",
      verdict,
      sample: {
        ...(name !== undefined && { name }),
        ...(md5 !== undefined && { md5 }),
        ...(sha1 !== undefined && { sha1 }),
        ...(sha256 !== undefined && { sha256 }),
        ...(size !== undefined && { size }),
      },
      ...(reportId !== undefined && { reportId }),
    },
    families: [],
    ...(rootProcess?.image !== undefined && { samplePath: rootProcess.image }),
    processes,
    files,
    registry,
    mutexes,
    services: [],
    tasks: [],
    commandLines: processes.flatMap((p) => (p.commandLine !== undefined ? [{ commandLine: p.commandLine, byProcessId: p.id }] : [])),
    dns: [],
    connections,
    domains,
    urls,
    confirmed,
    networkAttributed: true,
    vendorTriaged: true,
    signatures,
    preDropped,
  };
}

/** The `path` of each reference (`["processes", "process_1"]` gives `processes.process_1`). */
function refs(node: JsonNode): string[] {
  return node.items().flatMap((ref) => {
    const path = ref.get("path").strings();
    return path.length > 0 ? [path.join(".")] : [];
  });
}

function firstProcess(node: JsonNode): { byProcessId?: string } {
  const first = refs(node.get("ref_processes"))[0];
  return first === undefined ? {} : { byProcessId: first };
}
