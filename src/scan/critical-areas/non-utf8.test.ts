/**
 * Objects of the Critical Areas Scan whose paths or names are not UTF-8 (Linux names are bytes):
 * found, checked with the IOCs, flagged and reported in text form (`\xHH`, src/shared/path-text.ts)
 * like any other. An image under a temp root for the file-based areas; child processes run from
 * byte-named copies of `sleep` in a temp folder for the processes area (killed in `finally`).
 * ClamAV over such objects is in clamav.test.ts.
 */
import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytePath, diskImage, item, md5, planOf, startSleeper, startSleeperAt, uniqueSleep, writeBytes } from "./_test-fixtures.js";
import { nameAgrees } from "./processes.js";
import { runCriticalAreasScan, type CriticalAreasResult } from "./index.js";

const RELEASE = "6.1.0-bytes";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "iocscan-critical-bytes-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The content of each file the IOCs look for (unique, so an Md5sum item names exactly it), by the text form of its host path. */
const planted: Record<string, string | Buffer> = {};

/** Writes `content` at the host path `parts` of the image under `root`; `text`, the text form of that path, names a file the IOCs look for ("": a file they do not). */
async function plant(root: string, text: string, parts: (string | number[])[], content: string | Buffer): Promise<void> {
  await writeBytes(bytePath(root, ...parts), content);
  if (text !== "") planted[text] = content;
}

/** An image whose startup objects, module file, hidden module, /boot file and disk have names that are not UTF-8. */
async function writeByteHost(root: string): Promise<void> {
  await plant(root, "", ["/etc/passwd"], Buffer.concat([Buffer.from("root:x:0:0:root:/root:/bin/bash\nbob:x:1000:1000::/home/b"), Buffer.from([0xe9]), Buffer.from("b:/bin/bash\n")]));
  // A unit named with bytes, running a program whose path is bytes, written as bytes in the unit.
  await plant(root, "", ["/etc/systemd/system/ev", [0xff], "il.service"], bytePath("[Service]\nExecStart=/opt/p", [0xe9], "y/run", [0xff], "ner --daemon\n"));
  await plant(root, "/opt/p\\xE9y/run\\xFFner", ["/opt/p", [0xe9], "y/run", [0xff], "ner"], "payload run by a byte-named unit\n");
  // A crontab named with bytes, running a script whose path is bytes.
  await plant(root, "/etc/cron.d/be\\xFFacon", ["/etc/cron.d/be", [0xff], "acon"], bytePath("*/5 * * * * root /usr/local/bin/be", [0xfe], "acon.sh >/dev/null\n"));
  await plant(root, "/usr/local/bin/be\\xFEacon.sh", ["/usr/local/bin/be", [0xfe], "acon.sh"], "#!/bin/sh\necho beacon\n");
  await plant(root, "/etc/cron.daily/da\\xFFily", ["/etc/cron.daily/da", [0xff], "ily"], "#!/bin/sh\necho daily\n");
  await plant(root, "/etc/profile.d/pro\\xFFxy.sh", ["/etc/profile.d/pro", [0xff], "xy.sh"], "export http_proxy=http://203.0.113.7:3128\n");
  await plant(root, "/etc/init.d/in\\xFFit", ["/etc/init.d/in", [0xff], "it"], "#!/bin/sh\n# init script\n");
  // /etc/rc.local is a link inside the image to a file whose name is bytes.
  await plant(root, "/opt/t\\xFFarget/rc", ["/opt/t", [0xff], "arget/rc"], "#!/bin/sh\n# rc.local's target\n");
  await symlink(bytePath("/opt/t", [0xff], "arget/rc"), bytePath(root, "/etc/rc.local"));
  // A user whose home folder's name is bytes (as /etc/passwd writes it): its rc file and an autostart entry.
  await plant(root, "/home/b\\xE9b/.bashrc", ["/home/b", [0xe9], "b/.bashrc"], "alias ll='ls -l'\n");
  await plant(root, "", ["/home/b", [0xe9], "b/.config/autostart/up", [0xff], ".desktop"], bytePath("[Desktop Entry]\nExec=/home/b", [0xe9], "b/.local/bin/up", [0xff], "dater %U\n"));
  await plant(root, "/home/b\\xE9b/.local/bin/up\\xFFdater", ["/home/b", [0xe9], "b/.local/bin/up", [0xff], "dater"], "updater bytes\n");
  await plant(root, "", ["/etc/ld.so.preload"], bytePath("/usr/lib/lib", [0xff], "evil.so\n"));
  await plant(root, "/usr/lib/lib\\xFFevil.so", ["/usr/lib/lib", [0xff], "evil.so"], "not really a library\n");
  // A loaded module whose file's folder is bytes; a hidden module whose name is bytes.
  await plant(root, "", ["/proc/modules"], "evilmod 16384 0 - Live 0x0000000000000000\n");
  await plant(root, "", ["/proc/sys/kernel/osrelease"], `${RELEASE}\n`);
  await plant(root, "", ["/sys/module/evilmod/initstate"], "live\n");
  await plant(root, "", ["/sys/module/hid", [0xff], "den/initstate"], "live\n");
  await plant(root, "", [`/lib/modules/${RELEASE}/modules.dep`], bytePath("kernel/d", [0xe9], "v/evilmod.ko:\n"));
  await plant(root, `/lib/modules/${RELEASE}/kernel/d\\xE9v/evilmod.ko`, [`/lib/modules/${RELEASE}/kernel/d`, [0xe9], "v/evilmod.ko"], "evil module bytes\n");
  await plant(root, "/boot/vmlinuz-\\xFF", ["/boot/vmlinuz-", [0xff]], "kernel image bytes\n");
  await plant(root, "", ["/sys/block/sd", [0xff], "/size"], "2048\n");
  await writeBytes(bytePath(root, "/dev/sd", [0xff]), diskImage("byte-named disk"));
}

