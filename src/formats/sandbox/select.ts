/**
 * The noise filters, as one ordered pipeline (research notes section 4): from a normalised
 * analysis to the indicators worth scanning a fleet for. Every value left out is recorded with the
 * reason, in pipeline order:
 *
 * 1. verdict gate: a clean or unknown verdict, or a sample hash on a known-benign list, yields nothing;
 * 2. behaviour of the sample's own process tree only (`not-sample-process`);
 * 3. files: OS by-products, known-good hashes (warninglists; a copy of a system binary; the
 *    sample's own path rewritten with other content), paths that do not generalise;
 * 4. network: warninglists and iocscan's own domain list, addresses of dropped domains through the
 *    DNS answers (CNAME chains followed), and, where the report does not tie traffic to
 *    processes, everything a signature, config or HTTP request by IP literal does not confirm;
 * 5. mutexes, registry (persistence only), command lines: the deny-lists of ./noise-lists.ts;
 * 6. caps per group, so the IOC stays far below the 2-3 MB other scanners accept.
 *
 * @module
 */
import { isIP } from "node:net";
import type { SandboxAnalysis } from "./analysis.js";
import {
  COMMAND_NOISE,
  DOMAIN_NOISE,
  FILE_NOISE,
  HASH_LIKE_NAME,
  MUTEX_NOISE,
  PERSISTENT_VALUE_NAMES,
  PUBLIC_RESOLVERS,
  REGISTRY_NOISE,
  REGISTRY_PERSISTENCE,
  STOCK_PROGRAMS,
  type NoisePattern,
} from "./noise-lists.js";
import { baseName, cleanWindowsPath, generalisedTail, profileUser, splitRegistryKey } from "./paths.js";
import { isStockProgram } from "./process-tree.js";
import type { DroppedIndicator, SandboxSample } from "./types.js";
import { hostOfUrl, warninglistHit } from "./warninglists.js";

/** Caps per group (section 3, "keep the file well below the 2-3 MB limit"). */
export const CAPS = { files: 50, paths: 50, registry: 20, network: 20, mutexes: 20, commands: 20, services: 20, tasks: 20 } as const;

/** A file to look for: its hashes, and its size as a cheap prefilter. */
export interface SelectedFile {
  readonly md5?: string;
  readonly sha1?: string;
  readonly sha256?: string;
  readonly size?: number;
}

/** What survived the filters: exactly what the OpenIOC mapping writes. */
export interface Selection {
  readonly sample: SandboxSample;
  readonly files: readonly SelectedFile[];
  /** Generalised path tails (`\AppData\Roaming\X\y.exe`), matched with ends-with. */
  readonly paths: readonly string[];
  /** File names looked for anywhere (files dropped under per-machine folders, e.g. ransom notes). */
  readonly fileNames: readonly string[];
  readonly registry: readonly { readonly keyPath: string; readonly valueName?: string; readonly data?: string }[];
  readonly services: readonly { readonly name: string; readonly pathTail?: string }[];
  readonly tasks: readonly string[];
  readonly mutexes: readonly string[];
  readonly commandFragments: readonly string[];
  readonly ips: readonly string[];
  readonly domains: readonly string[];
  readonly urls: readonly string[];
}

/** The pipeline's answer: a selection, or why there is none. */
export type SelectionResult =
  | { readonly ok: true; readonly selection: Selection; readonly dropped: readonly DroppedIndicator[] }
  | { readonly ok: false; readonly reason: string; readonly dropped: readonly DroppedIndicator[] };

