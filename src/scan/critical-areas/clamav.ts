/**
 * ClamAV over the area objects. clamd first, when a socket is configured and answers PING: each
 * object is streamed with the INSTREAM command, so clamd never needs to open our paths (a
 * deleted executable behind /proc/PID/exe, a disk's first sectors, files its user may not
 * read). Otherwise one `clamscan -d DATABASE --file-list` run for all objects. No engine, or a
 * database folder without signatures: a warning "antivirus engine not available", never a failure.
 *
 * Paths are in memory form (src/shared/path-text.ts). A path that is not UTF-8 is opened by its
 * bytes (`fsPath`) for clamd, and reaches clamscan as its bytes: the file list is written as
 * bytes, one path a line, clamscan opens each line as is and prints it back as is before ": ",
 * so its output is read as bytes too.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { access, constants, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fsPath, memoryText } from "../../shared/fs-path.js";
import { pathBytes, pathText } from "../../shared/path-text.js";
import type { AreaContext, AreaObject } from "./area-context.js";
import type { AntivirusStatus } from "./types.js";

/** This machine's clamd configuration (Debian's clamav-daemon). */
export const CLAMD_CONF = "/etc/clamav/clamd.conf";
export const DEFAULT_CLAMAV_DATABASE = "/var/lib/clamav";
/** File name endings of ClamAV signature databases (clamscan loads only these from a folder). */
const DB_FILE = /\.(cvd|cld|cud|hdb|hsb|hdu|hsu|mdb|msb|mdu|msu|ndb|ndu|ldb|ldu|cdb|cbc|idb|pdb|gdb|wdb|ftm|fp|sfp|ign|ign2|crb|cat|yar|yara|imp|pwdb)$/;
const CHUNK = 64 * 1024;
const PING_TIMEOUT_MS = 2000;
/** INSTREAM connections at once. */
const CLAMD_CONCURRENCY = 2;

/** One object the engine flagged. */
export interface AntivirusHit {
  readonly object: AreaObject;
  readonly signature: string;
}

/** The engine's verdicts on the objects, and which engine gave them. */
export interface AntivirusRun {
  readonly status: AntivirusStatus;
  readonly hits: AntivirusHit[];
}

/** Settings of the engine choice. */
export interface AntivirusSettings {
  readonly clamdSocket?: string | null;
  readonly clamavDatabase?: string;
  readonly clamscanPath?: string;
}

/** The `LocalSocket` of a clamd.conf text. */
export function localSocketOf(conf: string): string | undefined {
  return /^\s*LocalSocket\s+(\S+)\s*$/m.exec(conf)?.[1];
}

/** Sends one clamd command on a new connection and returns the reply up to its NUL. */
function clamdRequest(socket: string, timeoutMs: number, write: (conn: Socket) => Promise<void>): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = connect(socket);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => conn.destroy(new Error(`clamd did not answer within ${timeoutMs} ms`)), timeoutMs);
    conn.on("data", (chunk: Buffer) => chunks.push(chunk));
    conn.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    conn.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8").replace(/\0[\s\S]*$/, "").trim());
    });
    conn.on("connect", () => {
      write(conn).catch((error: unknown) => conn.destroy(error instanceof Error ? error : new Error(String(error))));
    });
  });
}

/** Writes respecting back-pressure. */
function send(conn: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (conn.destroyed) {
      reject(new Error("clamd closed the connection"));
      return;
    }
    if (conn.write(data)) resolve();
    else conn.once("drain", resolve);
  });
}

/** True when clamd answers PING on `socket`. */
export async function clamdAlive(socket: string): Promise<boolean> {
  try {
    return (await clamdRequest(socket, PING_TIMEOUT_MS, (conn) => send(conn, Buffer.from("zPING\0")))) === "PONG";
  } catch {
    return false;
  }
}

/** Streams `chunks` to clamd with INSTREAM; the reply (`stream: OK`, `stream: NAME FOUND`, `... ERROR`). */
export function clamdInstream(socket: string, chunks: AsyncIterable<Buffer> | Iterable<Buffer>, timeoutMs: number): Promise<string> {
  return clamdRequest(socket, timeoutMs, async (conn) => {
    await send(conn, Buffer.from("zINSTREAM\0"));
    for await (const chunk of chunks) {
      for (let at = 0; at < chunk.length; at += CHUNK) {
        const part = chunk.subarray(at, at + CHUNK);
        const size = Buffer.alloc(4);
        size.writeUInt32BE(part.length);
        await send(conn, Buffer.concat([size, part]));
      }
    }
    await send(conn, Buffer.alloc(4));
  });
}

