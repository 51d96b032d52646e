/**
 * A checkpoint decides what a resumed scan scans and whether it quarantines: one that another
 * user could have written, or a link, is refused, and a scan cannot be resumed twice at once.
 * Trees, stores and checkpoint folders are temp folders made here.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIocscan } from "../../../test/cli/run-cli.js";
import { resumeHostScan, scanHost, type HostScanOptions } from "../host-scan.js";
import { ScanInterruptedError } from "../live-scan.js";
import { actionJournalFile, checkpointFile } from "./checkpoint-file.js";
import { writeTestTree, type TestTree } from "./_test-tree.js";

let work: string;
let t: TestTree;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-checkpoint-trust-"));
  t = writeTestTree(join(work), 1500);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An interrupted scan's checkpoint folder and id. */
async function interrupted(name: string): Promise<{ dir: string; id: string }> {
  const dir = join(work, name);
  const controller = new AbortController();
  let seen = 0;
  const options: HostScanOptions = {
    iocPaths: [t.ioc],
    scopes: [t.tree],
    switches: { FileItem: "on" },
    checkpointDir: dir,
    checkpointIntervalMs: 1,
    signal: controller.signal,
    gate: { mustPause: () => (++seen >= 3 && controller.abort(), false), waitToContinue: () => Promise.resolve(), describe: () => "" },
  };
  const error = await scanHost(options).then(() => undefined, (e: unknown) => e);
  if (!(error instanceof ScanInterruptedError)) throw new Error("the scan was not interrupted");
  return { dir, id: error.scanId };
}

describe("resuming from a checkpoint someone else may have written", () => {
  it("resumeHostScan refuses a checkpoint other users may write, or whose folder they may write", async () => {
    const { dir, id } = await interrupted("writable");
    const file = checkpointFile(dir, id);
    chmodSync(file, 0o666);
    await expect(resumeHostScan(dir, id)).rejects.toThrow(`${file}: refused: other users may write to the file (mode 666)`);
    chmodSync(file, 0o600);
    chmodSync(dir, 0o777);
    await expect(resumeHostScan(dir, id)).rejects.toThrow(`${dir}: refused: other users may write to the folder (mode 777)`);
    chmodSync(dir, 0o700);
  });

  it("resumeHostScan refuses a checkpoint or an action journal that is a symbolic link", async () => {
    const { dir, id } = await interrupted("linked");
    const file = checkpointFile(dir, id);
    renameSync(file, join(work, "elsewhere.json"));
    symlinkSync(join(work, "elsewhere.json"), file);
    await expect(resumeHostScan(dir, id)).rejects.toThrow(`${file}: refused: it is a symbolic link`);
    rmSync(file);
    renameSync(join(work, "elsewhere.json"), file);
    const victim = join(work, "victim.txt");
    writeFileSync(victim, "keep\n");
    symlinkSync(victim, actionJournalFile(dir, id));
    const { openActionJournal } = await import("./action-journal.js");
    await expect(openActionJournal(actionJournalFile(dir, id))).rejects.toThrow("refused: it is a symbolic link");
    expect(readFileSync(victim, "utf8")).toBe("keep\n");
  });

  it("resumeHostScan explains a checkpoint whose settings have the wrong types instead of failing inside the scan", async () => {
    const { dir, id } = await interrupted("typed");
    const file = checkpointFile(dir, id);
    const data = JSON.parse(readFileSync(file, "utf8")) as { settings: Record<string, unknown> };
    data.settings["scopes"] = "/";
    writeFileSync(file, JSON.stringify(data));
    await expect(resumeHostScan(dir, id)).rejects.toThrow(`${file}: not a scan checkpoint (settings.scopes: Invalid input: expected array, received string)`);
  });

  it("iocscan scan --resume refuses a scan another live process holds, and takes over one a dead process left", async () => {
    // This test process interrupted the scan and holds its lock while it lives.
    const { dir, id } = await interrupted("locked");
    const busy = runIocscan(["scan", "--resume", id, "--checkpoint-dir", dir, "--no-db"]);
    expect([busy.status, busy.stderr]).toEqual([2, `iocscan: scan ${id} is running in process ${process.pid} (its lock ${join(dir, `${id}.lock`)}); wait for it to stop, or stop it\n`]);
    // A long-running holder in another process.
    const holder = spawn("sleep", ["30"]);
    try {
      writeFileSync(join(dir, `${id}.lock`), `${holder.pid}\n`);
      const again = runIocscan(["scan", "--resume", id, "--checkpoint-dir", dir, "--no-db"]);
      expect(again.stderr).toContain(`is running in process ${holder.pid}`);
    } finally {
      holder.kill();
    }
    const dead = spawnSync("true").pid;
    writeFileSync(join(dir, `${id}.lock`), `${dead}\n`);
    const resumed = runIocscan(["scan", "--resume", id, "--checkpoint-dir", dir, "--no-db", "--format", "json"]);
    expect([resumed.status, resumed.stderr]).toEqual([1, ""]);
  });
});
