/**
 * `iocscan scan --action quarantine` killed at varied points (after N ms while it walks, at each
 * step of a quarantine through IOCSCAN_TEST_CRASH_AT, by SIGTERM/SIGINT while a large file is
 * being quarantined) and continued with `--resume ID` until it finishes. For each trial: every
 * matching file is in the store exactly once, gone from the tree and restorable byte for byte;
 * nothing else was touched; the final report lists every detection with its receipt; nothing is
 * left in the checkpoint folder; a second `--resume` is refused. Every tree, store and checkpoint
 * folder is a temp folder made here.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listEntries, openQuarantine, restoreEntry } from "../../src/actions/quarantine/index.js";
import type { ScanReport } from "../../src/core/report/index.js";

const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-kill-resume-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }), 60_000);

const HASH_PAYLOAD = "hash-matched implant payload\n";
const md5 = (text: string | Buffer): string => createHash("md5").update(text).digest("hex");

function item(id: string, search: string, condition: string, type: string, value: string, negate = false): string {
  return `<IndicatorItem id="${id}" condition="${condition}" negate="${String(negate)}"><Context document="FileItem" search="${search}" type="mir"/><Content type="${type}">${value}</Content></IndicatorItem>`;
}

function ioc(id: string, criteria: string): string {
  return `<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="${id}"><metadata><short_description>${id}</short_description></metadata><criteria>${criteria}</criteria></OpenIOC>`;
}

interface Trial {
  readonly root: string;
  readonly tree: string;
  readonly iocDir: string;
  readonly store: string;
  readonly checkpoints: string;
  /** Files the scan must quarantine, with their content. */
  readonly matching: Map<string, Buffer>;
  /** Files the scan must leave alone (ordinary, protected, negation-only), with content and mtime. */
  readonly untouched: Map<string, { content: Buffer; mtimeMs: number; ino: number }>;
  /** Of `untouched`: found, but protected or matched only through negated items. */
  readonly foundNotActed: Set<string>;
}

/**
 * A tree of `files` ordinary files in nested folders, every 17th matched by MD5, every 23rd
 * named `dropper.exe` (matched by name), a `keep/` folder protected by `--protect` holding both
 * kinds, and `.neg` files matched only through negated items; and the IOC folder.
 */
function plantTrial(name: string, files = 300, big?: number): Trial {
  const root = mkdtempSync(join(work, `${name}-`));
  const tree = join(root, "tree");
  const iocDir = join(root, "iocs");
  mkdirSync(iocDir);
  const matching = new Map<string, Buffer>();
  const untouched: Trial["untouched"] = new Map();
  const foundNotActed = new Set<string>();
  const put = (path: string, content: string | Buffer, kind: "match" | "keep" | "found"): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    const buffer = Buffer.from(content);
    if (kind === "match") matching.set(path, buffer);
    else {
      const info = statSync(path);
      untouched.set(path, { content: buffer, mtimeMs: info.mtimeMs, ino: info.ino });
      if (kind === "found") foundNotActed.add(path);
    }
  };
  for (let i = 0; i < files; i++) {
    const folder = join(tree, `a${i % 5}`, `b${i % 3}`, ...(i % 2 === 0 ? [`c${i % 4}`] : []));
    if (i % 17 === 3) put(join(folder, `h${i}.bin`), HASH_PAYLOAD, "match");
    else if (i % 23 === 7) put(join(folder, `n${i}`, "dropper.exe"), `dropper ${i}\n`, "match");
    else if (i % 41 === 11) put(join(folder, `x${i}.neg`), `negation only ${i}\n`, "keep");
    else put(join(folder, `f${i}.${i % 2 === 0 ? "bin" : "dat"}`), `ordinary file ${i}\n`, "keep");
  }
  put(join(tree, "keep", "h.bin"), HASH_PAYLOAD, "found");
  put(join(tree, "keep", "deep", "dropper.exe"), "protected dropper\n", "found");
  if (big !== undefined) {
    // Distinct bytes, so a torn copy could not pass for the file.
    const content = Buffer.alloc(big);
    for (let offset = 0; offset < big; offset += 4096) content.write(`big ${offset}\n`, offset);
    put(join(tree, "a0", "big", "dropper.exe"), content, "match");
  }
  writeFileSync(join(iocDir, "hash.ioc"), ioc("by-hash", `<Indicator id="h" operator="OR">${item("h1", "FileItem/Md5sum", "is", "md5", md5(HASH_PAYLOAD))}</Indicator>`));
  writeFileSync(join(iocDir, "name.ioc"), ioc("by-name", `<Indicator id="n" operator="OR">${item("n1", "FileItem/FileName", "is", "string", "dropper.exe")}</Indicator>`));
  // Literally true for every file that is not a .bin (the droppers included): such files are
  // bound only through the negated item and must never be acted on for this IOC. Loaded first.
  writeFileSync(
    join(iocDir, "a-negated.ioc"),
    ioc("0-negated", `<Indicator id="g" operator="OR">${item("g1", "FileItem/FileName", "is", "string", "never-there.txt")}${item("g2", "FileItem/FileExtension", "is", "string", "bin", true)}</Indicator>`),
  );
  return { root, tree, iocDir, store: join(root, "store"), checkpoints: join(root, "checkpoints"), matching, untouched, foundNotActed };
}

interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface RunOptions {
  /** SIGKILL (or `signal`) this long after `when()` first holds (default: after the start). */
  readonly killAfterMs?: number;
  readonly when?: () => boolean;
  readonly signal?: NodeJS.Signals;
  readonly env?: Record<string, string>;
}

/** Runs the CLI; kills it as `options` says, unless it ends before. */
async function runCli(args: readonly string[], options: RunOptions = {}): Promise<Run> {
  const child = spawn(process.execPath, ["--import", tsxLoader, main, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env } });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  let timer: NodeJS.Timeout | undefined;
  if (options.killAfterMs !== undefined) {
    const when = options.when ?? (() => true);
    const arm = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (!when()) {
        timer = setTimeout(arm, 5);
        return;
      }
      timer = setTimeout(() => child.kill(options.signal ?? "SIGKILL"), options.killAfterMs);
    };
    arm();
  }
  const [status, signal] = await exited;
  clearTimeout(timer);
  return { status, signal, stdout, stderr };
}

const scanArgs = (t: Trial): string[] => [
  "scan", "--no-db", "--no-hash-cache", "--no-ioc-cache", "--format", "json", "--files", "on",
  "--action", "quarantine", "--quarantine", t.store, "--checkpoint-dir", t.checkpoints, "--checkpoint-interval", "0.05",
];
const startArgs = (t: Trial, extra: readonly string[] = []): string[] => [...scanArgs(t), "--ioc", t.iocDir, "--scope", t.tree, "--protect", `${t.tree}/keep/**`, ...extra];
const resumeArgs = (t: Trial, id: string): string[] => [...scanArgs(t), "--resume", id];

/** The scan ids the checkpoint folder holds, through the CLI's own listing. */
function interruptedScans(t: Trial): string[] {
  const ids = existsSync(t.checkpoints) ? readdirSync(t.checkpoints).filter((n) => n.endsWith(".checkpoint.json")).map((n) => n.replace(".checkpoint.json", "")) : [];
  return ids;
}

/**
 * Starts the scan (first run: `first`), then resumes it (each further run: `later(attempt)`)
 * until a run finishes; returns the finished report and how many runs were interrupted.
 */
