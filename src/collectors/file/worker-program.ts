/**
 * The program of a file worker (file-workers.ts holds the protocol and its main-thread side), and
 * the start of one such thread. Apart from the protocol so that the CLI's launcher (src/cli/bin.ts)
 * can start the first worker before it loads the rest of the CLI: the thread's own start-up (a
 * Node.js environment, about 50 ms of CPU) then runs beside the CLI's, not after it.
 *
 * The worker is a short plain-JavaScript program passed as a string (`eval: true`): it needs no
 * loader, so the same code runs from `dist/`, under tsx and under vitest.
 *
 * @module
 */
import { constants } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { DigestAlgorithm } from "./options.js";

/** Folders with more files than this are listed without their files' lstats (memory stays bounded). */
const LIST_STAT_LIMIT = 4096;

/** Each digest's length in hex: in a hash reply, a file's digests take the sum of its batch's algorithms'. */
export const DIGEST_HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = { md5: 32, sha1: 40, sha256: 64 };

/** The order of the stat fields in a stat reply's BigInt64Array, per path. */
export const STAT_FIELDS = ["dev", "ino", "mode", "uid", "gid", "size", "atimeNs", "mtimeNs", "ctimeNs", "birthtimeNs"] as const;

/**
 * The native lister (native/fs-lister.c, built by `npm run build:native`): a folder's names and
 * their lstats in two calls instead of an object per entry. Where it was not built or cannot load
 * (another system, no compiler), or with IOCSCAN_NATIVE_FS=off, the worker lists with node:fs.
 */
export const NATIVE_LISTER = fileURLToPath(new URL("../../../native/build/Release/iocscan_fs.node", import.meta.url));