/** Runs the filters over `analysis`. */
export function selectIndicators(analysis: SandboxAnalysis): SelectionResult {
  const dropped: DroppedIndicator[] = [];
  const droppedKeys = new Set<string>();
  const drop = (kind: string, value: string, reason: string): void => {
    const key = `${kind}\u0000${value}\u0000${reason}`;
    if (droppedKeys.has(key)) return;
    droppedKeys.add(key);
    dropped.push({ kind, value, reason });
  };

  for (const d of analysis.preDropped ?? []) drop(d.kind, d.value, d.reason);
  const gate = verdictGate(analysis);
  if (gate) return { ok: false, reason: gate, dropped };

  const inTree = new Set(analysis.processes.filter((p) => p.inSampleTree).map((p) => p.id));
  const known = new Set(analysis.processes.map((p) => p.id));
  /** Attributed to a known process outside the sample tree. */
  const foreign = (byProcessId: string | undefined): boolean => byProcessId !== undefined && known.has(byProcessId) && !inTree.has(byProcessId);
  const vmUsers = new Set(analysis.processes.flatMap((p) => (p.image ? (profileUser(p.image) ?? []) : [])).map((u) => u.toLowerCase()));
  const sampleName = analysis.summary.sample.name;
  const sampleStem = sampleName?.replace(/\.[^.]+$/, "");

  const { files, paths, names } = selectFiles(analysis, foreign, drop);
  const network = selectNetwork(analysis, foreign, drop);

  const mutexes = unique(
    analysis.mutexes.flatMap(({ name, byProcessId }) => {
      if (foreign(byProcessId)) return none(drop, "mutex", name, "not-sample-process");
      const bare = name.replace(/^(Global|Local|Session\\\d+)\\/i, "");
      const noise = firstMatch(MUTEX_NOISE, bare);
      if (noise) return none(drop, "mutex", name, `os-mutex:${noise}`);
      if (sampleStem && sampleStem.length >= 6 && HASH_LIKE_NAME.test(sampleName ?? "") && bare.toLowerCase().includes(sampleStem.toLowerCase())) {
        return none(drop, "mutex", name, "derived-from-sandbox-sample-name");
      }
      return [bare];
    }),
  );

  const registry = analysis.registry.flatMap((write) => {
    const shown = write.valueName === undefined ? write.key : `${write.key}\\${write.valueName}`;
    if (foreign(write.byProcessId)) return none(drop, "registry", shown, "not-sample-process");
    const noise = firstMatch(REGISTRY_NOISE, write.key);
    if (noise) return none(drop, "registry", shown, `registry-noise:${noise}`);
    const parts = splitRegistryKey(write.key);
    const persistence = parts && firstMatch(REGISTRY_PERSISTENCE, `${parts.hive}\\${parts.keyPath}`);
    if (!parts || !persistence) return none(drop, "registry", shown, "registry-not-persistence");
    if ((persistence === "winlogon" || persistence === "appinit-dlls") && !PERSISTENT_VALUE_NAMES.has((write.valueName ?? "").toLowerCase())) {
      return none(drop, "registry", shown, "registry-not-persistence");
    }
    return [{ keyPath: parts.keyPath, ...(write.valueName !== undefined && { valueName: write.valueName }), ...(write.data !== undefined && { data: write.data }) }];
  });

  const services = analysis.services.flatMap((s) => {
    const tail = s.path === undefined ? undefined : generalisedTail(s.path);
    return [{ name: s.name, ...(tail !== undefined && { pathTail: tail }) }];
  });

  const tasks = [
    ...analysis.tasks.map((t) => t.name),
    ...analysis.commandLines.flatMap(({ commandLine, byProcessId }) => (foreign(byProcessId) ? [] : scheduledTaskName(commandLine) ?? [])),
  ];

  const commandFragments = analysis.commandLines.flatMap(({ commandLine, byProcessId }) => {
    if (foreign(byProcessId)) return none(drop, "command-line", commandLine, "not-sample-process");
    const noise = firstMatch(COMMAND_NOISE, commandLine);
    if (noise) return none(drop, "command-line", commandLine, `os-process:${noise}`);
    const fragment = distinctiveArguments(commandLine);
    if (fragment === undefined) return none(drop, "command-line", commandLine, "no-distinctive-arguments");
    const lower = fragment.toLowerCase();
    if ([...vmUsers].some((u) => lower.includes(`\\${u}\\`)) || /\\(users|documents and settings)\\/i.test(fragment)) {
      return none(drop, "command-line", commandLine, "contains-analysis-vm-profile-path");
    }
    if (sampleStem && HASH_LIKE_NAME.test(sampleName ?? "") && lower.includes(sampleStem.toLowerCase())) {
      return none(drop, "command-line", commandLine, "contains-sandbox-sample-name");
    }
    return [fragment];
  });

  const selection: Selection = {
    sample: analysis.summary.sample,
    files: cap(files, CAPS.files, "file-hash", (f) => f.sha256 ?? f.md5 ?? "", drop),
    paths: cap(unique(paths), CAPS.paths, "path", (p) => p, drop),
    fileNames: cap(unique(names), CAPS.paths, "file-name", (n) => n, drop),
    registry: cap(uniqueBy(registry, (r) => `${r.keyPath}\\${r.valueName ?? ""}`.toLowerCase()), CAPS.registry, "registry", (r) => r.keyPath, drop),
    services: cap(uniqueBy(services, (s) => s.name.toLowerCase()), CAPS.services, "service", (s) => s.name, drop),
    tasks: cap(unique(tasks), CAPS.tasks, "scheduled-task", (t) => t, drop),
    mutexes: cap(mutexes, CAPS.mutexes, "mutex", (m) => m, drop),
    commandFragments: cap(unique(commandFragments), CAPS.commands, "command-line", (c) => c, drop),
    ips: cap(network.ips, CAPS.network, "ip", (i) => i, drop),
    domains: cap(network.domains, CAPS.network, "domain", (d) => d, drop),
    urls: cap(network.urls, CAPS.network, "url", (u) => u, drop),
  };
  return { ok: true, selection, dropped };
}

