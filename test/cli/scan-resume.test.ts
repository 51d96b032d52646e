/**
 * `iocscan scan` killed with SIGKILL at random moments and continued with `--resume ID`, again and
 * again, with `--action quarantine`: the final report equals the report of an uninterrupted scan
 * of an identical tree, and each planted file was quarantined exactly once. Trees, stores and
 * checkpoint folders are temp folders made here.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listEntries, openQuarantine } from "../../src/actions/quarantine/index.js";
import type { ScanReport } from "../../src/core/report/index.js";
import { essentials, writeTestTree, type TestTree } from "../../src/scan/checkpoint/_test-tree.js";
import { runIocscan } from "./run-cli.js";

const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;

let work: string;
let reference: TestTree;
let victim: TestTree;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-resume-cli-"));
  // Enough files that the scan, stretched by --max-cpu, outlasts several kills.
  reference = writeTestTree(mkdtempSync(join(work, "ref-")), 10000, 211);
  victim = writeTestTree(mkdtempSync(join(work, "kill-")), 10000, 211);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }), 60_000);

/** A small deterministic generator: the kill times differ between runs of the test only through the machine's speed. */
function random(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/** Runs the CLI; kills it with SIGKILL after `killAfterMs` unless it ended before. */
async function runUntilKilled(args: readonly string[], killAfterMs: number): Promise<{ killed: boolean; status: number | null; stdout: string }> {
  const child = spawn(process.execPath, ["--import", tsxLoader, main, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  const [status, signal] = (await once(child, "exit")) as [number | null, string | null];
  clearTimeout(timer);
  return { killed: signal === "SIGKILL", status, stdout };
}

/**
 * Runs the CLI and sends it SIGINT (Ctrl-C) `afterMs` after `started()` holds (the scan has made
 * its checkpoint folder, say); resolves to its status and standard error.
 */
async function interruptAfter(args: readonly string[], started: () => boolean, afterMs: number): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", tsxLoader, main, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = once(child, "exit") as Promise<[number | null]>;
  while (!started() && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
  const timer = setTimeout(() => child.kill("SIGINT"), afterMs);
  const [status] = await exited;
  clearTimeout(timer);
  return { status, stderr };
}

/** Splits a command line the CLI printed into words, as a shell would (it quotes with '...' only). */
const shellWords = (line: string): string[] => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? "");

const scanArgs = (t: TestTree, extra: readonly string[]): string[] => [
  "scan", "--no-db", "--no-hash-cache", "--format", "json", "--files", "on", "--action", "quarantine", "--quarantine", join(t.root, "store"), ...extra,
];

describe("iocscan scan killed and resumed", () => {
  it("SIGKILL at random points, then --resume, gives the uninterrupted report and quarantines once", async () => {
    const whole = runIocscan([...scanArgs(reference, ["--no-checkpoint"]), "--ioc", reference.ioc, "--scope", reference.tree]);
    expect(whole.status, whole.stderr).toBe(1);
    const expected = JSON.parse(whole.stdout) as ScanReport;
    expect(expected.detections[0]?.objects).toHaveLength(reference.planted.length);

    const checkpoints = join(victim.root, "checkpoints");
    const next = random(20261128);
    // --max-cpu stretches the scan to several seconds on any machine, so the kills land inside it
    // (4 %: at 10 % a faster scan of these 10,000 small files sometimes ended before two kills)
    // (a resumed scan keeps the limit: it is one of the settings its checkpoint records).
    const start = [...scanArgs(victim, ["--checkpoint-dir", checkpoints, "--checkpoint-interval", "0.2", "--max-cpu", "4"]), "--ioc", victim.ioc, "--scope", victim.tree];
    let kills = 0;
    let final: ScanReport | undefined;
    for (let attempt = 0; attempt < 12 && final === undefined; attempt++) {
      const saved = existsSync(checkpoints) ? readdirSync(checkpoints).filter((n) => n.endsWith(".checkpoint.json")) : [];
      expect(saved.length).toBeLessThanOrEqual(1);
      const args = saved[0] ? [...scanArgs(victim, ["--checkpoint-dir", checkpoints, "--checkpoint-interval", "0.2"]), "--resume", saved[0].replace(".checkpoint.json", "")] : start;
      // Later attempts are left to finish, so the test ends.
      const run = await runUntilKilled(args, attempt < 8 ? 1500 + next() * 3500 : 120_000);
      if (run.killed) {
        kills++;
        continue;
      }
      expect(run.status).toBe(1);
      final = JSON.parse(run.stdout) as ScanReport;
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    expect(final).toBeDefined();
    const report = final as ScanReport;
    expect(essentials(report, { from: victim.root, to: reference.root })).toEqual(essentials(expected));
    expect(report.detections.flatMap((d) => d.actions).every((a) => a.status === "done")).toBe(true);
    const entries = await listEntries(await openQuarantine({ dir: join(victim.root, "store") }));
    expect(entries.map((e) => e.meta.originalPath).sort()).toEqual([...victim.planted].sort());
    expect(readdirSync(checkpoints).filter((n) => n.endsWith(".checkpoint.json"))).toEqual([]);
  }, 600_000);

  it("Ctrl-C stops a scan with the command that resumes it, naming where its checkpoint is; or says it cannot be resumed", async () => {
    const checkpoints = join(work, "interrupted checkpoints");
    const db = join(work, "interrupted.db");
    // --max-cpu: still running when the signal comes.
    const args = ["scan", "--db", db, "--no-hash-cache", "--format", "json", "--max-cpu", "4", "--ioc", reference.ioc, "--scope", reference.tree];
    const stopped = await interruptAfter([...args, "--checkpoint-dir", checkpoints], () => existsSync(checkpoints), 500);
    expect(stopped.status, stopped.stderr).toBe(2);
    const command = /continue it with: iocscan (scan --resume .*)$/m.exec(stopped.stderr)?.[1] ?? "";
    expect(command, stopped.stderr).toContain(`--checkpoint-dir '${checkpoints}' --db ${db}`);
    // The printed options find it: without the id, --resume lists it.
    const [, , id, ...location] = shellWords(command);
    const listed = runIocscan(["scan", "--resume", ...location]);
    expect(listed.stdout).toContain(id);

    // Checkpoints that cannot be written (a file where their folder should be): no false promise.
    const blocked = join(work, "not-a-folder");
    writeFileSync(blocked, "x");
    const unsaved = await interruptAfter([...args, "--checkpoint-dir", blocked], () => true, 3000);
    expect(unsaved.status).toBe(2);
    expect(unsaved.stderr).toMatch(/interrupted; it cannot be resumed: its checkpoints could not be written/);
    expect(unsaved.stderr).not.toContain("--resume");
  }, 60_000);

  it("Ctrl-C stops iocscan collect --out and leaves neither the snapshot nor its partial file", async () => {
    const folder = mkdtempSync(join(work, "collect-"));
    const out = join(folder, "host.json");
    const partial = (): boolean => readdirSync(folder).some((name) => name.endsWith(".partial"));
    // Both trees, hashed and with strings: long enough to be stopped in the middle.
    const args = ["collect", "--no-hash-cache", "--strings", "--out", out, "--scope", reference.tree, "--scope", victim.tree, "--processes", "off", "--ports", "off", "--modules", "off", "--volumes", "off"];
    const stopped = await interruptAfter(args, partial, 100);
    expect(stopped.status, stopped.stderr).toBe(2);
    expect(stopped.stderr).toContain(`collection stopped; nothing written to "${out}"`);
    expect(readdirSync(folder)).toEqual([]);
  }, 60_000);

  it("--resume without an id lists interrupted scans; an unknown id is a clear error", () => {
    const empty = mkdtempSync(join(work, "none-"));
    expect(runIocscan(["scan", "--resume", "--checkpoint-dir", empty]).stdout).toMatch(/no interrupted scan/);
    const unknown = runIocscan(["scan", "--no-db", "--resume", "0f0e-unknown", "--checkpoint-dir", empty]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no interrupted scan 0f0e-unknown/);
    const both = runIocscan(["scan", "--no-db", "--resume", "x", "--ioc", "a.ioc"]);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/give no --ioc/);
  });
});