const U_FFFD = "\ufffd";

describe("the file-based areas of an image whose names are not UTF-8", () => {
  let root: string;
  let result: CriticalAreasResult;

  beforeAll(async () => {
    root = join(work, "root");
    await writeByteHost(root);
    const hashes = Object.values(planted).map((content, i) => item(`h${i}`, "FileItem", "Md5sum", md5(content), "md5"));
    const plan = planOf(
      [
        ...hashes,
        item("name", "FileItem", "FileName", "run\\xFFner"),
        item("path", "FileItem", "FullPath", "/home/b\\xE9b/.bashrc"),
        item("mbr", "FileItem", "Md5sum", md5(diskImage("byte-named disk").subarray(0, 64 * 1024)), "md5"),
      ].join(""),
    );
    result = await runCriticalAreasScan({ root, plan, antivirus: false });
  });

  it("finds every startup object, module file, /boot file and disk, checks it with the IOCs and reports it in text form", () => {
    const ioc = result.findings.filter((f) => f.kind === "ioc");
    const ids = [...new Set(ioc.map((f) => f.objectId))].sort();
    expect(ids).toEqual([...Object.keys(planted), "/dev/sd\\xFF"].sort());
    const byId = new Map(ioc.map((f) => [f.objectId, f]));
    expect(byId.get("/opt/p\\xE9y/run\\xFFner")).toMatchObject({ area: "startup-objects", document: "FileItem", actionable: true });
    expect(byId.get("/opt/p\\xE9y/run\\xFFner")?.detail).toContain("run by ev\\xFFil.service");
    expect(byId.get("/usr/local/bin/be\\xFEacon.sh")?.detail).toContain("run by /etc/cron.d/be\\xFFacon");
    expect(byId.get("/home/b\\xE9b/.local/bin/up\\xFFdater")?.detail).toContain("started by /home/b\\xE9b/.config/autostart/up\\xFF.desktop");
    expect(byId.get("/home/b\\xE9b/.bashrc")?.detail).toContain("shell start-up file of /home/b\\xE9b");
    expect(byId.get("/usr/lib/lib\\xFFevil.so")?.detail).toContain("preloaded by /etc/ld.so.preload");
    expect(byId.get(`/lib/modules/${RELEASE}/kernel/d\\xE9v/evilmod.ko`)).toMatchObject({ area: "kernel-modules", actionable: true });
    expect(byId.get("/boot/vmlinuz-\\xFF")?.area).toBe("boot-sectors");
    expect(byId.get("/dev/sd\\xFF")).toMatchObject({ area: "boot-sectors", actionable: false });
    // The detection's objects are named, and their FileName/FullPath fields written, in text form.
    const objects = result.detections.flatMap((d) => d.objects);
    expect(objects.find((o) => o.id === "/opt/p\\xE9y/run\\xFFner")?.fields["FileName"]).toBe("run\\xFFner");
    expect(objects.find((o) => o.id === "/home/b\\xE9b/.bashrc")?.fields["FullPath"]).toBe("/home/b\\xE9b/.bashrc");
    expect(objects.find((o) => o.id === "/opt/p\\xE9y/run\\xFFner")?.actionable).toBe(true);
  });

  it("flags the hidden module and the preloaded library by the text form of their names", () => {
    const heuristics = result.findings.filter((f) => f.kind === "heuristic");
    expect(heuristics.find((f) => f.name === "hidden-kernel-module")).toMatchObject({ objectId: "hid\\xFFden", document: "ModuleItem" });
    expect(heuristics.find((f) => f.name === "hidden-kernel-module")?.detail).toContain('"hid\\xFFden"');
    expect(heuristics.find((f) => f.name === "non-empty-ld-so-preload")?.detail).toContain('"/usr/lib/lib\\xFFevil.so"');
    expect(result.areasScanned.find((a) => a.area === "boot-sectors")?.note).toBe("disks: sd\\xFF: MBR");
  });

  it("warns about nothing and writes no U+FFFD anywhere", () => {
    expect(result.warnings).toEqual([]);
    expect(JSON.stringify(result)).not.toContain(U_FFFD);
  });
});

