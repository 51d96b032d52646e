/**
 * Small readers of host files for the area scanners, all through the {@link HostView}: links are
 * resolved inside an image under `--root`, never on this machine. Host paths are in memory form
 * (src/shared/path-text.ts): names that are not UTF-8 are listed, resolved and opened by their
 * exact bytes (`fsPath`), and written in text form (`pathText`) wherever they are reported.
 *
 * @module
 */
import { lstat, readdir, readFile } from "node:fs/promises";
import { posix } from "node:path";
import { resolveHostPath } from "../../collectors/_shared/image-path.js";
import { fsPath, memoryText, realpathMemory } from "../../shared/fs-path.js";
import { pathText } from "../../shared/path-text.js";
import type { AreaContext } from "./area-context.js";
import type { CriticalArea } from "./types.js";

/** The real host path (memory form) of a regular file (links resolved), or undefined when there is none. */
export async function regularFile(ctx: AreaContext, hostPath: string): Promise<string | undefined> {
  try {
    const real = ctx.host.live ? await realpathMemory(hostPath) : await resolveHostPath(ctx.host, hostPath);
    const info = await lstat(fsPath(ctx.host.toDisk(real)));
    return info.isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

/** The entry names of a host folder in memory form, sorted; empty when it is absent or unreadable. */
export async function listDir(ctx: AreaContext, hostDir: string): Promise<string[]> {
  try {
    const real = ctx.host.live ? hostDir : await resolveHostPath(ctx.host, hostDir);
    return (await readdir(fsPath(ctx.host.toDisk(real)), { encoding: "buffer" })).map(memoryText).sort();
  } catch {
    return [];
  }
}

/**
 * The text of a host file (no links resolved), read as bytes and given in memory form: a UTF-8
 * file decodes as usual, and a path written in it that is not UTF-8 keeps its bytes. Rejects as
 * readFile does.
 */
export async function readMemoryText(ctx: AreaContext, hostPath: string): Promise<string> {
  return memoryText(await readFile(fsPath(ctx.host.toDisk(hostPath))));
}

/** Adds a host path (memory form) to an area when it is a regular file; true when it was added. `reason` is in text form. */
export async function addFile(ctx: AreaContext, area: CriticalArea, hostPath: string, reason: string): Promise<boolean> {
  const real = await regularFile(ctx, hostPath);
  if (real === undefined) return false;
  return ctx.addObject({ area, id: pathText(real), fullPath: real, source: { kind: "file" }, reason });
}

/** The regular files below a host folder (links not followed), depth-limited, at most `limit`. */
export async function filesBelow(ctx: AreaContext, hostDir: string, maxDepth: number, limit: number): Promise<string[]> {
  const out: string[] = [];
  const stack: [string, number][] = [[hostDir, 0]];
  for (let next = stack.pop(); next !== undefined && out.length < limit; next = stack.pop()) {
    const [dir, depth] = next;
    if (ctx.stopped()) break;
    for (const name of await listDir(ctx, dir)) {
      const path = posix.join(dir, name);
      const real = ctx.host.live ? path : await resolveHostPath(ctx.host, path, { keepLast: true }).catch(() => path);
      const info = await lstat(fsPath(ctx.host.toDisk(real))).catch(() => undefined);
      if (info?.isFile() === true) out.push(path);
      else if (info?.isDirectory() === true && depth + 1 <= maxDepth) stack.push([path, depth + 1]);
      if (out.length >= limit) break;
    }
  }
  return out.sort();
}

/** Words of a shell-ish command line (memory form) that may name a program: the first, and any absolute path. */
export function commandPaths(command: string): { first: string | undefined; absolute: string[] } {
  const words = command.match(/"[^"]*"|'[^']*'|[^\s;|&<>()`]+/g) ?? [];
  const clean = words.map((w) => w.replace(/^["']|["']$/g, "")).filter((w) => w !== "");
  // Environment assignments before the program (`FOO=1 /x/y`) are not the program.
  const first = clean.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  const absolute = clean.map((w) => w.replace(/^[A-Za-z_][A-Za-z0-9_]*=/, "")).filter((w) => w.startsWith("/") && !w.startsWith("/dev/") && !w.startsWith("/proc/"));
  return { first, absolute: [...new Set(absolute)].slice(0, 8) };
}

/** The host path of a program named on a command line: absolute as is, a bare name looked up in `path`. */
export async function findProgram(ctx: AreaContext, word: string, path: readonly string[]): Promise<string | undefined> {
  if (word.startsWith("/")) return regularFile(ctx, word);
  if (word.includes("/") || word === "") return undefined;
  for (const dir of path) {
    const found = await regularFile(ctx, posix.join(dir, word));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Adds the programs of a command line to an area: its first word (found in `path`) and absolute paths in it. */
export async function addCommand(ctx: AreaContext, area: CriticalArea, command: string, path: readonly string[], reason: string): Promise<void> {
  const { first, absolute } = commandPaths(command);
  const candidates = new Set<string>();
  if (first !== undefined) {
    const program = await findProgram(ctx, first, path);
    if (program !== undefined) candidates.add(program);
  }
  for (const word of absolute) candidates.add(word);
  for (const candidate of candidates) await addFile(ctx, area, candidate, reason);
}