/** Why the whole report yields nothing, or undefined when it passes. */
function verdictGate(analysis: SandboxAnalysis): string | undefined {
  const { verdict, score, sample } = analysis.summary;
  const scored = score === undefined ? "" : ` (score ${score})`;
  if (verdict === "clean") return `verdict clean${scored}: nothing to look for`;
  if (verdict === "unknown") return `no verdict${scored}: the sandbox did not call the sample malicious or suspicious${analysis.emptyBehaviour ? `; ${analysis.emptyBehaviour}` : ""}`;
  if (!sample.md5 && !sample.sha1 && !sample.sha256) return "the report names no hash of the sample";
  for (const hash of [sample.md5, sample.sha1, sample.sha256]) {
    const list = hash === undefined ? undefined : warninglistHit("hash", hash);
    if (list) return `the sample's hash ${hash ?? ""} is on the known-benign list ${list}: scanning for it would flag harmless files`;
  }
  return undefined;
}

type Drop = (kind: string, value: string, reason: string) => void;

function selectFiles(
  analysis: SandboxAnalysis,
  foreign: (id: string | undefined) => boolean,
  drop: Drop,
): { files: SelectedFile[]; paths: string[]; names: string[] } {
  const sample = analysis.summary.sample;
  const sampleHashes = new Set([sample.md5, sample.sha1, sample.sha256].filter((h): h is string => h !== undefined));
  const copies = copiedSystemBinaries(analysis);
  const files: SelectedFile[] = [];
  const paths: string[] = [];
  const names: string[] = [];
  if (sampleHashes.size > 0) files.push(definedOnly({ md5: sample.md5, sha1: sample.sha1, sha256: sample.sha256, size: sample.size }));
  const seen = new Set(sampleHashes);

  for (const file of analysis.files) {
    const label = file.path ?? file.sha256 ?? file.md5 ?? "(unnamed file)";
    if (foreign(file.byProcessId)) {
      drop("file", label, "not-sample-process");
      continue;
    }
    const path = file.path === undefined ? undefined : cleanWindowsPath(file.path);
    const noise = path === undefined ? undefined : firstMatch(FILE_NOISE, path);
    if (noise) {
      drop("file", label, `os-by-product:${noise}`);
      continue;
    }
    const hashes = [file.md5, file.sha1, file.sha256].filter((h): h is string => h !== undefined);
    const listed = hashes.map((h) => warninglistHit("hash", h)).find((l) => l !== undefined);
    if (listed) {
      drop("file-hash", label, `warninglist:${listed}`);
      continue;
    }
    const copyOf = path === undefined ? undefined : copies.get(path.toLowerCase());
    if (copyOf) {
      drop("file-hash", `${label} (${file.md5 ?? file.sha256 ?? ""})`, `known-good:copy-of ${copyOf}`);
      continue;
    }
    const isSampleContent = hashes.some((h) => sampleHashes.has(h));
    if (!isSampleContent && path !== undefined && analysis.samplePath !== undefined && path.toLowerCase() === cleanWindowsPath(analysis.samplePath).toLowerCase()) {
      drop("file-hash", `${label} (${file.md5 ?? file.sha256 ?? ""})`, "known-good:sample-path-overwritten-with-other-content");
      continue;
    }
    if (hashes.length > 0 && !hashes.some((h) => seen.has(h))) {
      for (const h of hashes) seen.add(h);
      files.push(definedOnly({ md5: file.md5, sha1: file.sha1, sha256: file.sha256, size: file.size }));
    }
    if (path !== undefined && file.ransomNote === true) names.push(baseName(path));
    else if (path !== undefined) {
      const name = baseName(path);
      const tail = generalisedTail(path);
      if (tail === undefined) drop("path", path, "not-a-windows-path");
      else if (HASH_LIKE_NAME.test(name)) drop("path", path, "sandbox-assigned-name");
      else if (STOCK_PROGRAMS.has(name.toLowerCase())) drop("path", path, "stock-windows-program-name");
      else if (/^\\AppData\\Local\\Temp\\[^\\]+$|^\\Local Settings\\Temp\\[^\\]+$|^\\Windows\\Temp\\[^\\]+$/i.test(tail)) drop("path", path, "random-temp-name");
      // A folder named by a GUID differs between machines: look for the name alone (a ransom note).
      else if (/\\\{[0-9a-f-]{36}\}[^\\]*\\/i.test(tail)) names.push(name);
      else paths.push(tail);
    }
  }
  // Images of sample-tree processes that are not stock programs (the persistent copy the
  // sample installed, e.g. Emotet's \Windows\SysWOW64\structsreadand.exe).
  for (const process of analysis.processes) {
    if (!process.inSampleTree || process.image === undefined) continue;
    const image = cleanWindowsPath(process.image);
    const name = baseName(image);
    const tail = generalisedTail(image);
    if (tail === undefined || isStockProgram(name)) continue;
    if (analysis.samplePath !== undefined && image.toLowerCase() === cleanWindowsPath(analysis.samplePath).toLowerCase()) {
      drop("path", image, "sample-submission-path");
      continue;
    }
    if (HASH_LIKE_NAME.test(name) || (sampleName(analysis) !== undefined && name.toLowerCase() === sampleName(analysis))) {
      drop("path", image, "sandbox-assigned-name");
      continue;
    }
    if (/\\(Temp|tmp)\\[^\\]+$/i.test(tail)) {
      drop("path", image, "random-temp-name");
      continue;
    }
    paths.push(tail);
  }
  return { files, paths, names };
}

