/**
 * The scan report (DESIGN.md section 5): the JSON contract of `iocscan scan --format json`, of
 * what an agent uploads and of what the results database keeps. Fields may be added; none may
 * change meaning without a new `version`.
 *
 * @module
 */
import type { FieldValue } from "./record-id.js";

/** The value of `format` in every report. */
export const REPORT_FORMAT = "iocscan-report";
/** The report format version this build writes. */
export const REPORT_VERSION = 1;

/** A loaded IOC as the report lists it. */
export interface ReportIoc {
  file: string;
  id: string;
  title: string;
  openiocVersion: "1.0" | "1.1";
  items: number;
  supportedItems: number;
}

/** One host object bound by a detection, with the observed values of the fields the IOC tested. */
export interface ReportObject {
  document: string;
  id: string;
  fields: Record<string, FieldValue>;
  /**
   * False when the object was bound only through negated items: it must never be quarantined,
   * deleted or killed (DESIGN.md section 6).
   */
  actionable: boolean;
}

/** What an action did with a detection's object. */
export interface ReportAction {
  type: string;
  status: "done" | "failed" | "skipped";
  detail: string;
  quarantineId?: string;
  objectId?: string;
}

/** One IOC that evaluated TRUE, with its evidence. */
export interface ReportDetection {
  iocId: string;
  iocFile: string;
  iocTitle: string;
  /** The ids of the IndicatorItems that were satisfied. */
  matchedItems: string[];
  objects: ReportObject[];
  actions: ReportAction[];
  /** Item ids evaluated through a mapping (an HX event term read as host state, Network/DNS, ...). */
  mappedItems?: string[];
  /** Matching objects beyond the evidence limit: counted, not listed. */
  omittedObjects?: number;
}

/** A problem that did not stop the scan: unreadable file, unsupported term, bad snapshot field. */
export interface ReportWarning {
  code: string;
  message: string;
  path?: string;
}

/** The whole report. */
export interface ScanReport {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  scanId: string;
  host: { hostname: string; os: string; root: string };
  /** Where the records came from: a live scan or a snapshot file. */
  source?: { kind: "live" } | { kind: "snapshot"; file: string; collectedAt: string };
  startedAt: string;
  finishedAt: string;
  iocs: ReportIoc[];
  detections: ReportDetection[];
  stats: Record<string, number>;
  /**
   * How complete the scan was: the documents collected, and those the IOCs needed but that were
   * not collected (their items were UNKNOWN), with why.
   */
  coverage?: { collected: string[]; notCollected: { document: string; reason: string }[] };
  /** How the scan ran when it was idle-only, CPU-limited or at lowered priority. */
  execution?: ScanExecution;
  /** The Critical Areas Scan run after detections (`--critical-areas`), when it ran. */
  criticalAreas?: CriticalAreasSection;
  warnings: ReportWarning[];
}

/** The conditions a scan ran under (`--idle-only`, `--max-cpu`, background priority). */
export interface ScanExecution {
  /** Idle-only: every idle source with its last reading, and how often the scan paused. */
  idleOnly?: { sources: { name: string; status: string }[]; pauses: number };
  /** The CPU limit and the share the scan measured, percent of one core. */
  maxCpu?: { percent: number; measuredShare: number };
  /** What lowering the priority did, one sentence each. */
  priority?: { cpu: string; io: string };
  /** How often the scan was resumed from a checkpoint. */
  resumed?: number;
}

/** The linked report section of a Critical Areas Scan. */
export interface CriticalAreasSection {
  startedAt: string;
  finishedAt: string;
  /** Every finding: IOC matches, antivirus hits and heuristics, by area. */
  findings: {
    area: string;
    kind: "ioc" | "antivirus" | "heuristic";
    name: string;
    objectId: string;
    document: string;
    detail: string;
    actionable: boolean;
  }[];
  /** IOC detections in the critical areas, with the same actions as the main scan's. */
  detections: ReportDetection[];
  areasScanned: { area: string; objects: number; files: number; filesOverLimit: number; note?: string }[];
  antivirus: { engine: string; detail: string; scanned: number };
  warnings: ReportWarning[];
  stats: Record<string, number>;
}