describe("the processes area with programs whose names are not UTF-8", () => {
  it("checks, flags and reports them by the text form of their paths", async () => {
    const dir = join(work, "proc");
    const runner = bytePath(dir, "/run", [0xff], "ner");
    const gone = bytePath(dir, "/gone", [0xff], "x");
    // The kernel keeps the first 15 bytes of a name: here 14 "a" and the first byte of "é".
    const cut = join(dir, "aaaaaaaaaaaaaaéz");
    await mkdir(dir);
    const runnerMd5 = md5(await uniqueSleep(runner));
    await uniqueSleep(gone);
    await uniqueSleep(cut);
    await symlink(runner, bytePath(dir, "/kworker", [0xff]));
    const children: ChildProcess[] = [];
    try {
      const plain = await startSleeperAt(runner);
      children.push(plain);
      // Started through a link named like a kernel thread: the process is named "kworker\xFF".
      const disguised = await startSleeperAt(bytePath(dir, "/kworker", [0xff]), runner);
      children.push(disguised);
      const deleted = await startSleeperAt(gone);
      children.push(deleted);
      await unlink(gone);
      const cutName = await startSleeper(cut, cut);
      children.push(cutName);

      const plan = planOf(item("hash", "FileItem", "Md5sum", runnerMd5, "md5") + item("gone", "FileItem", "FileName", "gone\\xFFx"));
      const result = await runCriticalAreasScan({ areas: ["processes"], antivirus: false, plan });
      const text = (name: string): string => `${dir}/${name}`;
      const flags = (child: ChildProcess): string[] => result.findings.filter((f) => f.kind === "heuristic" && f.objectId === String(child.pid)).map((f) => f.name).sort();
      const detail = (child: ChildProcess, name: string): string | undefined => result.findings.find((f) => f.objectId === String(child.pid) && f.name === name)?.detail;
      const inTmp = ["/tmp/", "/var/tmp/", "/dev/shm/"].some((prefix) => dir.startsWith(prefix)) ? ["executable-in-tmp"] : [];

      // The executable is found and checked: the IOC names it in text form, as a file to act on.
      const ioc = result.findings.filter((f) => f.kind === "ioc");
      expect(ioc.find((f) => f.objectId === text("run\\xFFner"))).toMatchObject({ area: "processes", document: "FileItem", actionable: true });
      expect(ioc.find((f) => f.objectId === text("run\\xFFner"))?.detail).toContain(`executable of pid ${plain.pid} (run\\xFFner)`);
      expect(flags(plain)).toEqual(inTmp);
      if (inTmp.length > 0) expect(detail(plain, "executable-in-tmp")).toContain(`"${text("run\\xFFner")}"`);

      expect(flags(disguised)).toEqual([...inTmp, "process-name-mismatch"]);
      expect(detail(disguised, "process-name-mismatch")).toBe(
        `pid ${disguised.pid} is named "kworker\\xFF" but runs "${text("run\\xFFner")}" (a process disguised under another program's name, e.g. a kernel thread's)`,
      );

      // The deleted one: read through /proc/PID/exe, its FileName from its former path in text form.
      expect(flags(deleted)).toEqual(["deleted-running-executable", ...inTmp]);
      expect(detail(deleted, "deleted-running-executable")).toContain(`runs "${text("gone\\xFFx")}", which was deleted`);
      const goneObject = result.detections.flatMap((d) => d.objects).find((o) => o.id === `/proc/${deleted.pid}/exe`);
      expect(goneObject).toMatchObject({ actionable: false, fields: { FileName: "gone\\xFFx" } });

      // A name the kernel cut inside a UTF-8 character still agrees with its program.
      expect(flags(cutName)).toEqual(inTmp);
      expect(JSON.stringify(result.findings.filter((f) => children.some((c) => f.objectId === String(c.pid) || f.detail.includes(`pid ${c.pid} `))))).not.toContain(U_FFFD);
    } finally {
      for (const child of children) child.kill("SIGKILL");
    }
  });

  it("nameAgrees() compares a cut name by its bytes", async () => {
    const never = (): Promise<boolean> => Promise.resolve(false);
    expect(await nameAgrees("aaaaaaaaaaaaaa\udcc3", "/x/aaaaaaaaaaaaaaéz", never)).toBe(true);
    expect(await nameAgrees("run\udcffner", "/x/run\udcffner", never)).toBe(true);
    expect(await nameAgrees("aaaaaaaaaaaaaa\udcc4", "/x/aaaaaaaaaaaaaaéz", never)).toBe(false);
    expect(await nameAgrees("kworker\udcff", "/x/run\udcffner", never)).toBe(false);
  });
});