async function scanUntilDone(t: Trial, first: RunOptions & { extra?: readonly string[] }, later: (attempt: number) => RunOptions = () => ({})): Promise<{ report: ScanReport; interrupted: number; scanId: string; runs: Run[] }> {
  const runs: Run[] = [];
  let scanId: string | undefined;
  for (let attempt = 0; attempt < 14; attempt++) {
    const saved = interruptedScans(t);
    expect(saved.length, `more than one checkpoint in ${t.checkpoints}`).toBeLessThanOrEqual(1);
    if (saved[0] !== undefined) {
      if (scanId !== undefined) expect(saved[0]).toBe(scanId);
      scanId = saved[0];
    }
    const run = saved[0] === undefined ? await runCli(startArgs(t, first.extra), attempt === 0 ? first : later(attempt)) : await runCli(resumeArgs(t, saved[0]), later(attempt));
    runs.push(run);
    // Killed, or stopped by a signal it handled (exit 2 with the resume hint): run again. Any other exit 2 fails below.
    if (run.signal !== null || (run.status === 2 && /scan interrupted; continue it with/.test(run.stderr))) continue;
    expect(run.status, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as ScanReport;
    if (scanId !== undefined) expect(report.scanId).toBe(scanId);
    return { report, interrupted: runs.length - 1, scanId: report.scanId, runs };
  }
  throw new Error(`the scan never finished: ${runs.map((r) => `${r.status}/${r.signal}: ${r.stderr.slice(-300)}`).join("\n")}`);
}

/** What must hold after every trial, whatever the interruptions were. */
async function checkOutcome(t: Trial, report: ScanReport, scanId: string): Promise<void> {
  // The tree: every matching file gone, everything else as it was (same inode, time and bytes).
  for (const path of t.matching.keys()) expect(existsSync(path), `${path} still in the tree`).toBe(false);
  for (const [path, was] of t.untouched) {
    const info = statSync(path);
    expect({ path, ino: info.ino, mtimeMs: info.mtimeMs }).toEqual({ path, ino: was.ino, mtimeMs: was.mtimeMs });
    expect(readFileSync(path).equals(was.content), path).toBe(true);
  }
  // The store: each matching file exactly once.
  const store = await openQuarantine({ dir: t.store });
  const entries = await listEntries(store);
  expect(entries.map((e) => e.meta.originalPath).sort()).toEqual([...t.matching.keys()].sort());
  expect(entries.every((e) => e.meta.cause.scanId === scanId)).toBe(true);
  expect(readdirSync(t.store).filter((n) => n.startsWith(".tmp-"))).toEqual([]);

  // The report: every detection of the whole scan, each object with its receipt.
  const receipts = new Map<string, { type: string; status: string; quarantineId?: string; detail: string }[]>();
  for (const detection of report.detections) {
    for (const action of detection.actions) {
      const list = receipts.get(action.objectId ?? "") ?? [];
      list.push(action);
      receipts.set(action.objectId ?? "", list);
    }
  }
  const objects = new Set(report.detections.flatMap((d) => d.objects.map((o) => o.id)));
  for (const [path] of t.matching) {
    expect(objects.has(path), `${path} not in the report`).toBe(true);
    const done = (receipts.get(path) ?? []).filter((a) => a.type === "quarantine" && a.status === "done");
    expect(done.length, `${path}: ${JSON.stringify(receipts.get(path))}`).toBe(1);
    const entry = entries.find((e) => e.meta.originalPath === path);
    expect(done[0]?.quarantineId).toBe(entry?.meta.id);
  }
  for (const path of t.foundNotActed) {
    expect(objects.has(path), `${path} not in the report`).toBe(true);
    const list = receipts.get(path) ?? [];
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((a) => a.status === "skipped"), JSON.stringify(list)).toBe(true);
  }
  // Any other object reported (through the negated item) is one left alone.
  for (const id of objects) {
    if (t.matching.has(id)) continue;
    expect(t.untouched.has(id), id).toBe(true);
    expect((receipts.get(id) ?? []).every((a) => a.status === "skipped"), id).toBe(true);
  }
  expect(report.detections.flatMap((d) => d.actions).filter((a) => a.status === "failed")).toEqual([]);

  // Nothing left behind: no checkpoint, journal, lock or temporary file.
  expect(existsSync(t.checkpoints) ? readdirSync(t.checkpoints) : []).toEqual([]);
  // A second --resume of the finished scan is refused.
  const again = await runCli(resumeArgs(t, scanId));
  expect(again.status).toBe(2);
  expect(again.stderr).toMatch(new RegExp(`no interrupted scan ${scanId}`));

  // Every entry restores byte for byte.
  for (const entry of entries) {
    const result = await restoreEntry(store, entry.meta.id);
    expect(readFileSync(result.path).equals(t.matching.get(entry.meta.originalPath) ?? Buffer.alloc(0)), entry.meta.originalPath).toBe(true);
  }
}

