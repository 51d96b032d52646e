/**
 * The FileItem fields that come from the path and from one lstat, in the formats OpenIOC and
 * MIR audits use.
 *
 * @module
 */
import type { FieldValue } from "../../core/compile/index.js";
import { needsBytes, pathText } from "../../shared/path-text.js";
import type { FileStat } from "./file-workers.js";

/** A record's fields while it is being built. */
export type FieldMap = Record<string, FieldValue>;

/**
 * Fields known from the host path alone (the prefilter's cheapest input). `hostPath` is in memory
 * form; each field holds the text form of its part (src/shared/path-text.ts), which IOC
 * terms match: `/t/bad<FF>.exe` has FileName `bad\xFF.exe` and FileExtension `exe`.
 */
export function pathFields(hostPath: string): FieldMap {
  // The same strings as ever for a path without a backslash or a byte that is not UTF-8.
  if (needsBytes(hostPath) || hostPath.indexOf("\\") >= 0) return textFields(pathFieldsAsIs(hostPath));
  return pathFieldsAsIs(hostPath);
}

function textFields(fields: FieldMap): FieldMap {
  for (const key in fields) fields[key] = pathText(fields[key] as string);
  return fields;
}

function pathFieldsAsIs(hostPath: string): FieldMap {
  const slash = hostPath.lastIndexOf("/");
  const name = hostPath.slice(slash + 1);
  // OpenIOC's FilePath is the folder without leading or trailing separators: /usr/bin/ls → usr/bin.
  const folder = trimSlashes(hostPath, 0, Math.max(slash, 0));
  const fields: FieldMap = { FullPath: hostPath, FilePath: folder, FileName: name };
  const extension = extensionOf(name);
  if (extension !== undefined) fields["FileExtension"] = extension;
  return fields;
}

/** `text.slice(start, end)` less its leading and trailing "/" (no RegExp: this runs per file). */
function trimSlashes(text: string, start: number, end: number): string {
  while (start < end && text.charCodeAt(start) === SLASH) start++;
  while (end > start && text.charCodeAt(end - 1) === SLASH) end--;
  return text.slice(start, end);
}

const SLASH = 0x2f;

/**
 * The text after the last dot, without the dot. A leading dot makes a hidden file, not an
 * extension (`.bashrc` has none, as for `ls` and Node's `extname`); a trailing dot gives none.
 */
export function extensionOf(name: string): string | undefined {
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || dot === name.length - 1) return undefined;
  return name.slice(dot + 1);
}

/**
 * The permission bits as `stat -c %a` and `chmod` write them, read as a decimal number: 755 for
 * rwxr-xr-x, 4755 with setuid, 1777 for /tmp. The vocabulary types FileItem/Permissions as
 * `int`, so a symbolic `rwxr-xr-x` could never equal an IOC's `755`; this form can, and ranges
 * and `contains` on its text still read naturally.
 */
export function permissionNumber(mode: number): number {
  return Number((mode & 0o7777).toString(8));
}

/**
 * ISO 8601 UTC at millisecond precision, `.fff` only when not zero, as MIR audits write times
 * and as the vocabulary's date parser reads them (finer digits would be truncated there anyway).
 */
export function isoFromNs(ns: bigint): string {
  const ms = ns >= 0n ? ns / 1_000_000n : -((-ns + 999_999n) / 1_000_000n);
  const iso = new Date(Number(ms)).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}

/** Owner names of the scanned host (not of this machine when scanning an image). */
export interface OwnerNames {
  user(uid: number): string;
  group(gid: number): string;
}

/**
 * The stat-derived fields among `wanted`. Created is absent when the file system records no
 * birth time (statx then reports 0).
 */
export function statFields(stat: FileStat, wanted: ReadonlySet<string>, owners: OwnerNames | undefined, into: FieldMap): void {
  if (wanted.has("Created") && stat.birthtimeNs !== 0n) into["Created"] = isoFromNs(stat.birthtimeNs);
  if (wanted.has("Modified")) into["Modified"] = isoFromNs(stat.mtimeNs);
  if (wanted.has("Accessed")) into["Accessed"] = isoFromNs(stat.atimeNs);
  if (wanted.has("Changed")) into["Changed"] = isoFromNs(stat.ctimeNs);
  if (wanted.has("Permissions")) into["Permissions"] = permissionNumber(Number(stat.mode));
  if (owners !== undefined) {
    if (wanted.has("Username")) into["Username"] = owners.user(Number(stat.uid));
    if (wanted.has("Group")) into["Group"] = owners.group(Number(stat.gid));
  }
}
