/**
 * The common shape every report parser produces (research notes section 1.8, trimmed to what the
 * OpenIOC mapping and the noise filters use). One parser per format fills it; one filter pipeline
 * and one mapping read it, so a new sandbox costs one parser.
 *
 * @module
 */
import type { DroppedIndicator, SandboxReportSummary } from "./types.js";

/** One process the sandbox saw. `id` is the report's own id (pid, procid, object key). */
export interface AnalysisProcess {
  readonly id: string;
  readonly parentId?: string;
  /** Full image path in the VM. */
  readonly image?: string;
  readonly name?: string;
  readonly commandLine?: string;
  /** True for the sample, its descendants and the processes it started or injected into. */
  readonly inSampleTree: boolean;
}

/** A file the analysis created or wrote. */
export interface AnalysisFile {
  /** Path in the VM (never the sandbox host's storage path). */
  readonly path?: string;
  readonly md5?: string;
  readonly sha1?: string;
  readonly sha256?: string;
  readonly size?: number;
  /** The process that wrote it, when the report says; undefined means "not attributed". */
  readonly byProcessId?: string;
  /** A ransom note the sandbox extracted: its name is looked for anywhere, not its path. */
  readonly ransomNote?: boolean;
}

/** A registry value or key the analysis wrote. */
export interface AnalysisRegistryWrite {
  /** Full key path, hive included (`HKEY_CURRENT_USER\Software\...`). */
  readonly key: string;
  readonly valueName?: string;
  readonly data?: string;
  readonly byProcessId?: string;
}

/** A DNS question and its answers, CNAMEs included, in the order the report gives them. */
export interface AnalysisDns {
  readonly query: string;
  readonly answers: readonly { readonly type: string; readonly data: string }[];
}

/** One remote endpoint contacted. */
export interface AnalysisConnection {
  readonly ip: string;
  readonly port?: number;
  /** The domain the report ties this connection to (CAPE `domains[].ip`, Triage `flow.domain`). */
  readonly domain?: string;
  readonly byProcessId?: string;
}

/** Values a signature, an extracted config or the sandbox's own IOC flag names as malicious. */
export interface ConfirmedValues {
  readonly ips: ReadonlySet<string>;
  readonly domains: ReadonlySet<string>;
  readonly urls: ReadonlySet<string>;
}

/** A report, normalised. */
export interface SandboxAnalysis {
  readonly summary: SandboxReportSummary;
  readonly families: readonly string[];
  /** The sample's path in the VM, when known (used to spot the sample overwriting itself). */
  readonly samplePath?: string;
  readonly processes: readonly AnalysisProcess[];
  readonly files: readonly AnalysisFile[];
  readonly registry: readonly AnalysisRegistryWrite[];
  readonly mutexes: readonly { readonly name: string; readonly byProcessId?: string }[];
  readonly services: readonly { readonly name: string; readonly path?: string }[];
  readonly tasks: readonly { readonly name: string; readonly command?: string }[];
  readonly commandLines: readonly { readonly commandLine: string; readonly byProcessId?: string }[];
  readonly dns: readonly AnalysisDns[];
  readonly connections: readonly AnalysisConnection[];
  /** Domains contacted or resolved (with no IP when the report has none). */
  readonly domains: readonly { readonly domain: string; readonly byProcessId?: string }[];
  readonly urls: readonly { readonly url: string; readonly byProcessId?: string }[];
  readonly confirmed: ConfirmedValues;
  /**
   * True when the report ties network activity to processes (Triage flows, VMRay references). When
   * false, bare IPs and domains are kept only when a signature, config or vendor flag confirms them.
   */
  readonly networkAttributed: boolean;
  /**
   * The sandbox already triaged its artifacts (VMRay `is_ioc`): only confirmed network values are
   * kept, whatever the attribution.
   */
  readonly vendorTriaged: boolean;
  /** Signature names, strongest first (for the IOC's description). */
  readonly signatures: readonly string[];
  /** Why the analysis says nothing about behaviour, when it does not (an empty or failed run). */
  readonly emptyBehaviour?: string;
  /** Values the parser already left out (the sandbox's own triage, context-only values), with why. */
  readonly preDropped?: readonly DroppedIndicator[];
}

/** An empty confirmed set. */
export const NO_CONFIRMED: ConfirmedValues = { ips: new Set(), domains: new Set(), urls: new Set() };
