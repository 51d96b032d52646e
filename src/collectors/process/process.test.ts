import { spawn, type ChildProcess } from "node:child_process";
import { copyFile, mkdir, mkdtemp, open, realpath, rm, writeFile, type FileHandle } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectAll, createTestContext, runConformance } from "../conformance.js";
import { createHostView } from "../host-view.js";
import type { HostRecord } from "../types.js";
import { processCollector } from "./process.js";
import { mappedFiles, splitCmdline } from "./read-process.js";

const live = createHostView("/");
runConformance(processCollector, (fields) => createTestContext(live, fields), { minRecords: 1 });

describe("processCollector on this computer", () => {
  const unique = `${process.pid}${Date.now()}`.slice(-9);
  // Longer than the kernel's 15-character comm, so the name rule is exercised too.
  const exeName = `iocscan-sleeper-${unique}`;
  const args = ["3600", `0.${unique}`];
  let dir = "";
  let exePath = "";
  let openedPath = "";
  let stdin: FileHandle | undefined;
  let child: ChildProcess | undefined;
  let server: Server | undefined;
  let port = 0;

  beforeAll(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), "iocscan-process-")));
    exePath = join(dir, exeName);
    openedPath = join(dir, `held-open-${unique}.txt`);
    await copyFile("/bin/sleep", exePath);
    await writeFile(openedPath, "held open by the child\n");
    stdin = await open(openedPath, "r");
    const started = spawn(exePath, args, { stdio: [stdin.fd, "ignore", "ignore"] });
    child = started;
    await new Promise<void>((resolve, reject) => {
      started.once("spawn", resolve);
      started.once("error", reject);
    });
    server = createServer();
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
    const address = listening.address();
    port = typeof address === "object" && address !== null ? address.port : 0;
  });

  afterAll(async () => {
    child?.kill("SIGKILL");
    await stdin?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  async function findPid(pid: number, fields: readonly string[]): Promise<HostRecord | undefined> {
    const records = await collectAll(processCollector, createTestContext(live, fields), undefined);
    return records.find((r) => r.fields["pid"] === pid);
  }

  it("processCollector finds the child with its pid, parent, full name, path, arguments, user and start time", async () => {
    const record = await findPid(child?.pid ?? -1, []);
    expect(record?.id).toBe(String(child?.pid));
    expect(record?.fields).toMatchObject({
      pid: child?.pid,
      parentpid: process.pid,
      name: exeName,
      path: dir,
      arguments: [exePath, ...args].join(" "),
      Username: userInfo().username,
    });
    const started = Date.parse(String(record?.fields["startTime"]));
    expect(Math.abs(started - Date.now())).toBeLessThan(10 * 60_000);
    expect(record?.fields["HandleList/Handle/Name"]).toBeUndefined();
  });

  it("processCollector lists the child's open file and mapped executable only when asked", async () => {
    const record = await findPid(child?.pid ?? -1, ["HandleList/Handle/Name", "SectionList/MemorySection/Name"]);
    expect(record?.fields["HandleList/Handle/Name"]).toContain(openedPath);
    expect(record?.fields["SectionList/MemorySection/Name"]).toContain(exePath);
  });

  it("processCollector lists this process's listening socket in its PortList", async () => {
    const record = await findPid(process.pid, ["PortList/PortItem/localPort", "PortList/PortItem/state"]);
    const ports = record?.fields["PortList/PortItem/localPort"] as number[];
    const index = ports.indexOf(port);
    expect(index).toBeGreaterThanOrEqual(0);
    expect((record?.fields["PortList/PortItem/state"] as string[])[index]).toBe("LISTEN");
    expect((record?.fields["PortList/PortItem/localIP"] as string[])[index]).toBe("127.0.0.1");
    expect((record?.fields["PortList/PortItem/protocol"] as string[])[index]).toBe("TCP");
  });

  it("processCollector counts the processes it yields", async () => {
    const context = createTestContext(live);
    const records = await collectAll(processCollector, context, undefined);
    expect(context.counts.get("processesSeen")).toBe(records.length);
  });
});

describe("processCollector on a fixture /proc", () => {
  let root = "";
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "iocscan-fakeproc-"));
    const file = async (path: string, text: string): Promise<void> => {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    };
    await file("proc/stat", "cpu  1 2 3\nbtime 1700000000\nprocesses 9\n");
    await file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
    // A kernel thread: empty cmdline, no exe link; its name holds a space and a parenthesis.
    await file("proc/2/stat", "2 (kworker/0:1 (x)) I 0 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 20 0 1 0 250 0 0\n");
    await file("proc/2/cmdline", "");
    await file("proc/2/status", "Name:\tkworker\nUid:\t0\t0\t0\t0\n");
    // A process that exited after readdir: its folder is empty.
    await mkdir(join(root, "proc/3"), { recursive: true });
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it("processCollector yields a kernel thread with what is readable and warns about a vanished pid", async () => {
    const context = createTestContext(createHostView(root));
    const records = await collectAll(processCollector, context, undefined);
    expect(records).toEqual([
      {
        document: "ProcessItem",
        id: "2",
        fields: { pid: 2, parentpid: 0, name: "kworker/0:1 (x)", Username: "root", startTime: "2023-11-14T22:13:22.500Z" },
      },
    ]);
    expect(context.warnings.map((w) => w.code)).toEqual(["vanished"]);
    expect(context.warnings[0]?.path).toBe("/proc/3");
  });

  it("splitCmdline and mappedFiles parse /proc formats", () => {
    expect(splitCmdline(Buffer.from("/bin/x\0-a\0b c\0"))).toEqual(["/bin/x", "-a", "b c"]);
    const maps = [
      "55d0-55d1 r--p 00000000 08:01 131 /usr/bin/my prog",
      "7f00-7f01 r-xp 00000000 08:01 132 /usr/lib/libc.so.6",
      "7f01-7f02 r--p 00001000 08:01 132 /usr/lib/libc.so.6",
      "7ffd-7ffe rw-p 00000000 00:00 0 [stack]",
      "7ffe-7fff rw-p 00000000 00:00 0 ",
    ].join("\n");
    expect(mappedFiles(maps)).toEqual(["/usr/bin/my prog", "/usr/lib/libc.so.6"]);
  });
});
