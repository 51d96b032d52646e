/**
 * The parts of SystemInfoItem that live in files, so they read the same from an image: the OS
 * name (os-release), the host name (/etc/hostname) and the time zone (/etc/timezone or the
 * /etc/localtime link).
 *
 * @module
 */
import { readlink } from "node:fs/promises";
import { diskPathOf } from "../_shared/image-path.js";
import { readHostText } from "../_shared/read.js";
import type { CollectorContext } from "../types.js";

/** The fields of os-release(5) text, with quotes and backslash escapes removed. */
export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] === undefined || m[2] === undefined) continue;
    let value = m[2];
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) value = value.slice(1, -1);
    out.set(m[1], value.replace(/\\(.)/g, "$1"));
  }
  return out;
}

/** PRETTY_NAME (or NAME VERSION) from /etc/os-release, falling back to /usr/lib/os-release. */
export async function readOsName(context: CollectorContext): Promise<string | undefined> {
  const text = (await readHostText(context, "/etc/os-release")) ?? (await readHostText(context, "/usr/lib/os-release"));
  if (text === undefined) return undefined;
  const fields = parseOsRelease(text);
  const pretty = fields.get("PRETTY_NAME");
  if (pretty !== undefined && pretty !== "") return pretty;
  const name = [fields.get("NAME"), fields.get("VERSION")].filter((v) => v !== undefined && v !== "").join(" ");
  return name === "" ? undefined : name;
}

/** The first line of /etc/hostname. */
export async function readHostnameFile(context: CollectorContext): Promise<string | undefined> {
  const name = (await readHostText(context, "/etc/hostname"))?.split("\n")[0]?.trim();
  return name === undefined || name === "" ? undefined : name;
}

/** The IANA zone: /etc/timezone (Debian), else the zoneinfo path /etc/localtime links to. */
export async function readTimezone(context: CollectorContext): Promise<string | undefined> {
  const named = (await readHostText(context, "/etc/timezone"))?.trim();
  if (named !== undefined && named !== "") return named;
  const target = await diskPathOf(context.host, "/etc/localtime", { keepLast: true })
    .then((disk) => readlink(disk))
    .catch(() => undefined);
  const m = target === undefined ? null : /zoneinfo\/(.+)$/.exec(target);
  return m?.[1];
}
