import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diskImage, item, md5, planOf, writeFixtureHost, writeTree } from "./_test-fixtures.js";
import { runCriticalAreasScan } from "./index.js";
import { unitCommands, desktopCommand, preloadEntries } from "./startup.js";
import { commandPaths } from "./host-files.js";
import { partitionTable } from "./boot.js";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "iocscan-critical-"));
  await writeFixtureHost(root);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const NO_AV = { antivirus: false } as const;

describe("runCriticalAreasScan() on an image under --root", () => {
  it("flags a non-empty /etc/ld.so.preload and a kernel module hidden from /proc/modules", async () => {
    const result = await runCriticalAreasScan({ root, ...NO_AV });
    const heuristics = result.findings.filter((f) => f.kind === "heuristic");
    expect(heuristics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ area: "startup-objects", name: "non-empty-ld-so-preload", objectId: "/etc/ld.so.preload", document: "FileItem", actionable: false }),
        expect.objectContaining({ area: "kernel-modules", name: "hidden-kernel-module", objectId: "evilmod", document: "ModuleItem", actionable: false }),
      ]),
    );
    // ext4 is listed; printk is built in (no initstate): neither is hidden.
    expect(heuristics.filter((f) => f.name === "hidden-kernel-module").map((f) => f.objectId)).toEqual(["evilmod"]);
    expect(heuristics.find((f) => f.name === "non-empty-ld-so-preload")?.detail).toContain("/usr/lib/libevil.so");
    expect(result.areasScanned.find((a) => a.area === "processes")?.note).toMatch(/live only/);
    expect(result.antivirus.engine).toBe("none");
  });

  it("an empty or comment-only ld.so.preload is no finding", async () => {
    const quiet = await mkdtemp(join(tmpdir(), "iocscan-critical-quiet-"));
    try {
      await writeFixtureHostMinimal(quiet);
      const result = await runCriticalAreasScan({ root: quiet, ...NO_AV });
      expect(result.findings).toEqual([]);
    } finally {
      await rm(quiet, { recursive: true, force: true });
    }
  });

  it("checks every area object with the task's IOCs: unit, cron, autostart and preload targets, module files, /boot, the disk's first sectors", async () => {
    const plan = planOf(
      [
        item("payload", "FileItem", "FileName", "payload"),
        item("beacon", "FileItem", "FileName", "beacon.sh"),
        item("updater", "FileItem", "FileName", "updater"),
        item("preload", "FileItem", "FileName", "libevil.so"),
        item("module", "FileItem", "FileName", "ext4.ko"),
        item("grub", "FileItem", "FileName", "grub.cfg"),
        item("profile", "FileItem", "FileName", "proxy.sh"),
        item("bashrc", "FileItem", "FullPath", "/home/alice/.bashrc"),
        item("mbr", "FileItem", "Md5sum", md5(diskImage("fixture boot code").subarray(0, 64 * 1024)), "md5"),
        item("service", "ServiceItem", "name", "evil.service"),
      ].join(""),
    );
    const result = await runCriticalAreasScan({ root, plan, ...NO_AV });
    const ioc = result.findings.filter((f) => f.kind === "ioc");
    const byId = new Map(ioc.map((f) => [f.objectId, f]));
    expect([...byId.keys()].sort()).toEqual(
      [
        "/opt/evil/bin/payload",
        "/usr/local/bin/beacon.sh",
        "/home/alice/.local/bin/updater",
        "/usr/lib/libevil.so",
        `/lib/modules/6.1.0-fixture/kernel/fs/ext4/ext4.ko`,
        "/boot/grub/grub.cfg",
        "/etc/profile.d/proxy.sh",
        "/home/alice/.bashrc",
        "/dev/sda",
        "evil.service",
      ].sort(),
    );
    expect(byId.get("/opt/evil/bin/payload")).toMatchObject({ area: "startup-objects", document: "FileItem", actionable: true, name: "Critical areas test" });
    expect(byId.get("/opt/evil/bin/payload")?.detail).toContain("run by evil.service");
    expect(byId.get("/lib/modules/6.1.0-fixture/kernel/fs/ext4/ext4.ko")?.area).toBe("kernel-modules");
    // A disk is never quarantined.
    expect(byId.get("/dev/sda")).toMatchObject({ area: "boot-sectors", actionable: false });
    expect(byId.get("evil.service")).toMatchObject({ area: "startup-objects", document: "ServiceItem", actionable: false });
    // The same detection, in the report's shape.
    expect(result.detections).toHaveLength(1);
    expect(result.detections[0]?.objects.find((o) => o.id === "/dev/sda")?.actionable).toBe(false);
    expect(result.detections[0]?.objects.find((o) => o.id === "/opt/evil/bin/payload")?.actionable).toBe(true);
    expect(result.areasScanned.find((a) => a.area === "boot-sectors")?.note).toBe("disks: sda: MBR");
  });

  it("keeps within its limits: files per area, file size, time budget", async () => {
    const plan = planOf(item("any", "FileItem", "Md5sum", "0".repeat(32), "md5"));
    const small = await runCriticalAreasScan({ root, plan, ...NO_AV, maxFilesPerArea: 2, maxFileBytes: 10 });
    const startup = small.areasScanned.find((a) => a.area === "startup-objects");
    expect(startup?.files).toBe(2);
    expect(startup?.filesOverLimit).toBeGreaterThan(0);
    expect(small.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(["area-limit", "too-large"]));

    const none = await runCriticalAreasScan({ root, plan, ...NO_AV, timeBudgetMs: 0 });
    expect(none.warnings.map((w) => w.code)).toContain("time-budget-exceeded");
    expect(none.findings).toEqual([]);
    expect(none.areasScanned.every((a) => a.note !== undefined)).toBe(true);
  });

  it("warns \"antivirus engine not available\" without ClamAV or signatures, and still scans", async () => {
    const emptyDb = await mkdtemp(join(tmpdir(), "iocscan-critical-db-"));
    try {
      const noDb = await runCriticalAreasScan({ root, areas: ["startup-objects"], clamdSocket: null, clamavDatabase: emptyDb });
      const noProgram = await runCriticalAreasScan({ root, areas: ["startup-objects"], clamdSocket: join(emptyDb, "no.sock"), clamscanPath: join(emptyDb, "clamscan") });
      for (const result of [noDb, noProgram]) {
        expect(result.antivirus.engine).toBe("none");
        const unavailable = result.warnings.filter((w) => w.code === "antivirus-unavailable");
        expect(unavailable).toHaveLength(1);
        expect(unavailable[0]?.message).toMatch(/^antivirus engine not available: /);
        expect(result.findings.map((f) => f.name)).toContain("non-empty-ld-so-preload");
      }
    } finally {
      await rm(emptyDb, { recursive: true, force: true });
    }
  });
});