function sampleName(analysis: SandboxAnalysis): string | undefined {
  return analysis.summary.sample.name?.toLowerCase();
}

/**
 * Files a command overwrote with a copy of a Windows binary (`type C:\Windows\System32\calc.exe >
 * x.exe`, `copy /y C:\Windows\... x.exe`): their hash is that binary's, a known-good one.
 */
function copiedSystemBinaries(analysis: SandboxAnalysis): Map<string, string> {
  const copies = new Map<string, string>();
  const system = String.raw`"?([a-z]:\\windows\\[^"<>|&]+?)"?`;
  const target = String.raw`"?([a-z]:\\[^"<>|&]+?)"?`;
  const patterns = [new RegExp(String.raw`\btype\s+${system}\s*>\s*${target}(?=\s*(?:&|$|"))`, "gi"), new RegExp(String.raw`\bcopy\s+(?:/[a-z]\s+)*${system}\s+${target}(?=\s*(?:&|$|"))`, "gi")];
  for (const { commandLine } of analysis.commandLines) {
    for (const pattern of patterns) {
      for (const match of commandLine.matchAll(pattern)) {
        const [, from, to] = match;
        if (from && to) copies.set(cleanWindowsPath(to.trim()).toLowerCase(), cleanWindowsPath(from.trim()));
      }
    }
  }
  return copies;
}

