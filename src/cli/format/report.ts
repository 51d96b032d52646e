/**
 * Output of `iocscan scan`: text for a person, JSON (the report contract), NDJSON (one event per
 * line, summary last) and CSV (one row per detected object).
 *
 * @module
 */
import type { ScanReport } from "../../core/report/index.js";
import { csvCell } from "../../shared/csv-cell.js";
import { escapeForTerminal, quoteForTerminal } from "../../shared/terminal-text.js";

/** The output formats of `iocscan scan`. */
export type ReportFormat = "text" | "json" | "ndjson" | "csv";

/** Formats a finished report. */
export function formatReport(report: ScanReport, format: ReportFormat): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "ndjson":
      return formatNdjson(report);
    case "csv":
      return formatCsv(report);
    case "text":
      return formatText(report);
  }
}

function formatNdjson(report: ScanReport): string {
  const { detections, ...summary } = report;
  const lines = detections.map((detection) => JSON.stringify({ type: "detection", ...detection }));
  lines.push(JSON.stringify({ type: "summary", ...summary, detections: detections.length }));
  return `${lines.join("\n")}\n`;
}

const CSV_COLUMNS = ["iocId", "iocTitle", "iocFile", "document", "objectId", "actionable", "matchedItems", "fields", "actions"];

function formatCsv(report: ScanReport): string {
  const rows = [CSV_COLUMNS.join(",")];
  for (const d of report.detections) {
    for (const object of d.objects) {
      const actions = d.actions.filter((a) => a.objectId === undefined || a.objectId === object.id);
      rows.push(
        [
          d.iocId,
          d.iocTitle,
          d.iocFile,
          object.document,
          object.id,
          String(object.actionable),
          d.matchedItems.join(" "),
          JSON.stringify(object.fields),
          actions.map((a) => `${a.type}:${a.status}`).join(" "),
        ]
          .map(csvCell)
          .join(","),
      );
    }
  }
  return `${rows.join("\r\n")}\r\n`;
}

function formatCriticalAreas(section: NonNullable<ScanReport["criticalAreas"]>): string[] {
  const lines = ["", `Critical Areas Scan (antivirus: ${section.antivirus.engine}, ${section.antivirus.detail})`];
  for (const area of section.areasScanned) {
    lines.push(`  ${area.area}: ${area.objects} objects, ${area.files} files${area.note ? ` (${area.note})` : ""}`);
  }
  if (section.findings.length === 0) lines.push("  nothing found");
  for (const f of section.findings) {
    lines.push(`  FOUND ${f.kind} ${quoteForTerminal(f.name)} in ${f.area}: ${f.document} ${quoteForTerminal(f.objectId)}${f.detail ? ` (${f.detail})` : ""}`);
  }
  for (const d of section.detections) {
    for (const action of d.actions) lines.push(`  action ${action.type} on ${quoteForTerminal(action.objectId ?? "")}: ${action.status}${action.detail ? ` (${action.detail})` : ""}`);
  }
  return lines;
}

/**
 * Text for a person. Every name from the host, the IOC files or a snapshot (paths, titles, ids) is
 * quoted by {@link quoteForTerminal} when it holds a control character; each line is then escaped
 * as a whole, so a message or detail that embeds such a name cannot reach the terminal raw either.
 */
function formatText(report: ScanReport): string {
  const lines: string[] = [];
  const source = report.source?.kind === "snapshot" ? `snapshot ${quoteForTerminal(report.source.file)} (collected ${quoteForTerminal(report.source.collectedAt)})` : `root ${quoteForTerminal(report.host.root)}`;
  lines.push(`iocscan scan ${quoteForTerminal(report.scanId)} of ${report.host.hostname ? quoteForTerminal(report.host.hostname) : "unknown host"}, ${source}`);
  const items = report.iocs.reduce((n, i) => n + i.items, 0);
  const supported = report.iocs.reduce((n, i) => n + i.supportedItems, 0);
  lines.push(`${report.iocs.length} IOC${report.iocs.length === 1 ? "" : "s"}, ${supported} of ${items} items evaluable`);
  lines.push("");
  if (report.detections.length === 0) lines.push("No IOC matched.");
  for (const d of report.detections) {
    lines.push(`DETECTED  ${quoteForTerminal(d.iocTitle || d.iocId)}  (${quoteForTerminal(d.iocId)}, ${quoteForTerminal(d.iocFile)})`);
    lines.push(`  matched items: ${d.matchedItems.map(quoteForTerminal).join(", ")}`);
    for (const object of d.objects) {
      lines.push(`  ${object.document} ${quoteForTerminal(object.id)}${object.actionable ? "" : "  [not actionable: bound only through negated items]"}`);
      for (const [field, value] of Object.entries(object.fields)) lines.push(`      ${quoteForTerminal(field)} = ${JSON.stringify(value)}`);
    }
    for (const action of d.actions) {
      lines.push(`  action ${action.type}: ${action.status}${action.detail ? ` (${action.detail})` : ""}`);
    }
  }
  if (report.criticalAreas) lines.push(...formatCriticalAreas(report.criticalAreas));
  if (report.warnings.length > 0) {
    lines.push("", `${report.warnings.length} warning${report.warnings.length === 1 ? "" : "s"}:`);
    for (const w of report.warnings) lines.push(`  ${w.code}${w.path ? ` ${quoteForTerminal(w.path)}` : ""}: ${w.message}`);
  }
  const stats = Object.entries(report.stats).map(([k, v]) => `${k} ${v}`).join(", ");
  lines.push("", `${report.detections.length} detection${report.detections.length === 1 ? "" : "s"}${stats ? `; ${stats}` : ""}`);
  return `${lines.map(escapeForTerminal).join("\n")}\n`;
}
