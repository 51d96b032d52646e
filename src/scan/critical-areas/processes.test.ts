import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { item, linkAs, md5, planOf, startSleeper, uniqueSleep } from "./_test-fixtures.js";
import { runCriticalAreasScan } from "./index.js";
import { nameAgrees, parseStatFields } from "./processes.js";

let dir: string;
let deletedChild: ChildProcess;
let disguisedChild: ChildProcess;
let deletedPath: string;
let deletedMd5: string;
let sleeperPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "iocscan-critical-proc-"));
  // A program started from a file that is deleted while it runs.
  deletedPath = join(dir, "dropper");
  deletedMd5 = md5(await uniqueSleep(deletedPath));
  deletedChild = await startSleeper(deletedPath, deletedPath);
  await unlink(deletedPath);
  // A program started through a link named like a kernel thread: the kernel names the process
  // after the path it was started by ("kworker-fake"), /proc/PID/exe shows the real file.
  sleeperPath = join(dir, "sleeper");
  await uniqueSleep(sleeperPath);
  disguisedChild = await startSleeper(await linkAs(dir, "kworker-fake", sleeperPath), sleeperPath);
});

afterAll(async () => {
  deletedChild?.kill("SIGKILL");
  disguisedChild?.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

describe("the processes area on this computer", () => {
  it("finds the deleted running executable, the disguised process name and executables in /tmp", async () => {
    const result = await runCriticalAreasScan({ areas: ["processes"], antivirus: false });
    const mine = (pid: number | undefined): string[] =>
      result.findings.filter((f) => f.objectId === String(pid)).map((f) => f.name).sort();
    // executable-in-tmp only when the temp folder is a world-writable one (TMPDIR may point elsewhere).
    const inTmp = ["/tmp/", "/var/tmp/", "/dev/shm/"].some((prefix) => dir.startsWith(prefix)) ? ["executable-in-tmp"] : [];
    expect(mine(deletedChild.pid)).toEqual(["deleted-running-executable", ...inTmp]);
    expect(mine(disguisedChild.pid)).toEqual([...inTmp, "process-name-mismatch"]);
    const deleted = result.findings.find((f) => f.objectId === String(deletedChild.pid) && f.name === "deleted-running-executable");
    expect(deleted).toMatchObject({ area: "processes", kind: "heuristic", document: "ProcessItem", actionable: false });
    expect(deleted?.detail).toContain(deletedPath);
    const mismatch = result.findings.find((f) => f.objectId === String(disguisedChild.pid) && f.name === "process-name-mismatch");
    expect(mismatch?.detail).toContain('"kworker-fake"');
    expect(mismatch?.detail).toContain(sleeperPath);
    // Our own process (node) is an interpreter: never a name mismatch.
    expect(result.findings.filter((f) => f.objectId === String(process.pid))).toEqual([]);
  });

  it("executable-in-tmp can be turned off", async () => {
    const result = await runCriticalAreasScan({ areas: ["processes"], antivirus: false, executableInTmp: false });
    expect(result.findings.filter((f) => f.name === "executable-in-tmp")).toEqual([]);
  });

  it("checks a deleted executable's bytes through /proc/PID/exe with the IOCs", async () => {
    const plan = planOf(item("hash", "FileItem", "Md5sum", deletedMd5, "md5") + item("name", "ProcessItem", "name", "kworker-fake"));
    const result = await runCriticalAreasScan({ areas: ["processes"], antivirus: false, plan });
    const ioc = result.findings.filter((f) => f.kind === "ioc");
    expect(ioc).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ area: "processes", document: "FileItem", objectId: `/proc/${deletedChild.pid}/exe`, actionable: false }),
        expect.objectContaining({ area: "processes", document: "ProcessItem", objectId: String(disguisedChild.pid), actionable: true }),
      ]),
    );
    expect(ioc.find((f) => f.document === "FileItem")?.detail).toContain(`deleted executable of pid ${deletedChild.pid}`);
    const objects = result.detections[0]?.objects ?? [];
    expect(objects.find((o) => o.id === `/proc/${deletedChild.pid}/exe`)?.fields["Md5sum"]).toBe(deletedMd5);
  });
});

describe("process-name rules", () => {
  const never = (): Promise<boolean> => Promise.resolve(false);

  it("nameAgrees() accepts the file name, the 15-character cut, interpreters, systemd's (unit) names and aliases", async () => {
    expect(await nameAgrees("sshd", "/usr/sbin/sshd", never)).toBe(true);
    expect(await nameAgrees("systemd-journal", "/usr/lib/systemd/systemd-journald", never)).toBe(true);
    expect(await nameAgrees("backup.sh", "/usr/bin/bash", never)).toBe(true);
    expect(await nameAgrees("myscript", "/usr/bin/python3.11", never)).toBe(true);
    expect(await nameAgrees("(sd-pam)", "/usr/lib/systemd/systemd", never)).toBe(true);
    expect(await nameAgrees("vi", "/usr/bin/vim.basic", (name) => Promise.resolve(name === "vi"))).toBe(true);
    expect(await nameAgrees("dropper", "/tmp/x/dropper (deleted)", never)).toBe(true);
    expect(await nameAgrees("kworker/0:1", "/tmp/x/miner", never)).toBe(false);
    expect(await nameAgrees("systemd-journal", "/usr/bin/evil", never)).toBe(false);
  });

  it("parseStatFields() reads comm with spaces and parentheses, ppid and flags", () => {
    expect(parseStatFields("42 (a (b) c) S 1 42 42 0 -1 4194560 0 0")).toEqual({ comm: "a (b) c", ppid: 1, flags: 4194560 });
    expect(parseStatFields("garbage")).toBeUndefined();
  });
});
