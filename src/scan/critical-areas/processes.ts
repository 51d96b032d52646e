/**
 * The running-processes area: each process's executable (read through /proc/PID/exe, so a
 * deleted-but-running one is still checked byte for byte), its mapped files, and the heuristics
 * `deleted-running-executable`, `executable-in-tmp` and `process-name-mismatch`.
 *
 * /proc is read as bytes: the link /proc/PID/exe, the command name in /proc/PID/stat and the
 * paths in /proc/PID/maps are held in memory form (src/shared/path-text.ts), so a program whose
 * file name is not UTF-8 is opened by its exact bytes and named in text form (`\xHH`) in
 * findings.
 *
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import { posix } from "node:path";
import { memoryText, readlinkMemory, realpathMemory } from "../../shared/fs-path.js";
import { pathBytes, pathText } from "../../shared/path-text.js";
import type { AreaContext } from "./area-context.js";
import { addFile } from "./host-files.js";

const AREA = "processes" as const;
/** PF_KTHREAD in the flags field of /proc/PID/stat. */
const PF_KTHREAD = 0x00200000;
/** The kernel keeps 15 characters of a command name (TASK_COMM_LEN 16 with the NUL). */
const COMM_MAX = 15;
const DELETED = " (deleted)";
/** Mapped files of one process checked at most (shared libraries repeat across processes anyway). */
const MAPS_PER_PROCESS = 256;

/**
 * Programs that run other programs: a script's process is named after the script, its exe is
 * the interpreter; a multi-call binary is named after the applet.
 */
const INTERPRETER =
  /^(python[0-9.]*m?|pypy[0-9.]*|perl[0-9.]*|ruby[0-9.]*|node(js)?|bun|deno|bash|sh|dash|zsh|ksh(93)?|mksh|fish|tcsh|csh|busybox|toybox|java|php[-0-9.a-z]*|lua(jit)?[0-9.]*|tclsh[0-9.]*|wish[0-9.]*|[gm]?awk|env|ld-linux.*|ld-musl.*|ld\.so|qemu-.*|valgrind.*|mono|dotnet|wine.*|Xwayland|electron)$/;
const TMP_DIRS = ["/tmp/", "/var/tmp/", "/dev/shm/"];
/** Where a program's other names (symlinks such as `vi` → `vim.basic`, `sh` → `dash`) live. */
const BIN_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/etc/alternatives"];

/** The parts of /proc/PID/stat this area uses. */
export interface StatFields {
  readonly comm: string;
  readonly ppid: number;
  readonly flags: number;
}

/** Parses /proc/PID/stat (the name is in parentheses and may hold spaces and `)`). */
export function parseStatFields(text: string): StatFields | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  // After ")": field 3 (state) is rest[0]; ppid is field 4, flags field 9.
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const ppid = Number(rest[1]);
  const flags = Number(rest[6]);
  if (!Number.isInteger(ppid) || !Number.isFinite(flags)) return undefined;
  return { comm: text.slice(open + 1, close), ppid, flags };
}

/**
 * Whether `comm` is a plausible name for a process running `exePath` (both in memory form): the
 * executable's file name (or the first 15 bytes of a longer one: the kernel cuts bytes, even
 * inside a UTF-8 character), an interpreter or multi-call binary running something else, or
 * systemd's `(unit)` names while it spawns. `isAlias` says whether a program of that name
 * elsewhere is the same executable (`vi` → `vim.basic`).
 */
export async function nameAgrees(comm: string, exePath: string, isAlias: (name: string) => Promise<boolean>): Promise<boolean> {
  const base = posix.basename(exePath.endsWith(DELETED) ? exePath.slice(0, -DELETED.length) : exePath);
  if (comm === base) return true;
  if (cutName(comm, base)) return true;
  if (INTERPRETER.test(base)) return true;
  if (base === "systemd" && /^\(.*\)?$/.test(comm)) return true;
  return isAlias(comm);
}

/** Whether `comm` is the first {@link COMM_MAX} bytes of the longer name `base`. */
function cutName(comm: string, base: string): boolean {
  // 15 bytes are at most 15 UTF-16 code units: longer is never a cut name.
  if (comm.length > COMM_MAX) return false;
  const cut = pathBytes(comm);
  return cut.length === COMM_MAX && Buffer.from(pathBytes(base)).subarray(0, COMM_MAX).equals(cut);
}

