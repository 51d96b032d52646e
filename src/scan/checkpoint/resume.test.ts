/**
 * Pause, interruption and resumption of a live scan, in process: a scan paused by its gate writes
 * a checkpoint and goes on; a scan aborted part-way is resumed from its checkpoint (several times)
 * and reports exactly what an uninterrupted scan of the same tree reports; quarantine actions are
 * applied once. Every tree and store is a temp folder made here.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listEntries, openQuarantine } from "../../actions/quarantine/index.js";
import { MAX_UNFINISHED_FILES } from "../../collectors/file/index.js";
import { resumeHostScan, scanHost, type HostScanOptions } from "../host-scan.js";
import { scanDependencies } from "../dependencies.js";
import { ScanInterruptedError, scanLive } from "../live-scan.js";
import { checkpointFile } from "./checkpoint-file.js";
import type { RunnerState, WorkGate } from "./runner-state.js";
import { essentials, writeTestTree, type TestTree } from "./_test-tree.js";

let work: string;
let t: TestTree;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-checkpoint-"));
  t = writeTestTree(join(work), 1500);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const base = (): HostScanOptions => ({ iocPaths: [t.ioc], scopes: [t.tree], switches: { FileItem: "on" } });

/**
 * Aborts the scan at its `stops`-th stop: a gate that never pauses but counts where the scan asks
 * it, after each record and after each folder's files that the digest gate left out (the IOC is
 * a hash list: most files make no record).
 */
function abortAfter(stops: number): { signal: AbortSignal; gate: WorkGate } {
  const controller = new AbortController();
  let seen = 0;
  return {
    signal: controller.signal,
    gate: {
      mustPause: () => {
        if (++seen >= stops) controller.abort();
        return false;
      },
      waitToContinue: () => Promise.resolve(),
      describe: () => "",
    },
  };
}

/** How many stops an uninterrupted scan makes: interruptions are placed as fractions of it. */
async function stopsOf(options: HostScanOptions): Promise<number> {
  let stops = 0;
  await scanHost({ ...options, gate: { mustPause: () => (stops++, false), waitToContinue: () => Promise.resolve(), describe: () => "" } });
  return stops;
}