/** The signature name of a clamd or clamscan verdict text (`NAME FOUND`), else undefined. */
export function foundName(verdict: string): string | undefined {
  return /^(.*) FOUND$/.exec(verdict.trim())?.[1]?.trim();
}

/** The path this machine opens for an object, in memory form (`fsPath` it for a system call). */
function diskOf(ctx: AreaContext, object: AreaObject): string {
  return object.source.kind === "open" ? object.source.disk : ctx.host.toDisk(object.fullPath);
}

/** Objects within the size limit; the others are warned about. */
async function withinLimit(ctx: AreaContext, objects: readonly AreaObject[]): Promise<AreaObject[]> {
  const out: AreaObject[] = [];
  for (const object of objects) {
    const size = object.source.kind === "bytes" ? object.source.bytes.length : await stat(fsPath(diskOf(ctx, object))).then((s) => s.size, () => undefined);
    if (size === undefined) continue; // gone meanwhile
    if (size > ctx.limits.maxFileBytes) {
      ctx.count("antivirusTooLarge");
      ctx.warn({ code: "too-large", message: `antivirus: not scanned, ${size} bytes is over the limit of ${ctx.limits.maxFileBytes}`, path: object.id });
      continue;
    }
    out.push(object);
  }
  return out;
}

async function scanWithClamd(ctx: AreaContext, socket: string, objects: readonly AreaObject[]): Promise<AntivirusHit[]> {
  const hits: AntivirusHit[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < objects.length; i = next++) {
      if (ctx.stopped()) return;
      const object = objects[i] as AreaObject;
      const source = object.source.kind === "bytes" ? [object.source.bytes] : createReadStream(fsPath(diskOf(ctx, object)));
      try {
        const reply = await clamdInstream(socket, source as AsyncIterable<Buffer> | Buffer[], Math.max(1000, ctx.remainingMs()));
        ctx.count("antivirusScanned");
        const verdict = reply.replace(/^stream:\s*/, "");
        const name = foundName(verdict);
        if (name !== undefined) hits.push({ object, signature: name });
        else if (verdict.endsWith("ERROR")) ctx.warn({ code: "antivirus-error", message: `clamd: ${verdict}`, path: object.id });
      } catch (error) {
        ctx.warn({ code: "antivirus-error", message: `clamd: cannot scan (${error instanceof Error ? error.message : String(error)})`, path: object.id });
      }
    }
  };
  await Promise.all(Array.from({ length: CLAMD_CONCURRENCY }, worker));
  return hits;
}