function selectNetwork(
  analysis: SandboxAnalysis,
  foreign: (id: string | undefined) => boolean,
  drop: Drop,
): { ips: string[]; domains: string[]; urls: string[] } {
  const confirmed = analysis.confirmed;
  const onlyConfirmed = !analysis.networkAttributed || analysis.vendorTriaged;
  const unconfirmedReason = analysis.vendorTriaged ? "not-flagged-as-ioc-by-sandbox" : "unconfirmed:no-process-attribution";
  const urlHosts = analysis.urls.flatMap(({ url }) => hostOfUrl(url) ?? []);
  // An HTTP request straight to an IP literal is a C2 sign no OS service gives: it confirms the IP.
  const confirmedIps = new Set([...confirmed.ips, ...urlHosts.filter((h) => isIP(h) !== 0)]);

  // Domains: every name the report mentions, with the reason it is noise, if any.
  const domainReason = new Map<string, string | undefined>();
  const domainSeen = (raw: string, byProcessId?: string): void => {
    const domain = raw.toLowerCase().replace(/\.$/, "");
    if (domain === "" || isIP(domain) !== 0 || domainReason.has(domain)) return;
    domainReason.set(domain, domainNoise(domain, foreign(byProcessId)));
  };
  for (const d of analysis.domains) domainSeen(d.domain, d.byProcessId);
  for (const q of analysis.dns) domainSeen(q.query);
  for (const c of analysis.connections) if (c.domain !== undefined) domainSeen(c.domain, c.byProcessId);
  for (const h of urlHosts) domainSeen(h);

  // Follow CNAME chains down from every dropped name: the names and addresses below it are its own.
  const answersOf = new Map<string, { type: string; data: string }[]>();
  for (const q of analysis.dns) {
    const key = q.query.toLowerCase();
    answersOf.set(key, [...(answersOf.get(key) ?? []), ...q.answers]);
  }
  const ipOwner = new Map<string, string>();
  for (const [domain, reason] of [...domainReason]) {
    if (reason === undefined) continue;
    const stack = [domain];
    const visited = new Set<string>();
    while (stack.length > 0) {
      const name = stack.pop() as string;
      if (visited.has(name)) continue;
      visited.add(name);
      for (const answer of answersOf.get(name) ?? []) {
        const data = answer.data.toLowerCase().replace(/\.$/, "");
        if (isIP(data) !== 0) {
          if (!ipOwner.has(data)) ipOwner.set(data, domain);
        } else if (/^cname$/i.test(answer.type)) {
          if (!domainReason.has(data) || domainReason.get(data) === undefined) domainReason.set(data, `cname-of:${domain}`);
          stack.push(data);
        }
      }
    }
  }
  for (const c of analysis.connections) {
    const owner = c.domain?.toLowerCase();
    if (owner !== undefined && domainReason.get(owner) !== undefined && !ipOwner.has(c.ip)) ipOwner.set(c.ip, owner);
  }

  const domains: string[] = [];
  for (const [domain, reason] of domainReason) {
    if (reason !== undefined) drop("domain", domain, reason);
    else if (onlyConfirmed && !confirmed.domains.has(domain)) drop("domain", domain, unconfirmedReason);
    else domains.push(domain);
  }

  const ips: string[] = [];
  const ipSeen = new Set<string>();
  for (const c of analysis.connections) {
    if (ipSeen.has(c.ip)) continue;
    ipSeen.add(c.ip);
    const listed = warninglistHit("ip", c.ip);
    if (isIP(c.ip) === 0) drop("ip", c.ip, "not-an-ip-address");
    else if (listed) drop("ip", c.ip, `warninglist:${listed}`);
    else if (PUBLIC_RESOLVERS.has(c.ip)) drop("ip", c.ip, "public-dns-resolver");
    else if (confirmedIps.has(c.ip)) ips.push(c.ip);
    else if (foreign(c.byProcessId)) drop("ip", c.ip, "not-sample-process");
    else if (ipOwner.has(c.ip)) drop("ip", c.ip, `address-of:${ipOwner.get(c.ip) ?? ""}`);
    else if (onlyConfirmed) drop("ip", c.ip, unconfirmedReason);
    else ips.push(c.ip);
  }

  const urls: string[] = [];
  for (const { url, byProcessId } of uniqueBy(analysis.urls, (u) => u.url)) {
    const host = hostOfUrl(url);
    const listed = warninglistHit("url", url);
    if (host === undefined) drop("url", url, "not-a-url");
    else if (listed) drop("url", url, `warninglist:${listed}`);
    else if (isIP(host) === 0 && domainReason.get(host) !== undefined) drop("url", url, `host-dropped:${domainReason.get(host) ?? ""}`);
    else if (isIP(host) !== 0 && !ips.includes(host)) drop("url", url, "host-dropped");
    else if (foreign(byProcessId) && !confirmed.urls.has(url)) drop("url", url, "not-sample-process");
    else if (onlyConfirmed && !confirmed.urls.has(url) && !confirmedIps.has(host) && !confirmed.domains.has(host)) drop("url", url, unconfirmedReason);
    else urls.push(url);
  }
  return { ips, domains, urls };
}

