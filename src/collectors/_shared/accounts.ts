/**
 * /etc/passwd and /etc/group of the host view, parsed once per collector run. Shared by the user
 * and group collectors and by the process collector (uid → user name).
 *
 * @module
 */
import type { CollectorContext } from "../types.js";
import { linesOf, readHostText } from "./read.js";

/** One /etc/passwd line. */
export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  /** The GECOS field (full name, office, phones, separated by commas). */
  readonly gecos: string;
  readonly home: string;
  readonly shell: string;
}

/** One /etc/group line. */
export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  /** Supplementary members as listed (primary members are only in /etc/passwd). */
  readonly members: readonly string[];
}

/** Lines that are account entries: not blank, not comments, not NIS `+`/`-` include lines. */
function entryLines(text: string): string[][] {
  return linesOf(text)
    .filter((line) => line.trim() !== "" && !line.startsWith("#") && !line.startsWith("+") && !line.startsWith("-"))
    .map((line) => line.split(":"));
}

function toId(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** Parses /etc/passwd text; malformed lines are skipped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const [name = "", , uidText, gidText, gecos = "", home = "", shell = ""] of entryLines(text)) {
    const uid = toId(uidText);
    const gid = toId(gidText);
    if (name === "" || uid === undefined || gid === undefined) continue;
    out.push({ name, uid, gid, gecos, home, shell });
  }
  return out;
}

/** Parses /etc/group text; malformed lines are skipped. */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const [name = "", , gidText, memberText = ""] of entryLines(text)) {
    const gid = toId(gidText);
    if (name === "" || gid === undefined) continue;
    out.push({ name, gid, members: memberText.split(",").map((m) => m.trim()).filter((m) => m !== "") });
  }
  return out;
}

/** The host's accounts; empty lists when the files are missing (a warning when unreadable). */
export async function readAccounts(context: CollectorContext): Promise<{ users: PasswdEntry[]; groups: GroupEntry[] }> {
  const [passwd, group] = await Promise.all([readHostText(context, "/etc/passwd"), readHostText(context, "/etc/group")]);
  return { users: passwd === undefined ? [] : parsePasswd(passwd), groups: group === undefined ? [] : parseGroup(group) };
}

/** uid → user name of the host view; the first entry wins, as getpwuid does. */
export async function readUserNames(context: CollectorContext): Promise<ReadonlyMap<number, string>> {
  const text = await readHostText(context, "/etc/passwd");
  const names = new Map<number, string>();
  for (const entry of text === undefined ? [] : parsePasswd(text)) if (!names.has(entry.uid)) names.set(entry.uid, entry.name);
  return names;
}
