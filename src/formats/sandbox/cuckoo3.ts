/**
 * Cuckoo3 (CERT-EE) reports: `post.json` (behaviour) and `pre.json` (the sample's identification),
 * read alone or together as `{ "pre": ..., "post": ... }`. post.json has no file, registry or mutex
 * lists and does not tie network traffic to processes; the sample's hashes are only in pre.json.
 *
 * @module
 */
import type { AnalysisConnection, AnalysisDns, SandboxAnalysis } from "./analysis.js";
import { SandboxReportError } from "./errors.js";
import { root, type JsonNode } from "./json-read.js";
import { sampleTree, verdictOfScore, type RawProcess } from "./process-tree.js";
import { baseName } from "./paths.js";

/** Whether a parsed JSON is a Cuckoo3 pre.json, a post.json, or neither. */
export function cuckoo3Part(report: unknown): "pre" | "post" | undefined {
  const r = root(report);
  if (!r.isObject()) return undefined;
  if (r.at("target").isObject() && r.at("target", "orig_filename").present) return "pre";
  if (Array.isArray(r.get("processes").value) && r.get("task_id").present) return "post";
  return undefined;
}

/** Reads a Cuckoo3 report (see the module comment for the accepted shapes). */
export function parseCuckoo3Report(report: unknown): SandboxAnalysis {
  const r = root(report);
  let pre: JsonNode | undefined;
  let post: JsonNode | undefined;
  if (r.get("pre").present || r.get("post").present) {
    pre = r.get("pre").present ? r.get("pre") : undefined;
    post = r.get("post").present ? r.get("post") : undefined;
  } else if (cuckoo3Part(report) === "pre") pre = r;
  else post = r;
  if (post && !Array.isArray(post.get("processes").value)) throw new SandboxReportError(post.get("processes").path, "expected the process list of a Cuckoo3 post.json");

  const target = pre?.get("target");
  const name = target?.get("orig_filename").str() ?? target?.get("filename").str();
  const score = post?.get("score").num() ?? pre?.get("score").num();
  const sample = {
    ...(name !== undefined && { name }),
    ...optionalHash("md5", target?.get("md5")),
    ...optionalHash("sha1", target?.get("sha1")),
    ...optionalHash("sha256", target?.get("sha256")),
    ...(target?.get("size").num() !== undefined && { size: target.get("size").num() as number }),
  };
  const reportId = post?.get("task_id").str() ?? pre?.get("analysis_id").str();

  const raw: RawProcess[] = (post?.get("processes").items() ?? []).map((p) => {
    const image = p.get("image").str();
    const parentId = p.get("parent_procid").str();
    const commandLine = p.get("commandline").str();
    return {
      id: p.get("procid").str() ?? p.path,
      ...(parentId !== undefined && { parentId }),
      ...(image !== undefined && { image }),
      ...(p.get("name").str() !== undefined && { name: p.get("name").str() as string }),
      ...(commandLine !== undefined && { commandLine }),
    };
  });
  const untracked = new Set((post?.get("processes").items() ?? []).filter((p) => p.get("tracked").bool() === false).map((p) => p.get("procid").str()));
  const injected = (post?.get("processes").items() ?? []).filter((p) => p.get("injected").bool() === true).flatMap((p) => p.get("procid").str() ?? []);
  // The sample's process: the first tracked one running the submitted file, else the first tracked one.
  const tracked = raw.filter((p) => !untracked.has(p.id));
  const rootProcess = tracked.find((p) => name !== undefined && p.image !== undefined && baseName(p.image).toLowerCase() === name.toLowerCase()) ?? tracked[0];
  const tree = sampleTree(tracked, rootProcess ? [rootProcess.id] : [], { injected });
  const processes = raw.map((p) => ({ ...p, inSampleTree: tree.has(p.id) }));

  const network = post?.get("network");
  const dns = dnsOf(network);
  const connections: AnalysisConnection[] = [
    ...(network?.get("host").strings() ?? []).map((ip) => ({ ip })),
    ...["tcp", "udp"].flatMap((proto) =>
      (network?.get(proto).items() ?? []).flatMap((c) => {
        const ip = c.get("dstip").str();
        const port = c.get("dstport").num();
        return ip === undefined ? [] : [{ ip, ...(port !== undefined && { port }) }];
      }),
    ),
  ];
  const urls = (network?.get("http").items() ?? []).flatMap((h) => h.at("request", "url").str() ?? []).map((url) => ({ url }));
  const signatures = (post?.get("signatures").items() ?? [])
    .map((s) => ({ name: s.get("short_description").str() ?? s.get("name").str() ?? "", score: s.get("score").num() ?? 0 }))
    .sort((a, b) => b.score - a.score)
    .map((s) => s.name);

  return {
    summary: {
      format: "cuckoo3",
      verdict: verdictOfScore(score),
      sample,
      ...(score !== undefined && { score }),
      ...(reportId !== undefined && { reportId }),
    },
    families: post?.get("families").strings() ?? pre?.get("families").strings() ?? [],
    ...(rootProcess?.image !== undefined && { samplePath: rootProcess.image }),
    processes,
    files: [],
    registry: [],
    mutexes: [],
    services: [],
    tasks: [],
    commandLines: processes.flatMap((p) => (p.commandLine !== undefined ? [{ commandLine: p.commandLine, byProcessId: p.id }] : [])),
    dns,
    connections,
    domains: (network?.get("domain").strings() ?? []).map((domain) => ({ domain })),
    urls,
    confirmed: { ips: new Set(), domains: new Set(), urls: new Set() },
    networkAttributed: false,
    vendorTriaged: false,
    signatures,
    ...(post === undefined && { emptyBehaviour: "only pre.json was given: no behaviour" }),
  };
}

/**
 * Cuckoo3 lists DNS questions and answer records apart; an answer goes back to the port its
 * question came from, so the two are joined on that port (and the answer not before the question).
 */
function dnsOf(network: JsonNode | undefined): AnalysisDns[] {
  const responses = (network?.at("dns", "response").items() ?? []).map((a) => ({
    port: a.get("dstport").num(),
    ts: a.get("ts").num() ?? 0,
    type: a.get("type").str() ?? "",
    data: a.get("data").str() ?? "",
  }));
  return (network?.at("dns", "query").items() ?? []).flatMap((q) => {
    const query = q.get("name").str();
    if (query === undefined) return [];
    const port = q.get("srcport").num();
    const ts = q.get("ts").num() ?? 0;
    const answers = responses.filter((a) => a.port === port && a.ts >= ts && a.ts - ts < 30 && a.data !== "").map((a) => ({ type: a.type, data: a.data }));
    return [{ query, answers }];
  });
}

function optionalHash(key: "md5" | "sha1" | "sha256", node: JsonNode | undefined): Record<string, string> {
  const value = node?.str();
  return value === undefined ? {} : { [key]: value.toLowerCase() };
}
