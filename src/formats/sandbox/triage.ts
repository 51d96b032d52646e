/**
 * Hatching / Recorded Future Triage: the behavioural report (`report_triage.json`: processes,
 * flows attributed to processes, DNS answers, signatures with indicators, extracted configs and
 * ransom notes) and the sample summary (`/samples/{id}/summary`: scores and the sample's SHA-256
 * only, which gives a hash-only IOC).
 *
 * @module
 */
import type { AnalysisConnection, AnalysisDns, AnalysisFile, AnalysisRegistryWrite, SandboxAnalysis } from "./analysis.js";
import { root, type JsonNode } from "./json-read.js";
import { baseName } from "./paths.js";
import { sampleTree, verdictOfScore, type RawProcess } from "./process-tree.js";
import type { DroppedIndicator } from "./types.js";

/** Reads a Triage behavioural report or sample summary. */
export function parseTriageReport(report: unknown): SandboxAnalysis {
  const r = root(report);
  return typeof r.get("sample").value === "string" ? parseSummary(r) : parseBehavioural(r);
}

function parseSummary(r: JsonNode): SandboxAnalysis {
  const score = r.get("score").num();
  const tasks = r.get("tasks").entries().map(([, task]) => task);
  const families = unique(tasks.flatMap((t) => familiesOfTags(t.get("tags").strings())));
  const target = tasks.map((t) => t.get("target").str()).find((t) => t !== undefined);
  const sha256 = r.get("sha256").str()?.toLowerCase();
  const reportId = r.get("sample").str();
  return {
    ...emptyAnalysis(),
    summary: {
      format: "triage",
      verdict: verdictOfScore(score),
      sample: { ...(target !== undefined && { name: target }), ...(sha256 !== undefined && { sha256 }) },
      ...(score !== undefined && { score }),
      ...(reportId !== undefined && { reportId }),
    },
    families,
    emptyBehaviour: "a sample summary holds no behaviour",
  };
}