/** Scans the processes of the live host. */
export async function scanProcesses(ctx: AreaContext, options: { readonly executableInTmp: boolean }): Promise<void> {
  if (!ctx.host.live) {
    ctx.area(AREA).note = `live only: not available for an image under ${ctx.host.root}`;
    return;
  }
  let pids: number[];
  try {
    pids = (await readdir(ctx.host.toDisk("/proc"))).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  } catch (error) {
    ctx.area(AREA).note = `cannot list /proc: ${error instanceof Error ? error.message : String(error)}`;
    return;
  }
  const seenMaps = new Set<string>();
  const aliasCache = new Map<string, Promise<boolean>>();
  let unreadable = 0;
  for (const pid of pids) {
    if (ctx.stopped()) break;
    const proc = ctx.host.toDisk(`/proc/${pid}`);
    const stat = parseStatFields(await readFile(`${proc}/stat`).then(memoryText, () => ""));
    if (stat === undefined) continue; // exited meanwhile
    if ((stat.flags & PF_KTHREAD) !== 0 || pid === 2 || stat.ppid === 2) {
      ctx.count("kernelThreads");
      continue;
    }
    ctx.sawObjects(AREA);
    ctx.count("processesSeen");
    let exe: string;
    try {
      exe = await readlinkMemory(`${proc}/exe`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "EPERM") unreadable++;
      continue; // ENOENT: a zombie or gone
    }
    const deleted = exe.endsWith(DELETED);
    const former = deleted ? exe.slice(0, -DELETED.length) : exe;
    // In text form, like every path below: findings are written out.
    const who = `pid ${pid} (${pathText(stat.comm)})`;
    const formerText = pathText(former);
    if (deleted) {
      ctx.addObject({ area: AREA, id: `/proc/${pid}/exe`, fullPath: former, source: { kind: "open", disk: `${proc}/exe` }, reason: `deleted executable of ${who}` });
      const fileless = former.startsWith("/memfd:");
      ctx.flag({
        area: AREA,
        name: "deleted-running-executable",
        objectId: String(pid),
        document: "ProcessItem",
        detail: fileless
          ? `${who} runs from an anonymous memory file "${formerText}": a fileless executable (container runtimes such as runc also re-execute themselves this way)`
          : `${who} runs "${formerText}", which was deleted from disk after it started (malware hiding, or a program replaced by an update and not restarted)`,
      });
    } else {
      await addFile(ctx, AREA, exe, `executable of ${who}`);
    }
    if (options.executableInTmp && TMP_DIRS.some((dir) => former.startsWith(dir))) {
      ctx.flag({ area: AREA, name: "executable-in-tmp", objectId: String(pid), document: "ProcessItem", detail: `${who} runs "${formerText}" from a world-writable temporary folder` });
    }
    const isAlias = (name: string): Promise<boolean> => {
      const key = `${name}\0${former}`;
      let cached = aliasCache.get(key);
      if (cached === undefined) {
        cached = isProgramAlias(name, former);
        aliasCache.set(key, cached);
      }
      return cached;
    };
    if (!former.startsWith("/memfd:") && !(await nameAgrees(stat.comm, exe, isAlias))) {
      ctx.flag({
        area: AREA,
        name: "process-name-mismatch",
        objectId: String(pid),
        document: "ProcessItem",
        detail: `pid ${pid} is named "${pathText(stat.comm)}" but runs "${formerText}" (a process disguised under another program's name, e.g. a kernel thread's)`,
      });
    }
    await addMappedFiles(ctx, pid, proc, who, seenMaps);
  }
  if (unreadable > 0) {
    ctx.warn({ code: "permission-denied", message: `processes: the executables of ${unreadable} processes could not be read (run as root to cover them)` });
  }
}

/** Whether a program named `name` in the usual bin folders is the executable `exe` itself (both in memory form). */
async function isProgramAlias(name: string, exe: string): Promise<boolean> {
  if (name.includes("/")) return false;
  for (const dir of BIN_DIRS) {
    const real = await realpathMemory(`${dir}/${name}`).catch(() => undefined);
    if (real === exe) return true;
  }
  return false;
}

/** The file-backed mappings of a process: present files by path, deleted ones through map_files. */
async function addMappedFiles(ctx: AreaContext, pid: number, proc: string, who: string, seen: Set<string>): Promise<void> {
  const maps = await readFile(`${proc}/maps`).then(memoryText, () => "");
  let taken = 0;
  for (const line of maps.split("\n")) {
    // start-end perms offset dev inode path; the path may hold spaces.
    const m = /^([0-9a-f]+-[0-9a-f]+)\s+\S+\s+\S+\s+(\S+)\s+(\d+)\s+(\/.*)$/.exec(line);
    if (m === null) continue;
    const [, range = "", dev = "", inode = "0", path = ""] = m;
    if (inode === "0") continue;
    const key = `${dev}:${inode}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (++taken > MAPS_PER_PROCESS) break;
    if (path.endsWith(DELETED)) {
      const former = path.slice(0, -DELETED.length);
      ctx.addObject({ area: AREA, id: `/proc/${pid}/map_files/${range}`, fullPath: former, source: { kind: "open", disk: `${proc}/map_files/${range}` }, reason: `deleted file mapped by ${who}` });
    } else {
      await addFile(ctx, AREA, path, `mapped by ${who}`);
    }
  }
}
