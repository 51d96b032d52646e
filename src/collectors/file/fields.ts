/**
 * The FileItem fields that come from the path and from one lstat, in the formats OpenIOC and
 * MIR audits use.
 *
 * @module
 */
import type { BigIntStats } from "node:fs";
import type { FieldValue } from "../../core/compile/index.js";

/** A record's fields while it is being built. */
export type FieldMap = Record<string, FieldValue>;

/** Fields known from the host path alone (the prefilter's cheapest input). */
export function pathFields(hostPath: string): FieldMap {
  const slash = hostPath.lastIndexOf("/");
  const name = hostPath.slice(slash + 1);
  // OpenIOC's FilePath is the folder without leading or trailing separators: /usr/bin/ls → usr/bin.
  const folder = hostPath.slice(0, Math.max(slash, 0)).replace(/^\/+|\/+$/g, "");
  const fields: FieldMap = { FullPath: hostPath, FilePath: folder, FileName: name };
  const extension = extensionOf(name);
  if (extension !== undefined) fields["FileExtension"] = extension;
  return fields;
}

/**
 * The text after the last dot, without the dot. A leading dot makes a hidden file, not an
 * extension (`.bashrc` has none, as for `ls` and Node's `extname`); a trailing dot gives none.
 */
export function extensionOf(name: string): string | undefined {
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || dot === name.length - 1) return undefined;
  return name.slice(dot + 1);
}

/** `rwxr-xr-x` as `ls -l` prints it without the type letter, with s/S, t/T for the special bits. */
export function permissionString(mode: number): string {
  const bit = (mask: number, letter: string): string => (mode & mask ? letter : "-");
  const exec = (x: number, special: number, on: string): string => {
    if (mode & special) return mode & x ? on : on.toUpperCase();
    return mode & x ? "x" : "-";
  };
  return (
    bit(0o400, "r") + bit(0o200, "w") + exec(0o100, 0o4000, "s") +
    bit(0o040, "r") + bit(0o020, "w") + exec(0o010, 0o2000, "s") +
    bit(0o004, "r") + bit(0o002, "w") + exec(0o001, 0o1000, "t")
  );
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
export function statFields(stat: BigIntStats, wanted: ReadonlySet<string>, owners: OwnerNames | undefined, into: FieldMap): void {
  if (wanted.has("Created") && stat.birthtimeNs !== 0n) into["Created"] = isoFromNs(stat.birthtimeNs);
  if (wanted.has("Modified")) into["Modified"] = isoFromNs(stat.mtimeNs);
  if (wanted.has("Accessed")) into["Accessed"] = isoFromNs(stat.atimeNs);
  if (wanted.has("Changed")) into["Changed"] = isoFromNs(stat.ctimeNs);
  if (wanted.has("Permissions")) into["Permissions"] = permissionString(Number(stat.mode));
  if (owners !== undefined) {
    if (wanted.has("Username")) into["Username"] = owners.user(Number(stat.uid));
    if (wanted.has("Group")) into["Group"] = owners.group(Number(stat.gid));
  }
}

/** The stat-derived field names, to know whether an owner table must be loaded at all. */
export const STAT_FIELDS: readonly string[] = ["Created", "Modified", "Accessed", "Changed", "Permissions", "Username", "Group"];