describe("checkpointed live scans", () => {
  it("an uninterrupted scan finds the planted files and leaves no checkpoint behind", async () => {
    const dir = join(work, "cp-plain");
    const report = await scanHost({ ...base(), checkpointDir: dir });
    expect(report.detections[0]?.objects.map((o) => o.id).sort()).toEqual([...t.planted].sort());
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it("a gate pause writes a checkpoint, waits, and the scan goes on to the same report", async () => {
    const dir = join(work, "cp-gate");
    const reference = await scanHost(base());
    const every = Math.floor((await stopsOf(base())) / 5);
    expect(every).toBeGreaterThan(3);
    let stops = 0;
    let waits = 0;
    let checkpointSeenWhilePaused = false;
    const gate: WorkGate = {
      mustPause: () => ++stops % every === 0,
      waitToContinue: async () => {
        waits++;
        checkpointSeenWhilePaused ||= readdirSync(dir).some((n) => n.endsWith(".checkpoint.json"));
        await new Promise((r) => setTimeout(r, 20));
      },
      describe: () => "test gate",
    };
    const changes: string[] = [];
    const report = await scanHost({ ...base(), checkpointDir: dir, gate, onStateChange: (c) => changes.push(c.state) });
    expect(waits).toBeGreaterThanOrEqual(3);
    expect(checkpointSeenWhilePaused).toBe(true);
    expect(changes.slice(0, 2)).toEqual(["waiting", "running"]);
    expect(report.stats["pauses"]).toBe(waits);
    expect(essentials(report)).toEqual(essentials(reference));
  });

  it("a scan aborted again and again resumes each time and reports what an uninterrupted scan reports", async () => {
    const dir = join(work, "cp-abort");
    const reference = await scanHost(base());
    const total = await stopsOf(base());
    const first = abortAfter(Math.floor(total / 6));
    let scanId: string | undefined;
    await scanHost({ ...base(), checkpointDir: dir, checkpointIntervalMs: 1, ...first }).catch((error: unknown) => {
      expect(error).toBeInstanceOf(ScanInterruptedError);
      scanId = (error as ScanInterruptedError).scanId;
    });
    expect(scanId).toBeDefined();
    const id = scanId as string;
    let rounds = 0;
    for (;;) {
      rounds++;
      expect(existsSync(checkpointFile(dir, id))).toBe(true);
      const outcome = await resumeHostScan(dir, id, { checkpointIntervalMs: 1, ...abortAfter(rounds < 4 ? Math.floor(total / 5) : Infinity) }).catch((error: unknown) => error);
      if (outcome instanceof ScanInterruptedError) continue;
      const report = outcome as Awaited<ReturnType<typeof resumeHostScan>>;
      expect(essentials(report)).toEqual(essentials(reference));
      expect(report.scanId).toBe(id);
      expect(report.stats["resumed"]).toBe(rounds);
      // Each resumption repeats at most the files that were unfinished, not the walk so far: a
      // walk restarted in each round would repeat all the files done before it.
      expect(rounds * MAX_UNFINISHED_FILES).toBeLessThan(1500);
      expect(report.stats["filesHashed"]).toBeGreaterThanOrEqual(reference.stats["filesHashed"] ?? 0);
      expect(report.stats["filesHashed"]).toBeLessThanOrEqual((reference.stats["filesHashed"] ?? 0) + rounds * MAX_UNFINISHED_FILES);
      break;
    }
    expect(rounds).toBe(4);
    expect(existsSync(checkpointFile(dir, id))).toBe(false);
  });

  it("a resumed scan of a tree where most files need no content repeats at most the bound per interruption", async () => {
    // Only the planted files have the IOC's size: the prefilter rules the others out unread.
    const copy = writeTestTree(mkdtempSync(join(work, "sized-")), 6000, 97);
    const md5 = /<Content type="md5">([0-9a-f]+)<\/Content>/.exec(readFileSync(copy.ioc, "utf8"))?.[1] ?? "";
    writeFileSync(
      copy.ioc,
      `<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="sized-test"><metadata><short_description>SIZED TEST</short_description></metadata><criteria><Indicator id="t" operator="AND">` +
        `<IndicatorItem id="s" condition="is"><Context document="FileItem" search="FileItem/SizeInBytes" type="mir"/><Content type="int">22</Content></IndicatorItem>` +
        `<IndicatorItem id="m" condition="is"><Context document="FileItem" search="FileItem/Md5sum" type="mir"/><Content type="md5">${md5}</Content></IndicatorItem>` +
        `</Indicator></criteria></OpenIOC>`,
    );
    const options: HostScanOptions = { iocPaths: [copy.ioc], scopes: [copy.tree], switches: { FileItem: "on" } };
    const reference = await scanHost(options);
    expect(reference.detections[0]?.objects).toHaveLength(copy.planted.length);
    expect(reference.stats["filesSkippedByPrefilter"]).toBe(6000 - copy.planted.length);
    const dir = join(copy.root, "cp");
    // About 62 records in 6000 files: every 12 records is some 1100 files into the walk.
    let id: string | undefined;
    await scanHost({ ...options, checkpointDir: dir, checkpointIntervalMs: 1, ...abortAfter(12) }).catch((error: unknown) => (id = (error as ScanInterruptedError).scanId));
    expect(id).toBeDefined();
    let rounds = 0;
    let report: Awaited<ReturnType<typeof resumeHostScan>> | undefined;
    while (report === undefined) {
      rounds++;
      const outcome = await resumeHostScan(dir, id as string, { checkpointIntervalMs: 1, ...abortAfter(rounds < 3 ? 12 : Infinity) }).catch((error: unknown) => error);
      if (!(outcome instanceof ScanInterruptedError)) report = outcome as Awaited<ReturnType<typeof resumeHostScan>>;
    }
    expect(rounds).toBe(3);
    expect(essentials(report)).toEqual(essentials(reference));
    // A walk restarted in round k would repeat the 1100 k files seen before it.
    expect(rounds * MAX_UNFINISHED_FILES).toBeLessThan(1100);
    const seen = reference.stats["filesSeen"] ?? 0;
    expect(report.stats["filesSeen"]).toBeGreaterThanOrEqual(seen);
    expect(report.stats["filesSeen"]).toBeLessThanOrEqual(seen + rounds * MAX_UNFINISHED_FILES);
  });

  it("quarantine is applied once per object across interruptions", async () => {
    const copy = writeTestTree(mkdtempSync(join(work, "q-")), 600, 50);
    const store = join(copy.root, "store");
    const dir = join(copy.root, "cp");
    const options: HostScanOptions = { iocPaths: [copy.ioc], scopes: [copy.tree], switches: { FileItem: "on" }, action: "quarantine", quarantineDir: store, checkpointDir: dir, checkpointIntervalMs: 1 };
    let id: string | undefined;
    await scanHost({ ...options, ...abortAfter(Math.floor((await stopsOf({ ...options, action: "report" })) / 2)) }).catch((error: unknown) => (id = (error as ScanInterruptedError).scanId));
    const report = await resumeHostScan(dir, id as string);
    const receipts = report.detections.flatMap((d) => d.actions);
    expect(receipts.map((a) => a.status)).toEqual(copy.planted.map(() => "done"));
    for (const path of copy.planted) expect(existsSync(path)).toBe(false);
    const entries = await listEntries(await openQuarantine({ dir: store }));
    expect(entries.map((e) => e.meta.originalPath).sort()).toEqual([...copy.planted].sort());
  });

  it("a short report-only scan writes no milestone checkpoint; an acting one, or one with a short interval, does", async () => {
    const small = writeTestTree(join(work, "small"), 20, 7);
    const options = { iocPaths: [small.ioc], scopes: [small.tree], switches: { FileItem: "on" as const } };
    const phases = (): { saved: RunnerState["phase"][]; save: (state: RunnerState) => Promise<void> } => {
      const saved: RunnerState["phase"][] = [];
      return { saved, save: (state) => (saved.push(state.phase), Promise.resolve()) };
    };
    // 20 files: done well within the 2 s under which a report-only scan skips its milestones.
    const reportOnly = phases();
    const report = await scanLive({ ...options, checkpointing: { save: reportOnly.save } }, scanDependencies(undefined));
    expect(report.detections[0]?.objects.map((o) => o.id).sort()).toEqual([...small.planted].sort());
    expect(reportOnly.saved).toEqual([]);
    // Acting: the records-complete checkpoint is written (and not the last collector's, which it supersedes).
    const acting = phases();
    let responded = 0;
    await scanLive({ ...options, checkpointing: { save: acting.save }, respond: () => (responded++, Promise.resolve()) }, scanDependencies(undefined));
    expect(responded).toBe(1);
    expect(acting.saved).toEqual(["responding"]);
    // An interval shorter than a scan's youth: checkpoints as before.
    const frequent = phases();
    await scanLive({ ...options, checkpointing: { save: frequent.save, intervalMs: 1 } }, scanDependencies(undefined));
    expect(frequent.saved.at(-1)).toBe("responding");
  });

  it("a checkpoint folder that cannot be written costs resumability, not the scan", async () => {
    const blocker = join(work, "not-a-folder");
    writeFileSync(blocker, "a file where the checkpoint folder should be");
    const report = await scanHost({ ...base(), checkpointDir: join(blocker, "cp") });
    expect(report.detections[0]?.objects).toHaveLength(t.planted.length);
    expect(report.warnings.find((w) => w.code === "checkpoint-failed")?.message).toMatch(/not-a-folder/);
  });

  it("refuses to resume when the IOC files changed, naming the scan", async () => {
    const copy = writeTestTree(mkdtempSync(join(work, "c-")), 200);
    const dir = join(copy.root, "cp");
    const options: HostScanOptions = { iocPaths: [copy.ioc], scopes: [copy.tree], switches: { FileItem: "on" } };
    let id = "";
    await scanHost({ ...options, checkpointDir: dir, checkpointIntervalMs: 1, ...abortAfter(Math.floor((await stopsOf(options)) / 2)) }).catch(
      (error: unknown) => (id = (error as ScanInterruptedError).scanId),
    );
    // Another IOC under the same file name.
    writeFileSync(copy.ioc, readFileSync(copy.ioc, "utf8").replace("checkpoint-test", "another-ioc"));
    await expect(resumeHostScan(dir, id)).rejects.toThrow(new RegExp(`scan ${id} cannot be resumed: its IOC files changed`));
  });
});
