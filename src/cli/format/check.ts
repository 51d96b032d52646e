/**
 * Output of `iocscan ioc check`: a line per file, its diagnostics, a summary; or JSON.
 *
 * @module
 */
import { relative } from "node:path";
import type { Diagnostic } from "../../core/ioc/index.js";
import type { LoadedIoc } from "../../scan/load-iocs.js";
import { escapeForTerminal, quoteForTerminal } from "../../shared/terminal-text.js";

/** The JSON shape of one checked file (the `--json` contract). */
export interface CheckedFileJson {
  file: string;
  ok: boolean;
  duplicate: boolean;
  openiocVersion: string | null;
  id: string | null;
  title: string | null;
  items: number;
  supportedItems: number;
  diagnostics: Pick<Diagnostic, "code" | "severity" | "message" | "line" | "column">[];
}

/** `--json`: an array with one object per file. */
export function formatCheckJson(files: readonly LoadedIoc[]): string {
  const json: CheckedFileJson[] = files.map((f) => ({
    file: f.file,
    ok: f.ok,
    duplicate: f.duplicate,
    openiocVersion: f.openiocVersion ?? null,
    id: f.id ?? null,
    title: f.title ?? null,
    items: f.items,
    supportedItems: f.supportedItems,
    diagnostics: f.diagnostics.map(({ code, severity, message, line, column }) => ({ code, severity, message, line, column })),
  }));
  return `${JSON.stringify(json, null, 2)}\n`;
}

/**
 * Text for a person: one line per file, its diagnostics indented below it, then a summary. File
 * names and ids are quoted by {@link quoteForTerminal} when they hold a control character, and
 * every line is escaped, so neither they nor a title or message can reach the terminal raw.
 */
export function formatCheckText(files: readonly LoadedIoc[], options: { verbose: boolean; platform: string }): string {
  const lines: string[] = [];
  const counts = { error: 0, warning: 0, info: 0 };
  for (const file of files) {
    const name = quoteForTerminal(displayPath(file.file));
    const status = !file.ok ? "FAIL" : file.duplicate ? "DUP " : "OK  ";
    const version = file.openiocVersion ?? "-  ";
    const what = file.openiocVersion
      ? `${JSON.stringify(file.title ?? "")} (${file.id ? quoteForTerminal(file.id) : "no id"}), ${file.items} items, ${file.supportedItems} evaluable on ${options.platform}`
      : "";
    lines.push(`${status} ${version} ${name}${what ? `  ${what}` : ""}`);
    for (const d of file.diagnostics) {
      counts[d.severity]++;
      if (d.severity === "info" && !options.verbose) continue;
      const where = d.line > 0 ? `${name}:${d.line}:${d.column}` : name;
      lines.push(`    ${where}: ${d.severity} ${d.code}: ${d.message}`);
    }
  }
  const usable = files.filter((f) => f.ok).length;
  const items = files.reduce((n, f) => n + f.items, 0);
  const supported = files.reduce((n, f) => n + f.supportedItems, 0);
  const hidden = options.verbose || counts.info === 0 ? "" : " (use --verbose to show info)";
  lines.push(
    "",
    `${files.length} file${files.length === 1 ? "" : "s"}: ${usable} usable, ${files.length - usable} unusable; ` +
      `${items} items, ${supported} evaluable on ${options.platform}; ` +
      `${counts.error} errors, ${counts.warning} warnings, ${counts.info} info${hidden}`,
  );
  return `${lines.map(escapeForTerminal).join("\n")}\n`;
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") ? rel : file;
}