describe("iocscan scan --action quarantine killed and resumed", () => {
  it("killed at every quarantine step in turn (one per run), resumed: each file quarantined once, none left in the tree", async () => {
    const t = plantTrial("steps");
    const steps = ["copy-written", "copy-synced", "renamed", "dir-synced", "verified", "unlinked", "done"];
    const crashAt = (index: number): RunOptions => (index < steps.length ? { env: { IOCSCAN_TEST_CRASH_AT: steps[index] ?? "" } } : {});
    const { report, interrupted, scanId } = await scanUntilDone(t, crashAt(0), crashAt);
    expect(interrupted).toBe(steps.length);
    await checkOutcome(t, report, scanId);
  });

  it.each([0, 250])("SIGKILL %i ms after the first checkpoint, then repeatedly, resumed until done", async (delay) => {
    const t = plantTrial(`kill-${delay}`, 400);
    const checkpointed = (): boolean => interruptedScans(t).length > 0;
    // --max-cpu stretches the walk, so that the kills land in it and in the response.
    const { report, scanId, interrupted } = await scanUntilDone(t, { killAfterMs: delay, when: checkpointed, extra: ["--max-cpu", "10"] }, (attempt) =>
      attempt < 4 ? { killAfterMs: 300 + delay + attempt * 200 } : {},
    );
    expect(interrupted).toBeGreaterThan(0);
    await checkOutcome(t, report, scanId);
  });
});