/** Why a contacted domain is not an IOC, or undefined. */
function domainNoise(domain: string, byForeignProcess: boolean): string | undefined {
  const listed = warninglistHit("domain", domain);
  if (listed) return `warninglist:${listed}`;
  const noise = firstMatch(DOMAIN_NOISE, domain);
  if (noise) return `noise-domain:${noise}`;
  if (byForeignProcess) return "not-sample-process";
  return undefined;
}

/** Programs whose arguments never identify malware (delays, process killing). */
const NEVER_DISTINCTIVE = new Set(["ping.exe", "timeout.exe", "taskkill.exe", "net.exe", "net1.exe", "start"]);

/**
 * The distinctive part of a command line: its arguments, when the program is a stock one (a
 * LOLBin is never an IOC by itself, and a non-stock program is covered by its file) and they are
 * long enough to mean something. `cmd /c X` is judged by X. Undefined otherwise.
 */
function distinctiveArguments(commandLine: string): string | undefined {
  const trimmed = commandLine.trim();
  const quoted = /^"([^"]+)"\s*(.*)$/s.exec(trimmed);
  const program = quoted ? (quoted[1] ?? "") : (trimmed.split(/\s+/)[0] ?? "");
  const args = (quoted ? (quoted[2] ?? "") : trimmed.slice(program.length)).trim();
  const name = baseName(program).toLowerCase().replace(/^(?!.*\.exe$)(.*)$/, "$1.exe");
  if (name === "cmd.exe") {
    const inner = /^\/[ck]\s+(.*)$/is.exec(args)?.[1];
    // A chain (`a & b`, redirections) is kept whole: the combination is what is distinctive.
    if (inner !== undefined && !/[&|>]/.test(inner)) return distinctiveArguments(inner);
  }
  if (!STOCK_PROGRAMS.has(name) || NEVER_DISTINCTIVE.has(name) || NEVER_DISTINCTIVE.has(name.replace(/\.exe$/, ""))) return undefined;
  if (args.length < 16 || args.length > 512) return undefined;
  return args;
}

/** The task a `schtasks /create ... /tn NAME` command line creates, or undefined. */
export function scheduledTaskName(commandLine: string): string | undefined {
  if (!/schtasks(\.exe)?"?\s.*\/create\b/i.test(commandLine)) return undefined;
  const match = /\/tn\s+(?:"([^"]+)"|(\S+))/i.exec(commandLine);
  return match?.[1] ?? match?.[2];
}

function firstMatch(patterns: readonly NoisePattern[], value: string): string | undefined {
  return patterns.find((p) => p.pattern.test(value))?.name;
}

function none(drop: Drop, kind: string, value: string, reason: string): [] {
  drop(kind, value, reason);
  return [];
}

function unique(values: readonly string[]): string[] {
  return uniqueBy(values, (v) => v.toLowerCase());
}

function uniqueBy<T>(values: readonly T[], key: (value: T) => string): T[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = key(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function cap<T>(values: readonly T[], max: number, kind: string, show: (value: T) => string, drop: Drop): T[] {
  for (const extra of values.slice(max)) drop(kind, show(extra), `cap:${max}-per-group`);
  return values.slice(0, max);
}

function definedOnly(file: { md5: string | undefined; sha1: string | undefined; sha256: string | undefined; size: number | undefined }): SelectedFile {
  return {
    ...(file.md5 !== undefined && { md5: file.md5 }),
    ...(file.sha1 !== undefined && { sha1: file.sha1 }),
    ...(file.sha256 !== undefined && { sha256: file.sha256 }),
    ...(file.size !== undefined && { size: file.size }),
  };
}
