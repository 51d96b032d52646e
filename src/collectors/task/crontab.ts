/**
 * crontab(5) lines → TaskItem fields. System crontabs (/etc/crontab, /etc/cron.d/*) carry a user
 * column; user crontabs (/var/spool/cron/crontabs/USER) do not, the file name is the user.
 *
 * @module
 */
import type { DraftFields } from "../_shared/record.js";

/** The five time fields of the `@` nicknames; `@reboot` has none (it runs at start-up). */
const NICKNAMES: Readonly<Record<string, readonly string[] | null>> = {
  "@reboot": null,
  "@yearly": ["0", "0", "1", "1", "*"],
  "@annually": ["0", "0", "1", "1", "*"],
  "@monthly": ["0", "0", "1", "*", "*"],
  "@weekly": ["0", "0", "*", "*", "0"],
  "@daily": ["0", "0", "*", "*", "*"],
  "@midnight": ["0", "0", "*", "*", "*"],
  "@hourly": ["0", "*", "*", "*", "*"],
};

const TIME_KEYS = ["crontabMinute", "crontabHour", "crontabDayOfMonth", "crontabMonth", "crontabDayOfWeek"] as const;

/** How to read one crontab file. */
export interface CrontabSource {
  /** The host path, reported as crontabPath and used for the task name. */
  readonly path: string;
  /** Set for user crontabs (the owner); undefined for system crontabs, whose lines name the user. */
  readonly user?: string;
}

/** Splits off `count` blank-separated words; the rest of the line (spacing kept) is last. */
function words(line: string, count: number): string[] | undefined {
  const out: string[] = [];
  let rest = line.trimStart();
  for (let i = 0; i < count; i++) {
    const m = /^(\S+)\s+/.exec(rest);
    if (m?.[1] === undefined) return undefined;
    out.push(m[1]);
    rest = rest.slice(m[0].length);
  }
  return rest === "" ? undefined : [...out, rest];
}

/** The tasks of one crontab; environment settings, comments and malformed lines are skipped. */
export function parseCrontab(text: string, source: CrontabSource): DraftFields[] {
  const out: DraftFields[] = [];
  const name = source.path.slice(source.path.lastIndexOf("/") + 1);
  const userColumns = source.user === undefined ? 1 : 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || /^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line)) return;
    let times: readonly string[] | null;
    let parts: string[] | undefined;
    if (line.startsWith("@")) {
      parts = words(line, 1 + userColumns);
      const nickname = parts?.[0]?.toLowerCase() ?? "";
      if (!(nickname in NICKNAMES)) return;
      times = NICKNAMES[nickname] ?? null;
      parts = parts?.slice(1);
    } else {
      parts = words(line, 5 + userColumns);
      times = parts?.slice(0, 5) ?? null;
      parts = parts?.slice(5);
    }
    if (parts === undefined) return;
    const user = source.user ?? parts[0];
    const command = parts.at(-1);
    const fields: DraftFields = {
      // Unique within the file, stable while the file is unchanged.
      Name: `${name}:${index + 1}`,
      crontabCommand: command,
      crontabPath: source.path,
      userName: user,
    };
    if (times !== null) TIME_KEYS.forEach((key, i) => (fields[key] = times[i]));
    out.push(fields);
  });
  return out;
}
