/**
 * systemd unit-file syntax (systemd.syntax(7)) reduced to what ServiceItem needs: Description,
 * the ExecStart lines, and whether there is an [Install] section. Drop-ins are applied on top.
 *
 * @module
 */

/** What one unit file (or drop-in) says. */
export interface UnitSettings {
  description?: string;
  /** The ExecStart values in order; an empty `ExecStart=` in a drop-in clears earlier ones. */
  execStart: string[];
  hasInstall: boolean;
}

/** A fresh, empty setting set. */
export function emptySettings(): UnitSettings {
  return { execStart: [], hasInstall: false };
}

/** Logical lines: a trailing backslash joins the next line (comments inside are dropped). */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (pending !== undefined && (line.startsWith("#") || line.startsWith(";"))) continue;
    const joined = pending === undefined ? line : `${pending} ${line}`;
    if (joined.endsWith("\\")) {
      pending = joined.slice(0, -1).trimEnd();
      continue;
    }
    pending = undefined;
    out.push(joined);
  }
  if (pending !== undefined) out.push(pending);
  return out;
}

/** Applies the settings of `text` (a unit file or a drop-in) on top of `into`. */
export function applyUnitText(into: UnitSettings, text: string): void {
  let section = "";
  for (const line of logicalLines(text)) {
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1] !== undefined) {
      section = header[1];
      if (section === "Install") into.hasInstall = true;
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (section === "Unit" && key === "Description") into.description = value;
    if (section === "Service" && key === "ExecStart") {
      if (value === "") into.execStart = [];
      else into.execStart.push(value);
    }
  }
}

/**
 * An ExecStart value → the program and its arguments. Leading special prefixes (`-@:+!`) are
 * dropped; with `@` the second word is argv[0], not an argument.
 */
export function splitExecStart(value: string): { path: string; arguments?: string } | undefined {
  const prefix = /^[-@:+!]*/.exec(value)?.[0] ?? "";
  const words = value.slice(prefix.length).trim();
  const m = /^("([^"]*)"|\S+)\s*(.*)$/.exec(words);
  if (m === null) return undefined;
  const path = m[2] ?? m[1] ?? "";
  let rest = m[3] ?? "";
  if (prefix.includes("@")) rest = rest.replace(/^\S+\s*/, "");
  return rest === "" ? { path } : { path, arguments: rest };
}
