/**
 * `iocscan scan --idle-only`, end to end with the real CLI, driven through the documented test
 * hook (IOCSCAN_IDLE_FILE): the scan waits while the computer is "busy", runs while "idle", pauses
 * within 2 seconds each time it turns busy again (no file is looked at while paused), and its
 * final report equals that of an uninterrupted scan of the same tree. The tree is a temp folder.
 */
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/core/report/index.js";
import { essentials, writeTestTree, type TestTree } from "../../src/scan/checkpoint/_test-tree.js";
import { runIocscan } from "./run-cli.js";

const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;

let work: string;
let t: TestTree;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-idle-cli-"));
  // Enough files that three idle/busy cycles at --max-cpu 4 do not finish the scan: after each
  // pause the limiter lets a second of its share be spent at once, thousands of small files. A
  // low limit also makes the limiter's sleeps long: the pause must not wait for them.
  t = writeTestTree(work, 20000, 173);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }), 60_000);

interface Event {
  type: string;
  state?: string;
  detail?: string;
  stats?: Record<string, number>;
  at?: string;
  [key: string]: unknown;
}

/** Writes the idle hook file atomically, as the hook's README asks. */
function setIdle(file: string, state: "idle" | "busy"): void {
  writeFileSync(`${file}.tmp`, state);
  renameSync(`${file}.tmp`, file);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("iocscan scan --idle-only", () => {
  it("waits while busy, pauses within 2 s each time the computer is in use, and reports what an uninterrupted scan reports", async () => {
    const whole = runIocscan(["scan", "--no-db", "--no-hash-cache", "--no-checkpoint", "--format", "json", "--files", "on", "--ioc", t.ioc, "--scope", t.tree]);
    expect(whole.status, whole.stderr).toBe(1);
    const expected = JSON.parse(whole.stdout) as ScanReport;

    const hook = join(work, "idle-state");
    setIdle(hook, "busy");
    const child = spawn(
      process.execPath,
      ["--import", tsxLoader, main, "scan", "--no-db", "--no-hash-cache", "--idle-only", "--max-cpu", "4", "--format", "ndjson", "--files", "on", "--checkpoint-dir", join(work, "cp"), "--ioc", t.ioc, "--scope", t.tree],
      { env: { ...process.env, IOCSCAN_IDLE_FILE: hook, IOCSCAN_IDLE_POLL_MS: "100" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    const events: Event[] = [];
    let buffer = "";
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        events.push(JSON.parse(buffer.slice(0, nl)) as Event);
        buffer = buffer.slice(nl + 1);
      }
    });
    const exited = once(child, "exit");
    const seen = (): number => Math.max(0, ...events.filter((e) => e.type === "progress").map((e) => e.stats?.["filesSeen"] ?? 0));
    const waitFor = async (test: () => boolean, what: string, ms = 60_000): Promise<void> => {
      const until = Date.now() + ms;
      while (!test()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
        await sleep(50);
      }
    };

    // Busy from the start: the scan waits and looks at no file.
    await waitFor(() => events.some((e) => e.type === "state" && e.state === "waiting"), "the first wait");
    await sleep(1500);
    expect(seen()).toBe(0);

    let cycles = 0;
    for (; cycles < 3; cycles++) {
      const before = seen();
      setIdle(hook, "idle");
      await waitFor(() => seen() > before + 200, "progress while idle");
      const busyAt = Date.now();
      setIdle(hook, "busy");
      const waits = events.filter((e) => e.type === "state" && e.state === "waiting").length;
      await waitFor(() => events.filter((e) => e.type === "state" && e.state === "waiting").length > waits || events.some((e) => e.type === "summary"), "a pause");
      if (events.some((e) => e.type === "summary")) break;
      expect(Date.now() - busyAt).toBeLessThan(2000 + 1000); // 2 s goal, plus the test's own polling and a loaded machine
      const paused = seen();
      await sleep(1200);
      expect(seen(), "no file is looked at while paused").toBeLessThanOrEqual(paused + 16);
    }
    expect(cycles).toBeGreaterThanOrEqual(2);
    setIdle(hook, "idle");
    const [status] = (await exited) as [number | null];
    expect(status, stderr).toBe(1);

    const detections = events.filter((e) => e.type === "detection").map(({ type: _type, ...d }) => d);
    const summary = events.find((e) => e.type === "summary") as unknown as ScanReport & { execution?: ScanReport["execution"] };
    const report = { ...summary, detections } as unknown as ScanReport;
    expect(essentials(report)).toEqual(essentials(expected));
    expect(summary.execution?.idleOnly?.sources[0]?.name).toMatch(/file/i);
    expect(summary.execution?.idleOnly?.pauses).toBeGreaterThanOrEqual(cycles);
    expect(summary.execution?.maxCpu?.percent).toBe(4);
  }, 300_000);

  it("refuses to start when no idle source can be read, saying why", () => {
    const hook = join(work, "garbled-idle-state");
    writeFileSync(hook, "perhaps");
    const result = spawnSync(process.execPath, ["--import", tsxLoader, main, "scan", "--no-db", "--idle-only", "--ioc", t.ioc, "--scope", t.tree], {
      env: { ...process.env, IOCSCAN_IDLE_FILE: hook },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--idle-only: Cannot tell whether the computer is idle: .*perhaps/);
  });
});
