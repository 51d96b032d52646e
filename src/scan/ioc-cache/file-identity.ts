/**
 * What identifies one version of a file without reading it: its path, device, inode, size and
 * modification and change times in nanoseconds. The IOC cache remembers the content digest of
 * each IOC file under its identity, so a scan whose IOC files have not changed neither reads
 * nor hashes them (a million SHA-256 items are 270 MB of XML: about 0.25 s of SHA-256 alone).
 *
 * A write changes the modification time, and anything else that changes the file (a rename over
 * it, chmod, utimes) its change time, which no user can set back. A file changed twice within
 * one tick of a coarse clock could keep both times, so only a file left alone for a while is
 * remembered ({@link isSettled}): a later change then shows in its times.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { BigIntStats } from "node:fs";
import { IOC_CACHE_FORMAT } from "./cache-key.js";

/** A file's identity: equal identities mean the same bytes (see the module). */
export type FileIdentity = string;

/** How long a file must have been left alone before its identity stands for its bytes. */
const SETTLED_MS = 2_000;

/** The identity of `path` as `info` (a stat with bigint fields) describes it: a hex digest, a safe file name. */
export function fileIdentity(path: string, info: BigIntStats): FileIdentity {
  const fields = [IOC_CACHE_FORMAT, path, info.dev, info.ino, info.size, info.mtimeNs, info.ctimeNs].map(String);
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}

/** True when neither time of the file is within {@link SETTLED_MS} of `nowMs` (nor after it). */
export function isSettled(info: BigIntStats, nowMs: number = Date.now()): boolean {
  const now = BigInt(Math.floor(nowMs)) * 1_000_000n;
  const margin = BigInt(SETTLED_MS) * 1_000_000n;
  return info.mtimeNs + margin < now && info.ctimeNs + margin < now;
}