describe("parsers", () => {
  it("unitCommands() takes every Exec*= line of [Service], prefixes and continuations handled", () => {
    const text = "[Unit]\nExecStart=/not/service\n[Service]\nExecStartPre=-/bin/mkdir -p /run/x\nExecStart=@/usr/sbin/daemon daemon-name --flag \\\n  --more\nExecStop=\n";
    expect(unitCommands(text)).toEqual(["/bin/mkdir -p /run/x", "/usr/sbin/daemon --flag --more"]);
  });

  it("desktopCommand() drops field codes; preloadEntries() splits on blanks and colons", () => {
    expect(desktopCommand("[Desktop Entry]\nExec=/opt/x/run %U --now\n[Desktop Action y]\nExec=/no\n")).toBe("/opt/x/run  --now");
    expect(preloadEntries("# c\n/lib/a.so /lib/b.so:/lib/c.so\n\n")).toEqual(["/lib/a.so", "/lib/b.so", "/lib/c.so"]);
  });

  it("commandPaths() finds the program and the absolute paths of a shell command", () => {
    expect(commandPaths("FOO=1 /usr/local/bin/x.sh >/dev/null 2>&1 && run-parts /etc/cron.daily")).toEqual({
      first: "/usr/local/bin/x.sh",
      absolute: ["/usr/local/bin/x.sh", "/etc/cron.daily"],
    });
    expect(commandPaths("test -x /usr/sbin/anacron || true").first).toBe("test");
  });

  it("partitionTable() tells GPT, MBR and nothing apart", () => {
    const gpt = Buffer.alloc(1024);
    gpt.write("EFI PART", 512, "latin1");
    expect(partitionTable(gpt)).toBe("GPT");
    expect(partitionTable(diskImage(""))).toBe("MBR");
    expect(partitionTable(Buffer.alloc(1024))).toBe("none");
  });
});

async function writeFixtureHostMinimal(dir: string): Promise<void> {
  await writeTree(dir, {
    "etc/ld.so.preload": "# nothing preloaded\n\n",
    "proc/modules": "ext4 1003520 1 - Live 0x0000000000000000\n",
    "sys/module/ext4/initstate": "live\n",
  });
}