// Same rules as content.ts: no links followed, a FIFO cannot block the open, a short read (the
// file shrank or was swapped) is an error rather than a digest of part of it. One file's error
// never fails its batch; anything else thrown is reported as the batch's failure.
// A stat's fields are copied by name, a statement each (generated from STAT_FIELDS). A
// BigInt64Array element takes its value modulo 2^64: an inode number above 2^63 reads back
// negative, as SQLite's signed integers hold it too.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { openSync, readSync, closeSync, lstatSync, readdirSync, realpathSync } = require("node:fs");
const { createHash } = require("node:crypto");
const FLAGS = ${constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY};
const FIELDS = ${JSON.stringify(STAT_FIELDS)};
const buffer = Buffer.allocUnsafe(1024 * 1024);
const problem = (error) => ({ code: error && error.code, message: String(error && error.message) });
// Paths are strings in memory form (src/shared/path-text.ts): a byte of a name that is not
// UTF-8 is the lone surrogate U+DC00 + byte. Such a path goes to a system call as its bytes
// (fsp); any other path, nearly all of them, as itself.
const fsp = (p) => (p.isWellFormed() ? p : bytesOf(p));
function bytesOf(p) {
  const parts = [];
  let run = "";
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c < 0xdc80 || c > 0xdcff) run += p[i];
    else {
      parts.push(Buffer.from(run), Buffer.of(c - 0xdc00));
      run = "";
    }
  }
  parts.push(Buffer.from(run));
  return Buffer.concat(parts);
}
// A name's bytes in memory form: UTF-8, each byte outside a valid sequence (RFC 3629) as U+DC00 + byte.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
function nameOf(bytes) {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // Not UTF-8: below.
  }
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i], c = (k, lo = 0x80, hi = 0xbf) => bytes[i + k] >= lo && bytes[i + k] <= hi;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? (c(1) ? 2 : 0) : b === 0xe0 ? (c(1, 0xa0) && c(2) ? 3 : 0) : b === 0xed ? (c(1, 0x80, 0x9f) && c(2) ? 3 : 0) : b >= 0xe1 && b <= 0xef ? (c(1) && c(2) ? 3 : 0) : b === 0xf0 ? (c(1, 0x90) && c(2) && c(3) ? 4 : 0) : b >= 0xf1 && b <= 0xf3 ? (c(1) && c(2) && c(3) ? 4 : 0) : b === 0xf4 ? (c(1, 0x80, 0x8f) && c(2) && c(3) ? 4 : 0) : 0;
    out += n === 0 ? String.fromCharCode(0xdc00 + b) : bytes.toString("utf8", i, i + n);
    i += n || 1;
  }
  return out;
}
// The text form of a path (path-text.ts, pathText), which exclusions and the hint are tested on.
function textOf(p) {
  if (p.isWellFormed() && (p.indexOf("\\\\") < 0 || !readsEscaped(p))) return p;
  let out = "";
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    out += c === 0x5c ? "\\\\\\\\" : c >= 0xdc80 && c <= 0xdcff ? "\\\\x" + (c - 0xdc00).toString(16).toUpperCase() : p[i];
  }
  return out;
}
function readsEscaped(t) {
  if (t.indexOf("\\\\") < 0) return false;
  let out = "";
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== "\\\\") out += t[i];
    else if (t[i + 1] === "\\\\") out += t[++i];
    else if (t[i + 1] === "x" && /^[89A-F][0-9A-F]$/.test(t.slice(i + 2, i + 4))) {
      out += String.fromCharCode(0xdc00 + parseInt(t.slice(i + 2, i + 4), 16));
      i += 3;
    } else return false;
  }
  if (!out.isWellFormed()) out = nameOf(bytesOf(out));
  return !out.isWellFormed() || readsEscaped(out);
}
const native = (() => {
  if (process.env.IOCSCAN_NATIVE_FS === "off") return undefined;
  try {
    const lister = require(${JSON.stringify(NATIVE_LISTER)});
    return typeof lister.listFolder === "function" && typeof lister.lstatNames === "function" ? lister : undefined;
  } catch {
    return undefined;
  }
})();
// The lstats of a folder's entries \`names\`, as stat() gives those of their paths.
function statNames(folder, names) {
  if (native === undefined || names.length === 0) return stat(names.map((name) => child(folder, name)));
  const values = new BigInt64Array(names.length * FIELDS.length);
  const errors = native.lstatNames(folder, names, values);
  return { values, errors };
}
// A folder's entries' names and their d_type (readdir(3)'s DT_ values; 0: not said, as some file
// systems do, then lstat tells), from the native lister or node:fs alike.
const DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8, DT_LNK = 10, DT_SOCK = 12, DT_UNKNOWN = 0;
const dtypeOf = (e) => (e.isFile() ? DT_REG : e.isDirectory() ? DT_DIR : e.isSymbolicLink() ? DT_LNK : e.isFIFO() ? DT_FIFO : e.isSocket() ? DT_SOCK : e.isCharacterDevice() ? DT_CHR : e.isBlockDevice() ? DT_BLK : DT_UNKNOWN);
function readFolder(path) {
  if (native !== undefined) return native.listFolder(path);
  let entries = readdirSync(fsp(path), { withFileTypes: true });
  // node:fs decodes a name that is not UTF-8 with U+FFFD (lossy): such a folder is read again as bytes.
  if (entries.some((e) => e.name.includes("\\uFFFD"))) {
    entries = readdirSync(fsp(path), { withFileTypes: true, encoding: "buffer" });
    return { names: entries.map((e) => nameOf(e.name)), types: entries.map(dtypeOf) };
  }
  return { names: entries.map((e) => e.name), types: entries.map(dtypeOf) };
}
function stat(paths) {
  const values = new BigInt64Array(paths.length * FIELDS.length);
  const errors = [];
  for (let i = 0; i < paths.length; i++) {
    try {
      const s = lstatSync(fsp(paths[i]), { bigint: true });
      const at = i * FIELDS.length;
      ${STAT_FIELDS.map((field, f) => `values[at + ${f}] = s.${field};`).join(" ")}
    } catch (error) {
      const p = problem(error);
      errors.push([i, p.code, p.message]);
    }
  }
  return { values, errors };
}
const child = (base, name) => (base.endsWith("/") ? base + name : base + "/" + name);
function list(path, useGate, budget) {
  return finish(path, readListing(path), useGate, budget);
}
// A folder's raw listing as the walk takes it: without the files it does not want and, with
// \`useGate\`, those the size gate rules out; hashed while listed with a \`budget\` (what this
// request may still hash, hashListed). The lstats' buffers are in \`transfer\`.
function finish(path, raw, useGate, budget) {
  let { files, fileStats, ...rest } = raw;
  if (rest.error) return rest;
  if (filter !== undefined && files.length > 0) ({ files, fileStats } = wantedFiles(path, files, fileStats));
  let gated = 0, gatedThrough;
  if (useGate && gate !== undefined && fileStats.values.length > 0) ({ files, fileStats, gated, gatedThrough } = applyGate(files, fileStats));
  const transfer = [fileStats.values.buffer, rest.folderStats.values.buffer];
  let inlineDigests;
  if (budget !== undefined && fileStats.values.length > 0) {
    inlineDigests = hashListed(path, files, fileStats, budget);
    transfer.push(inlineDigests.hashed.buffer);
  }
  return { files, fileStats, gated, gatedThrough, inline: inlineDigests, ...rest, transfer };
}
// Hashing while listing (set by the "inline" message, for a scan that hashes every file and has
// no hash cache to ask): the listed regular files up to \`maxFileBytes\`, while the request's
// \`budget\` (bytes and files) lasts. One hex string of the kept files' digests (a file not
// hashed here: zeros) and a flag per file; a file that fails is left to the main thread, which
// reports it.
let inline;
function hashListed(path, files, fileStats, budget) {
  const n = FIELDS.length;
  const failed = new Set(fileStats.errors.map(([i]) => i));
  const hashed = new Uint8Array(files.length);
  const parts = [];
  for (let i = 0; i < files.length; i++) {
    const size = Number(fileStats.values[i * n + SIZE]);
    let hex;
    if (!failed.has(i) && (fileStats.values[i * n + MODE] & S_IFMT) === S_IFREG && size <= inline.maxFileBytes && size <= budget.left && budget.files > 0) {
      const digests = hashOne(child(path, files[i]), size, inline.algorithms);
      if (typeof digests === "string") {
        hex = digests;
        hashed[i] = 1;
        budget.left -= size;
        budget.files--;
      }
    }
    parts.push(hex ?? inline.zeros);
  }
  return { hex: parts.join(""), hashed };
}
function readListing(path) {
  const listing = listRaw(path);
  // Asked for before the stream reached it: the stream takes its subfolders from here (a copy of
  // their lstats: the listing's go to the main thread, which leaves them empty here).
  if (stream !== undefined && !listing.error) listedForWalk.set(path, { folders: listing.folders, folderStats: { values: listing.folderStats.values.slice() } });
  return listing;
}
// Folders the walk had listed before the stream reached them, by path, with their subfolders:
// the stream goes on below each without listing it again (a rescan's walk, quick to start,
// asked for a fifth of tree B's folders twice).
const listedForWalk = new Map();
// The stream (the "stream" message): lists the scope folders in walk order (depth first, by
// name; never a link or another device) and sends each listing to the main thread unasked ("listed"
// messages, one per slice of about 5 ms), where the walk takes it when it gets there: no round
// trip per folder, and this thread lists while the main one handles what came before. At most
// \`window\` entries (files and folders) are sent and not yet taken: the main thread gives them
// back ("credit") as the walk takes their folders, so a paused scan holds no more than that.
// It stops for good when the walk asks for a listing that hashes its files (hashWhileListing):
// such a walk keeps every worker busy, and a listing it did not ask for would not be hashed.
let hashingWalk = false;
let stream;
function startStream(roots, window) {
  const stack = [];
  for (let i = roots.length - 1; i >= 0; i--) {
    try {
      const asked = roots[i];
      const root = asked.isWellFormed() ? realpathSync(asked) : nameOf(realpathSync(bytesOf(asked), { encoding: "buffer" }));
      const s = lstatSync(fsp(root), { bigint: true });
      // An excluded scope is not walked: its subfolders need not match the glob to be left out.
      if (s.isDirectory() && !(filter !== undefined && excludedHost(hostOf(root)))) stack.push([root, BigInt.asIntN(64, s.dev)]);
    } catch {
      // The walk reports it.
    }
  }
  stream = { stack, window, sent: 0, waiting: false };
  slice();
}
function endStream() {
  stream = undefined;
  listedForWalk.clear();
}
// Listing ahead only saves time: should it fail, the walk lists on demand.
function slice() {
  // Ended ("stream-end") since this slice was scheduled.
  if (stream === undefined) return;
  try {
    step();
  } catch {
    endStream();
  }
}
function step() {
  const { stack } = stream;
  const listings = [], transfer = [];
  const until = performance.now() + 5;
  while (stack.length > 0 && stream.sent < stream.window && !hashingWalk && performance.now() < until) {
    const [folder, dev] = stack.pop();
    const walked = listedForWalk.get(folder);
    if (walked !== undefined) {
      listedForWalk.delete(folder);
      pushSubfolders(stack, folder, walked, dev);
      continue;
    }
    const raw = listRaw(folder);
    if (raw.error) continue;
    const entries = raw.files.length + raw.folders.length;
    // Before finish(): it hands the subfolders' lstats over to the main thread.
    pushSubfolders(stack, folder, raw, dev);
    const { transfer: buffers, ...listing } = finish(folder, raw, gate !== undefined, undefined);
    // \`sized\`: the size gate applied (none is known before the scan's set adopts this worker).
    listings.push({ path: folder, entries, sized: gate !== undefined, ...listing });
    transfer.push(...buffers);
    stream.sent += entries;
  }
  if (listings.length > 0) parentPort.postMessage({ op: "listed", listings }, transfer);
  if (stack.length === 0 || hashingWalk) endStream();
  else if (stream.sent < stream.window) setImmediate(slice);
  else stream.waiting = true;
}
// The walk took listings holding \`entries\`: the stream may send as many more.
function credit(entries) {
  if (stream === undefined) return;
  stream.sent -= entries;
  // Goes on once half the window is free: a slice's worth of listings per message, not a folder.
  if (stream.waiting && stream.sent <= stream.window / 2) {
    stream.waiting = false;
    setImmediate(slice);
  }
}
// Pushes \`listing\`'s subfolders on the same device as \`dev\` (never links), last first, each as
// [path, dev].
function pushSubfolders(stack, folder, listing, dev) {
  const values = listing.folderStats.values;
  for (let i = listing.folders.length - 1; i >= 0; i--) {
    const at = i * FIELDS.length;
    const path = child(folder, listing.folders[i]);
    // A folder whose lstat failed has all fields 0: not a folder. An excluded one is not walked.
    if ((values[at + MODE] & S_IFMT) === S_IFDIR && values[at] === dev && !(filter !== undefined && excludedHost(hostOf(path)))) stack.push([path, dev]);
  }
}
// The scan's path filter (path-filter.ts, set by the "filter" message): the walk's exclusions and
// hint, tested on host paths (\`root\`: the disk folder of the host's "/"), as the walk tests them.
let filter;
function hostOf(disk) {
  if (filter.root === "/") return disk;
  if (disk === filter.root) return "/";
  return disk.startsWith(filter.root + "/") ? disk.slice(filter.root.length) : disk;
}
function excludedHost(memory) {
  const host = textOf(memory);
  return host !== "" && filter.excludes.some((e) => host === e.glob || e.re.test(host));
}
// A listing's files the walk wants: not excluded, matching the hint if there is one.
function wantedFiles(path, files, fileStats) {
  const base = child(hostOf(path), "");
  const keep = [];
  for (let i = 0; i < files.length; i++) {
    const host = base + files[i];
    if (!excludedHost(host) && (filter.hint === undefined || filter.hint.test(textOf(host)))) keep.push(i);
  }
  return keep.length === files.length ? { files, fileStats } : keepFiles(files, fileStats, keep);
}
// The files at indexes \`keep\` (ascending) with their lstats and errors.
function keepFiles(files, fileStats, keep) {
  const n = FIELDS.length;
  if (fileStats.values.length === 0) return { files: keep.map((i) => files[i]), fileStats };
  const values = new BigInt64Array(keep.length * n);
  const errors = [];
  const errorOf = new Map(fileStats.errors.map((e) => [e[0], e]));
  keep.forEach((from, to) => {
    values.set(fileStats.values.subarray(from * n, from * n + n), to * n);
    const error = errorOf.get(from);
    if (error !== undefined) errors.push([to, ...error.slice(1)]);
  });
  return { files: keep.map((i) => files[i]), fileStats: { values, errors } };
}
function listRaw(path) {
  let names, types;
  try {
    ({ names, types } = readFolder(path));
  } catch (error) {
    return { error: problem(error) };
  }
  const files = [], folders = [], unknown = [];
  let symlinks = 0, special = 0;
  for (let i = 0; i < names.length; i++) {
    const name = names[i], type = types[i];
    if (type === DT_REG) files.push(name);
    else if (type === DT_DIR) folders.push(name);
    else if (type === DT_LNK) symlinks++;
    else if (type === DT_FIFO || type === DT_SOCK || type === DT_CHR || type === DT_BLK) special++;
    else {
      // DT_UNKNOWN: some file systems do not say; lstat does.
      try {
        const s = lstatSync(fsp(child(path, name)));
        if (s.isFile()) files.push(name);
        else if (s.isDirectory()) folders.push(name);
        else if (s.isSymbolicLink()) symlinks++;
        else special++;
      } catch (error) {
        const p = problem(error);
        unknown.push([name, p.code, p.message]);
      }
    }
  }
  // Code-unit order: the same on every run for the same names, whatever the file system lists.
  files.sort();
  folders.sort();
  // A huge folder's files are stat'ed later, a batch at a time: its listing stays small.
  const fileStats = statNames(path, files.length <= ${LIST_STAT_LIMIT} ? files : []);
  const folderStats = statNames(path, folders);
  return { files, fileStats, folders, folderStats, symlinks, special, unknown };
}
// The size gate: files whose lstat worked and whose size no IOC can match are left out, counted.
let gate;
const SIZE = FIELDS.indexOf("size"), MODE = FIELDS.indexOf("mode");
function applyGate(files, fileStats) {
  const n = FIELDS.length;
  const failed = new Set(fileStats.errors.map(([i]) => i));
  const keep = [];
  for (let i = 0; i < files.length; i++) {
    if (failed.has(i) || gate.has(Number(fileStats.values[i * n + SIZE]))) keep.push(i);
  }
  if (keep.length === files.length) return { files, fileStats, gated: 0 };
  // The folder's last file by name, gated or not: where the walk's position may move past them.
  return { ...keepFiles(files, fileStats, keep), gated: files.length - keep.length, gatedThrough: files[files.length - 1] };
}
// The folders asked for, in order, then up to \`ahead\` of their subfolders in walk order (depth
// first, by name), until they hold \`aheadFiles\` files: never a link, never another device than
// the folder's (\`devs\`).
const S_IFMT = ${constants.S_IFMT}n, S_IFDIR = ${constants.S_IFDIR}n, S_IFREG = ${constants.S_IFREG}n;
function listAhead(paths, devs, ahead, aheadFiles, useGate, useInline) {
  const listings = [], transfer = [];
  const budget = useInline && inline !== undefined ? { left: inline.budgetBytes, files: inline.budgetFiles } : undefined;
  let files = 0;
  const take = (folder) => {
    const { transfer: buffers, ...listing } = list(folder, useGate, budget);
    listings.push({ path: folder, ...listing });
    if (buffers) transfer.push(...buffers);
    if (!listing.error) files += listing.files.length;
    return listing;
  };
  const asked = paths.map(take);
  // Walk order after them: the first one's subfolders on top.
  const stack = [];
  for (let i = paths.length - 1; i >= 0; i--) if (!asked[i].error) pushSubfolders(stack, paths[i], asked[i], devs[i]);
  while (stack.length > 0 && listings.length < paths.length + ahead && files < aheadFiles) {
    const [folder, dev] = stack.pop();
    const listing = take(folder);
    if (!listing.error) pushSubfolders(stack, folder, listing, dev);
  }
  return { listings, transfer };
}
const DIGEST_HEX = ${JSON.stringify(DIGEST_HEX_LENGTH)};
// The place a file's digests take in a reply's hex string, as zeros: that of a file not hashed.
const zerosFor = (algorithms) => algorithms.map((a) => "0".repeat(DIGEST_HEX[a])).join("");
// Hashes every file of a batch with every one of \`algorithms\`: one hex string of each file's
// digests back to back (a file's error in \`errors\`, its place in the string zeros).
function hashBatch(paths, sizes, algorithms) {
  const zeros = zerosFor(algorithms);
  const parts = [], errors = [];
  for (let i = 0; i < paths.length; i++) {
    const digests = hashOne(paths[i], sizes[i], algorithms);
    if (typeof digests === "string") parts.push(digests);
    else {
      parts.push(zeros);
      errors.push([i, digests.code, digests.message]);
    }
  }
  return { hex: parts.join(""), errors };
}
// A file's hex digests, one after the other, or its problem.
function hashOne(path, size, algorithms) {
  let fd = -1;
  try {
    fd = openSync(fsp(path), FLAGS);
    const hashes = algorithms.map((a) => createHash(a));
    let position = 0;
    while (position < size) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, size - position), position);
      if (n === 0) break;
      const chunk = n === buffer.length ? buffer : buffer.subarray(0, n);
      for (const h of hashes) h.update(chunk);
      position += n;
    }
    if (position < size) {
      const e = new Error(path + " shrank from " + size + " bytes while it was read");
      e.code = "ECHANGED";
      throw e;
    }
    let hex = "";
    for (const h of hashes) hex += h.digest("hex");
    return hex;
  } catch (error) {
    return problem(error);
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
parentPort.on("message", (message) => {
  try {
    if (message.op === "gate") {
      gate = new Set(message.sizes);
    } else if (message.op === "filter") {
      // undefined: nothing is left out (this scan has no exclusions and no hint).
      const spec = message.filter;
      filter = spec && { root: spec.root, excludes: spec.excludes.map((e) => ({ glob: e.glob, re: new RegExp(e.source, e.flags) })), hint: spec.hint && new RegExp(spec.hint.source, spec.hint.flags) };
    } else if (message.op === "inline") {
      inline = { algorithms: message.algorithms, maxFileBytes: message.maxFileBytes, budgetBytes: message.budgetBytes, budgetFiles: message.budgetFiles, zeros: zerosFor(message.algorithms) };
    } else if (message.op === "stream") {
      if (stream === undefined) startStream(message.roots, message.window);
    } else if (message.op === "credit") {
      credit(message.entries);
    } else if (message.op === "stream-end") {
      if (stream !== undefined) endStream();
    } else if (message.op === "info") {
      // Which lister this thread uses (the native one, or node:fs): for tests and diagnostics.
      parentPort.postMessage({ id: message.id, lister: native === undefined ? "node:fs" : "native" });
    } else if (message.op === "stat") {
      const reply = stat(message.paths);
      parentPort.postMessage({ id: message.id, ...reply }, [reply.values.buffer]);
    } else if (message.op === "list") {
      if (message.inline === true) hashingWalk = true;
      const { listings, transfer } = listAhead(message.paths, message.devs, message.ahead, message.aheadFiles, message.gate === true, message.inline === true);
      parentPort.postMessage({ id: message.id, listings }, transfer);
    } else {
      parentPort.postMessage({ id: message.id, ...hashBatch(message.paths, message.sizes, message.algorithms) });
    }
  } catch (error) {
    parentPort.postMessage({ id: message.id, failed: String(error && error.stack || error) });
  }
});
`;

/**
 * Listens to `worker`'s messages without referencing it: a worker's first "message" listener
 * references it again, and an idle worker (the launcher's, a spare) must not keep a process alive
 * whose command failed or never collected files. A FileWorkers references its workers while they
 * have work.
 */
export function listenUnreferenced<M>(worker: Worker, listener: (message: M) => void): void {
  worker.on("message", listener);
  worker.unref();
}

/** Starts a file worker thread; unreferenced: an idle worker must not keep a finished scan's process alive. */
export function startFileWorkerThread(): Worker {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  worker.unref();
  return worker;
}

/**
 * Entries (files and folders) a worker's stream may have sent ahead of the walk and not yet had
 * back (see file-workers.ts, prestartFileWorker): some megabytes of names and lstats at most.
 */
export const STREAM_WINDOW = 50_000;

/** A stream the CLI's launcher started ({@link STREAM_WINDOW}), with what it sent until a FileWorkers takes it over. */
export interface LaunchedStream {
  /** The "listed" messages received so far. */
  readonly received: readonly unknown[];
  /** Stops keeping messages: the taker listens from now on. */
  stop(): void;
}

/**
 * Asks `worker` (just started) to stream `roots`, absolute folders of this computer, with no
 * exclusions, and keeps what it sends: a worker's messages that nobody listens to are lost.
 */
export function streamFromLaunch(worker: Worker, roots: readonly string[]): LaunchedStream {
  const received: unknown[] = [];
  const keep = (message: unknown): void => void received.push(message);
  listenUnreferenced(worker, keep);
  worker.postMessage({ op: "filter", filter: undefined });
  worker.postMessage({ op: "stream", roots, window: STREAM_WINDOW });
  return { received, stop: () => void worker.off("message", keep) };
}