describe("iocscan scan --action quarantine with negated items", () => {
  it("a file matched positively by one IOC is quarantined even when an IOC loaded before binds it only through a negated item", async () => {
    const root = mkdtempSync(join(work, "negated-first-"));
    const dropper = join(root, "tree", "a", "dropper.exe");
    mkdirSync(dirname(dropper), { recursive: true });
    writeFileSync(dropper, "dropper\n");
    writeFileSync(join(root, "tree", "a", "plain.dat"), "plain\n");
    mkdirSync(join(root, "iocs"));
    writeFileSync(join(root, "iocs", "a-negated.ioc"), ioc("0-negated", `<Indicator id="g" operator="OR">${item("g1", "FileItem/FileName", "is", "string", "never-there.txt")}${item("g2", "FileItem/FileExtension", "is", "string", "bin", true)}</Indicator>`));
    writeFileSync(join(root, "iocs", "b-name.ioc"), ioc("by-name", `<Indicator id="n" operator="OR">${item("n1", "FileItem/FileName", "is", "string", "dropper.exe")}</Indicator>`));
    const run = await runCli(["scan", "--no-db", "--no-hash-cache", "--no-ioc-cache", "--no-checkpoint", "--format", "json", "--files", "on", "--action", "quarantine", "--quarantine", join(root, "store"), "--ioc", join(root, "iocs"), "--scope", join(root, "tree")]);
    expect(run.status, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as ScanReport;
    const receipts = report.detections.flatMap((d) => d.actions.map((a) => `${d.iocId} ${a.type}:${a.status}`).filter((_, i) => d.actions[i]?.objectId === dropper));
    expect(receipts).toContain("by-name quarantine:done");
    expect(existsSync(dropper)).toBe(false);
    expect(existsSync(join(root, "tree", "a", "plain.dat"))).toBe(true);
  });
});

describe("iocscan scan --resume after things changed", () => {
  it("a resume with different IOC content (same files, ids and item counts) is refused; with the content back it finishes", async () => {
    const t = plantTrial("ioc-changed", 400);
    const first = await runCli(startArgs(t, ["--max-cpu", "5"]), { killAfterMs: 0, when: () => interruptedScans(t).length > 0 });
    expect(first.signal).toBe("SIGKILL");
    const [id] = interruptedScans(t);
    const hashIoc = join(t.iocDir, "hash.ioc");
    const original = readFileSync(hashIoc, "utf8");
    // Another hash in place of the first: a file the checkpoint's evaluation state knows nothing about would be matched from here on.
    writeFileSync(hashIoc, original.replace(md5(HASH_PAYLOAD), md5("some other payload\n")));
    const refused = await runCli(resumeArgs(t, id ?? ""));
    expect(refused.status, refused.stdout).toBe(2);
    expect(refused.stderr).toMatch(/cannot be resumed: its IOC files changed/);
    writeFileSync(hashIoc, original);
    const { report, scanId } = await scanUntilDone(t, {});
    expect(scanId).toBe(id);
    await checkOutcome(t, report, scanId);
  });

  it("a matching file deleted and a new one added in a folder not yet walked while the scan was stopped", async () => {
    const t = plantTrial("tree-changed", 400);
    const first = await runCli(startArgs(t, ["--max-cpu", "5"]), { killAfterMs: 0, when: () => interruptedScans(t).length > 0 });
    expect(first.signal).toBe("SIGKILL");
    const gone = [...t.matching.keys()].at(-1) ?? "";
    unlinkSync(gone);
    t.matching.delete(gone);
    const late = join(t.tree, "zz-late", "dropper.exe");
    mkdirSync(dirname(late));
    writeFileSync(late, "late dropper\n");
    t.matching.set(late, Buffer.from("late dropper\n"));
    const { report, scanId } = await scanUntilDone(t, {});
    const receipts = report.detections.flatMap((d) => d.actions).filter((a) => a.objectId === gone);
    // Whether the walk saw the vanished file before the kill or not, it is never reported quarantined.
    expect(receipts.map((a) => a.status)).not.toContain("done");
    expect(existsSync(late)).toBe(false);
    const entries = await listEntries(await openQuarantine({ dir: t.store }));
    expect(entries.map((e) => e.meta.originalPath).sort()).toEqual([...t.matching.keys()].sort());
    expect(existsSync(t.checkpoints) ? readdirSync(t.checkpoints) : []).toEqual([]);
    expect(scanId).toBe(report.scanId);
  });

  it("SIGTERM while a 50 MB file is being quarantined: that file is finished, the scan stops before the next object, and a resume does the rest", async () => {
    const t = plantTrial("big", 200, 50 * 1024 * 1024);
    // Objects answered after the big file: those of an IOC loaded after the others (detections
    // are answered in IOC order).
    writeFileSync(join(t.iocDir, "z-late.ioc"), ioc("z-late", `<Indicator id="z" operator="OR">${item("z1", "FileItem/FileName", "is", "string", "late.txt")}</Indicator>`));
    for (let i = 0; i < 5; i++) {
      const path = join(t.tree, `a${i}`, "late.txt");
      writeFileSync(path, `late ${i}\n`);
      t.matching.set(path, Buffer.from(`late ${i}\n`));
    }
    const bigInFlight = (): boolean => existsSync(t.store) && readdirSync(t.store).some((n) => n.startsWith(".tmp-") && (statSync(join(t.store, n), { throwIfNoEntry: false })?.size ?? 0) > 1024 * 1024);
    const stopped = await runCli(startArgs(t), { killAfterMs: 0, when: bigInFlight, signal: "SIGTERM" });
    expect(stopped.status, stopped.stderr).toBe(2);
    expect(stopped.stderr).toMatch(/scan interrupted; continue it with: iocscan scan --resume /);
    // The big file (walked before the droppers of a1..a4) is in the store whole; some files are not yet.
    const store = await openQuarantine({ dir: t.store });
    const before = (await listEntries(store)).map((e) => e.meta.originalPath);
    expect(before).toContain(join(t.tree, "a0", "big", "dropper.exe"));
    expect(before.length).toBeLessThan(t.matching.size);
    expect(existsSync(join(t.tree, "a0", "big", "dropper.exe"))).toBe(false);
    const { report, scanId } = await scanUntilDone(t, {});
    await checkOutcome(t, report, scanId);
  });

  it("--idle-only (idleness from IOCSCAN_IDLE_FILE): killed while it waits for the computer, resumed once idle", async () => {
    const t = plantTrial("idle");
    const idleFile = join(t.root, "idle-state");
    writeFileSync(idleFile, "busy\n");
    const env = { IOCSCAN_IDLE_FILE: idleFile, IOCSCAN_IDLE_POLL_MS: "50" };
    const first = await runCli(startArgs(t, ["--idle-only"]), { env, killAfterMs: 300, when: () => interruptedScans(t).length > 0 });
    expect(first.signal, first.stderr).toBe("SIGKILL");
    writeFileSync(idleFile, "idle\n");
    const { report, scanId } = await scanUntilDone(t, { env }, () => ({ env }));
    expect(report.execution?.resumed).toBeGreaterThanOrEqual(1);
    await checkOutcome(t, report, scanId);
  });
});