function parseBehavioural(r: JsonNode): SandboxAnalysis {
  const sampleNode = r.get("sample");
  const task = r.get("task");
  const name = task.get("target").str();
  const size = sampleNode.get("size").num() ?? task.get("size").num();
  const hashOf = (key: string): string | undefined => (sampleNode.get(key).str() ?? task.get(key).str())?.toLowerCase();
  const md5 = hashOf("md5");
  const sha1 = hashOf("sha1");
  const sha256 = hashOf("sha256");
  const score = r.at("analysis", "score").num() ?? sampleNode.get("score").num();
  const reportId = sampleNode.get("id").str();

  const raw: RawProcess[] = r.get("processes").items().map((p) => {
    const parentId = p.get("procid_parent").str();
    const image = p.get("image").str();
    const commandLine = p.get("cmd").str();
    return {
      id: p.get("procid").str() ?? p.path,
      ...(parentId !== undefined && { parentId }),
      ...(image !== undefined && { image }),
      ...(image !== undefined && { name: baseName(image) }),
      ...(commandLine !== undefined && { commandLine }),
    };
  });
  const rootProcess = raw.find((p) => name !== undefined && p.image !== undefined && baseName(p.image).toLowerCase() === name.toLowerCase()) ?? raw[0];
  const tree = sampleTree(raw, rootProcess ? [rootProcess.id] : []);
  const processes = raw.map((p) => ({ ...p, inSampleTree: tree.has(p.id) }));

  const flowProcess = new Map<string, string>();
  const connections: AnalysisConnection[] = r.at("network", "flows").items().flatMap((f) => {
    const dst = f.get("dst").str();
    const procid = f.get("procid").str();
    const id = f.get("id").str();
    if (id !== undefined && procid !== undefined) flowProcess.set(id, procid);
    if (dst === undefined) return [];
    const cut = dst.lastIndexOf(":");
    const ip = (cut < 0 ? dst : dst.slice(0, cut)).replace(/^\[|\]$/g, "");
    const port = cut < 0 ? undefined : Number(dst.slice(cut + 1));
    const domain = f.get("domain").str();
    return [{ ip, ...(port !== undefined && Number.isInteger(port) && { port }), ...(domain !== undefined && { domain }), ...(procid !== undefined && { byProcessId: procid }) }];
  });
  const dns: AnalysisDns[] = [];
  const urls: { url: string; byProcessId?: string }[] = [];
  for (const request of r.at("network", "requests").items()) {
    // Each answer names its owner, so a CNAME chain is kept link by link.
    for (const answer of request.at("dns_response", "answers").items()) {
      const owner = answer.get("name").str();
      const data = answer.get("value").str();
      if (owner !== undefined && data !== undefined) dns.push({ query: owner, answers: [{ type: (answer.get("type").str() ?? "").replace(/^IN\s+/i, ""), data }] });
    }
    const url = request.at("http_request", "url").str();
    const procid = flowProcess.get(request.get("flow").str() ?? "");
    if (url !== undefined) urls.push({ url, ...(procid !== undefined && { byProcessId: procid }) });
  }

  const registry: AnalysisRegistryWrite[] = [];
  const files: AnalysisFile[] = [];
  const confirmedIps = new Set<string>();
  const confirmedDomains = new Set<string>();
  const confirmedUrls = new Set<string>();
  const preDropped: DroppedIndicator[] = [];
  for (const signature of r.get("signatures").items()) {
    for (const indicator of signature.get("indicators").items()) {
      const ioc = indicator.get("ioc").str();
      const procid = indicator.get("procid").str();
      if (ioc === undefined) continue;
      if (/^(\\REGISTRY\\|HKEY_|HK(LM|CU|U)\\)/i.test(ioc) && /created|set|modif|writ/i.test(indicator.get("description").str() ?? "key created")) {
        const cut = ioc.lastIndexOf("\\");
        registry.push({ key: ioc.slice(0, cut), valueName: ioc.slice(cut + 1), ...(procid !== undefined && { byProcessId: procid }) });
      }
    }
  }
  for (const extracted of r.get("extracted").items()) {
    const config = extracted.get("config");
    for (const c2 of config.get("c2").strings()) {
      const host = c2.replace(/^[a-z]+:\/\//i, "").replace(/[:/].*$/, "");
      if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) confirmedIps.add(host);
      else confirmedDomains.add(host.toLowerCase());
      if (/^https?:\/\//i.test(c2)) confirmedUrls.add(c2);
    }
    for (const url of [...extracted.at("dropper", "urls").strings(), ...extracted.at("ransom_note", "urls").strings()]) confirmedUrls.add(url);
    const note = extracted.get("path").str();
    if (extracted.get("ransom_note").present && note !== undefined) files.push({ path: note, ransomNote: true });
    for (const email of extracted.at("ransom_note", "emails").strings()) {
      preDropped.push({ kind: "email", value: email, reason: "context-only: an e-mail address is not host state" });
    }
  }

  const signatures = r
    .get("signatures")
    .items()
    .map((s) => ({ name: s.get("name").str() ?? "", score: s.get("score").num() ?? 0 }))
    .sort((a, b) => b.score - a.score)
    .map((s) => s.name);

  return {
    summary: {
      format: "triage",
      verdict: verdictOfScore(score),
      sample: {
        ...(name !== undefined && { name }),
        ...(md5 !== undefined && { md5 }),
        ...(sha1 !== undefined && { sha1 }),
        ...(sha256 !== undefined && { sha256 }),
        ...(size !== undefined && { size }),
      },
      ...(score !== undefined && { score }),
      ...(reportId !== undefined && { reportId }),
    },
    families: familiesOfTags(r.at("analysis", "tags").strings()),
    ...(rootProcess?.image !== undefined && { samplePath: rootProcess.image }),
    processes,
    files,
    registry,
    mutexes: [],
    services: [],
    tasks: [],
    commandLines: processes.flatMap((p) => (p.commandLine !== undefined ? [{ commandLine: p.commandLine, byProcessId: p.id }] : [])),
    dns,
    connections,
    domains: connections.flatMap((c) => (c.domain !== undefined ? [{ domain: c.domain, ...(c.byProcessId !== undefined && { byProcessId: c.byProcessId }) }] : [])),
    urls,
    confirmed: { ips: confirmedIps, domains: confirmedDomains, urls: confirmedUrls },
    networkAttributed: true,
    vendorTriaged: false,
    signatures,
    preDropped,
  };
}

function familiesOfTags(tags: readonly string[]): string[] {
  return unique(tags.filter((t) => t.startsWith("family:")).map((t) => t.slice("family:".length)));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function emptyAnalysis(): Omit<SandboxAnalysis, "summary" | "families"> {
  return {
    processes: [],
    files: [],
    registry: [],
    mutexes: [],
    services: [],
    tasks: [],
    commandLines: [],
    dns: [],
    connections: [],
    domains: [],
    urls: [],
    confirmed: { ips: new Set(), domains: new Set(), urls: new Set() },
    networkAttributed: true,
    vendorTriaged: false,
    signatures: [],
  };
}