/** The clamscan program: the given path, else `clamscan` on PATH. */
async function findClamscan(given: string | undefined): Promise<string | undefined> {
  const candidates = given !== undefined ? [given] : (process.env["PATH"] ?? "/usr/bin:/bin").split(delimiter).map((dir) => join(dir, "clamscan"));
  for (const candidate of candidates) {
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

/** Runs clamscan once over all objects (byte sources written to a private temporary folder). */
async function scanWithClamscan(ctx: AreaContext, program: string, database: string, objects: readonly AreaObject[]): Promise<AntivirusHit[]> {
  const work = await mkdtemp(join(tmpdir(), "iocscan-clamscan-"));
  try {
    const byPath = new Map<string, AreaObject>();
    let n = 0;
    for (const object of objects) {
      let path = diskOf(ctx, object);
      if (object.source.kind === "bytes") {
        path = join(work, `object-${n++}.bin`);
        await writeFile(path, object.source.bytes, { mode: 0o600 });
      }
      if (path.includes("\n")) {
        ctx.warn({ code: "antivirus-error", message: "antivirus: a path with a line break cannot be passed to clamscan", path: object.id });
        continue;
      }
      byPath.set(path, object);
    }
    const list = join(work, "files.txt");
    // As bytes: writing the text would turn a byte that is not UTF-8 into U+FFFD, a file that does not exist.
    await writeFile(list, Buffer.concat([...byPath.keys()].map((path) => Buffer.from(pathBytes(`${path}\n`)))), { mode: 0o600 });
    const limit = String(ctx.limits.maxFileBytes);
    const args = ["--no-summary", "--stdout", "--database", database, `--file-list=${list}`, `--max-filesize=${limit}`, `--max-scansize=${limit}`];
    const { stdout, stderr, code, timedOut } = await runProgram(program, args, Math.max(1000, ctx.remainingMs()));
    if (timedOut) ctx.warn({ code: "time-budget-exceeded", message: "antivirus: clamscan was stopped when the time budget ran out" });
    const hits: AntivirusHit[] = [];
    // Longest first, so "/a/b" never claims the line of "/a/b: c".
    const paths = [...byPath.keys()].sort((a, b) => b.length - a.length);
    for (const line of stdout.split("\n")) {
      const path = paths.find((p) => line.startsWith(`${p}: `));
      if (path === undefined) continue;
      const object = byPath.get(path) as AreaObject;
      const verdict = line.slice(path.length + 2);
      ctx.count("antivirusScanned");
      const name = foundName(verdict);
      if (name !== undefined) hits.push({ object, signature: name });
      else if (verdict.endsWith("ERROR")) ctx.warn({ code: "antivirus-error", message: `clamscan: ${verdict}`, path: object.id });
    }
    if (code !== 0 && code !== 1 && !timedOut) {
      const reason = stderr.split("\n").filter((l) => /ERROR|Error/.test(l)).slice(0, 3).map(pathText).join("; ");
      ctx.warn({ code: "antivirus-error", message: `clamscan exited with status ${code}${reason !== "" ? `: ${reason}` : ""}` });
    }
    return hits;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Runs a program of ours, killing it (by its own pid) when `timeoutMs` passes. */
function runProgram(program: string, args: readonly string[], timeoutMs: number): Promise<{ stdout: string; stderr: string; code: number | null; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      // Both name files as clamscan opened them, as bytes: read back in memory form.
      resolve({ stdout: memoryText(Buffer.concat(out)), stderr: memoryText(Buffer.concat(err)), code, timedOut });
    });
  });
}

/** The clamd socket to use: the given one, else this machine's clamd.conf's; undefined when none answers. */
async function chooseClamd(settings: AntivirusSettings): Promise<string | undefined> {
  if (settings.clamdSocket === null) return undefined;
  const socket = settings.clamdSocket ?? localSocketOf(await readFile(CLAMD_CONF, "utf8").catch(() => ""));
  if (socket === undefined) return undefined;
  return (await clamdAlive(socket)) ? socket : undefined;
}

/** Scans the objects with the best engine available. */
export async function runAntivirus(ctx: AreaContext, objects: readonly AreaObject[], settings: AntivirusSettings): Promise<AntivirusRun> {
  const clamd = await chooseClamd(settings);
  if (clamd !== undefined) {
    const hits = await scanWithClamd(ctx, clamd, await withinLimit(ctx, objects));
    return { status: { engine: "clamd", detail: `clamd on ${clamd}`, scanned: ctx.stats["antivirusScanned"] ?? 0 }, hits };
  }
  const program = await findClamscan(settings.clamscanPath);
  const database = settings.clamavDatabase ?? DEFAULT_CLAMAV_DATABASE;
  const unavailable = (why: string): AntivirusRun => {
    ctx.warn({ code: "antivirus-unavailable", message: `antivirus engine not available: ${why}` });
    return { status: { engine: "none", detail: why, scanned: 0 }, hits: [] };
  };
  if (program === undefined) return unavailable(settings.clamscanPath !== undefined ? `${settings.clamscanPath} is not an executable` : "ClamAV is not installed (no clamd answering, no clamscan on PATH)");
  const files = await readdir(database).catch(() => [] as string[]);
  if (!files.some((name) => DB_FILE.test(name))) return unavailable(`the ClamAV database folder ${database} holds no signature database`);
  const hits = await scanWithClamscan(ctx, program, database, await withinLimit(ctx, objects));
  return { status: { engine: "clamscan", detail: `${program} -d ${database}`, scanned: ctx.stats["antivirusScanned"] ?? 0 }, hits };
}
