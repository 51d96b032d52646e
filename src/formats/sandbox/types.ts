/**
 * The contract of sandbox report -> OpenIOC generation (issue 9), shared by the CLI
 * (`iocscan ioc from-report`) and the server's intake (`POST /api/v1/sandbox/detections`).
 *
 * @module
 */

/** Report formats read; `auto` tells them apart by their shape. */
export type SandboxFormat = "cape" | "cuckoo3" | "triage" | "vmray" | "generic";

/** The sandbox's verdict, normalised; only `malicious` and `suspicious` pass the verdict gate. */
export type SandboxVerdict = "malicious" | "suspicious" | "clean" | "unknown";

/** What the report says about the analysed sample, whatever its format. */
export interface SandboxSample {
  readonly name?: string;
  readonly md5?: string;
  readonly sha1?: string;
  readonly sha256?: string;
  readonly size?: number;
}

/** The part of a report the intake keeps with the task (its origin) and uses for de-duplication. */
export interface SandboxReportSummary {
  readonly format: SandboxFormat;
  readonly verdict: SandboxVerdict;
  /** The sandbox's own score, in its own scale, when it gives one. */
  readonly score?: number;
  readonly sample: SandboxSample;
  /** The analysis id in the sandbox, when the report has one. */
  readonly reportId?: string;
  /** The device where the threat was detected, when the report names it (generic format). */
  readonly detectedOn?: { readonly hostname?: string; readonly deviceId?: string };
}

/** A value the noise filters left out, and why (shown by the CLI, kept by the intake). */
export interface DroppedIndicator {
  /** e.g. `domain`, `ipv4`, `file-hash`, `mutex`, `registry`, `command-line`, `path`. */
  readonly kind: string;
  readonly value: string;
  /** e.g. `warninglist:microsoft-domains`, `known-good-hash`, `not-sample-process`. */
  readonly reason: string;
}

export type IocFromReportResult =
  | {
      readonly generated: true;
      /** The OpenIOC 1.1 document, as written by the OpenIOC writer. */
      readonly xml: string;
      /** A file name for it, e.g. `sandbox-<sha256 prefix>.ioc`. */
      readonly fileName: string;
      readonly summary: SandboxReportSummary;
      /** Indicator items written. */
      readonly items: number;
      readonly dropped: readonly DroppedIndicator[];
    }
  | {
      readonly generated: false;
      /** Why no IOC: e.g. "verdict clean (score 0/100): nothing to look for". */
      readonly reason: string;
      /** Absent when the input is not a report of any known format. */
      readonly summary?: SandboxReportSummary;
      readonly dropped: readonly DroppedIndicator[];
    };

export interface IocFromReportOptions {
  /** Default `auto`. */
  readonly format?: SandboxFormat | "auto";
  /** Written as the IOC's last-modified; the clock is never read otherwise. */
  readonly now?: Date;
}

/**
 * The generator's signature (implemented in ./index.ts): a report already parsed from JSON in,
 * an OpenIOC document or the reason there is none out. Throws a `SandboxReportError` (with the
 * JSON path of the problem) only for input that claims a format and breaks it.
 */
export type IocFromReport = (report: unknown, options?: IocFromReportOptions) => IocFromReportResult;
