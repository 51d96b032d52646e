/**
 * The `generic` report: a small JSON any sandbox (or a script around one) can write when iocscan
 * does not know its own format. Documented with an example in ./README.md.
 *
 * Everything listed is taken as the sandbox's own findings about the sample: the lists are
 * attributed to the sample already, so only the list-based noise filters (warninglists, deny-lists,
 * known-good hashes) apply.
 *
 * @module
 */
import { z } from "zod";
import type { SandboxAnalysis } from "./analysis.js";
import { SandboxReportError } from "./errors.js";

/** The value of the `format` member that marks a generic report. */
export const GENERIC_FORMAT_MARK = "iocscan-sandbox-report";

const md5 = z.string().regex(/^[0-9a-fA-F]{32}$/, "expected 32 hex digits (MD5)");
const sha1 = z.string().regex(/^[0-9a-fA-F]{40}$/, "expected 40 hex digits (SHA-1)");
const sha256 = z.string().regex(/^[0-9a-fA-F]{64}$/, "expected 64 hex digits (SHA-256)");
const text = z.string().min(1).max(32_768);
const size = z.number().int().nonnegative();
const list = <T extends z.ZodType>(item: T) => z.array(item).max(10_000).optional();

/** The generic report's schema (strict: an unknown member is a typo, and said so). */
export const genericReportSchema = z.strictObject({
  format: z.literal(GENERIC_FORMAT_MARK),
  version: z.literal(1),
  /** The sandbox product, for the IOC's description. */
  sandbox: text.optional(),
  reportId: text.optional(),
  verdict: z.enum(["malicious", "suspicious", "clean", "unknown"]),
  /** The sandbox's score in its own scale. */
  score: z.number().finite().optional(),
  family: list(text),
  sample: z
    .strictObject({ name: text.optional(), path: text.optional(), md5: md5.optional(), sha1: sha1.optional(), sha256: sha256.optional(), size: size.optional() })
    .refine((s) => s.md5 !== undefined || s.sha1 !== undefined || s.sha256 !== undefined, "the sample needs at least one of md5, sha1, sha256"),
  detectedOn: z.strictObject({ hostname: text.optional(), deviceId: text.optional() }).optional(),
  files: list(z.strictObject({ path: text.optional(), md5: md5.optional(), sha1: sha1.optional(), sha256: sha256.optional(), size: size.optional() })),
  processes: list(z.strictObject({ name: text.optional(), path: text.optional(), commandLine: text.optional() })),
  network: z.strictObject({ ips: list(z.ipv4().or(z.ipv6())), domains: list(text), urls: list(text) }).optional(),
  mutexes: list(text),
  registry: list(z.strictObject({ key: text, valueName: text.optional(), data: text.optional() })),
  services: list(z.strictObject({ name: text, path: text.optional() })),
  scheduledTasks: list(z.strictObject({ name: text, command: text.optional() })),
});

/** A generic report, as its schema reads it. */
export type GenericReport = z.infer<typeof genericReportSchema>;

/** Validates a generic report; throws a {@link SandboxReportError} naming the first bad member. */
export function parseGenericReport(report: unknown): SandboxAnalysis {
  const parsed = genericReportSchema.safeParse(report);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = "$" + (issue?.path ?? []).map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    throw new SandboxReportError(path, issue?.message ?? "not a generic sandbox report");
  }
  return analysisOf(parsed.data);
}

function analysisOf(r: GenericReport): SandboxAnalysis {
  const sample = {
    ...(r.sample.name !== undefined && { name: r.sample.name }),
    ...(r.sample.md5 !== undefined && { md5: r.sample.md5.toLowerCase() }),
    ...(r.sample.sha1 !== undefined && { sha1: r.sample.sha1.toLowerCase() }),
    ...(r.sample.sha256 !== undefined && { sha256: r.sample.sha256.toLowerCase() }),
    ...(r.sample.size !== undefined && { size: r.sample.size }),
  };
  const detectedOn = r.detectedOn && {
    ...(r.detectedOn.hostname !== undefined && { hostname: r.detectedOn.hostname }),
    ...(r.detectedOn.deviceId !== undefined && { deviceId: r.detectedOn.deviceId }),
  };
  const processes = (r.processes ?? []).map((p, i) => ({
    id: String(i),
    inSampleTree: true,
    ...(p.path !== undefined && { image: p.path }),
    ...(p.name !== undefined && { name: p.name }),
    ...(p.commandLine !== undefined && { commandLine: p.commandLine }),
  }));
  const ips = r.network?.ips ?? [];
  const domains = r.network?.domains ?? [];
  const urls = r.network?.urls ?? [];
  return {
    summary: {
      format: "generic",
      verdict: r.verdict,
      sample,
      ...(r.score !== undefined && { score: r.score }),
      ...(r.reportId !== undefined && { reportId: r.reportId }),
      ...(detectedOn && { detectedOn }),
    },
    families: r.family ?? [],
    ...(r.sample.path !== undefined && { samplePath: r.sample.path }),
    processes,
    files: (r.files ?? []).map((f) => ({
      ...(f.path !== undefined && { path: f.path }),
      ...(f.md5 !== undefined && { md5: f.md5.toLowerCase() }),
      ...(f.sha1 !== undefined && { sha1: f.sha1.toLowerCase() }),
      ...(f.sha256 !== undefined && { sha256: f.sha256.toLowerCase() }),
      ...(f.size !== undefined && { size: f.size }),
    })),
    registry: (r.registry ?? []).map((w) => ({ key: w.key, ...(w.valueName !== undefined && { valueName: w.valueName }), ...(w.data !== undefined && { data: w.data }) })),
    mutexes: (r.mutexes ?? []).map((name) => ({ name })),
    services: (r.services ?? []).map((s) => ({ name: s.name, ...(s.path !== undefined && { path: s.path }) })),
    tasks: (r.scheduledTasks ?? []).map((t) => ({ name: t.name, ...(t.command !== undefined && { command: t.command }) })),
    commandLines: processes.flatMap((p) => (p.commandLine !== undefined ? [{ commandLine: p.commandLine, byProcessId: p.id }] : [])),
    dns: [],
    connections: ips.map((ip) => ({ ip })),
    domains: domains.map((domain) => ({ domain })),
    urls: urls.map((url) => ({ url })),
    // The sender listed these as the sample's indicators: they count as confirmed.
    confirmed: { ips: new Set(ips), domains: new Set(domains.map((d) => d.toLowerCase())), urls: new Set(urls) },
    networkAttributed: true,
    vendorTriaged: false,
    signatures: [],
  };
}
