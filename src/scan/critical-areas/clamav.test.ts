/**
 * Real ClamAV from Debian's packages (`apt-get install -y clamav clamav-daemon`, done by .ci/run),
 * with a signature database the test writes itself: an MD5 signature (.hdb) of files it creates
 * and the EICAR test string as a body signature (.ndb). No database is ever downloaded.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytePath, diskImage, EICAR, md5, startSleeper, startSleeperAt, uniqueSleep, writeBytes, writeFixtureHost, writeTree } from "./_test-fixtures.js";
import { clamdAlive, foundName, localSocketOf } from "./clamav.js";
import { runCriticalAreasScan, type CriticalAreasResult } from "./index.js";

const APT_LINE = "apt-get install -y --no-install-recommends clamav clamav-daemon";

function onPath(program: string): string | undefined {
  const dirs = [...(process.env["PATH"] ?? "").split(delimiter), "/usr/sbin", "/usr/bin"];
  for (const dir of dirs) {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return join(dir, program);
    } catch {
      // not here
    }
  }
  return undefined;
}

const clamscan = onPath("clamscan");
const clamd = onPath("clamd");
const inCi = process.env["CI"] === "true";
if (clamscan === undefined && !inCi) console.warn(`SKIPPED: the ClamAV tests need clamscan; install it with: ${APT_LINE}`);
if (clamd === undefined && clamscan !== undefined) console.warn(`SKIPPED: the clamd tests need clamd; install it with: ${APT_LINE}`);

describe.runIf(clamscan === undefined && inCi)("ClamAV in CI", () => {
  it("is installed by .ci/run", () => {
    expect.fail(`clamscan is missing: .ci/run must run "${APT_LINE}"`);
  });
});

describe.skipIf(clamscan === undefined)("ClamAV with a test signature database", () => {
  let work: string;
  let root: string;
  let db: string;
  let sleeper: ChildProcess | undefined;
  let sleeperPath: string;
  /** A running program whose file name is not UTF-8: `imp<FF>lant`. */
  let byteSleeper: ChildProcess | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "iocscan-critical-clamav-"));
    root = join(work, "root");
    db = join(work, "db");
    await writeFixtureHost(root);
    await writeTree(root, { "etc/profile.d/eicar.sh": `${EICAR}\n`, "dev/sda": diskImage(EICAR) });
    const payload = await readFile(join(root, "opt/evil/bin/payload"));
    // A running program whose file is deleted: ClamAV must see its bytes through /proc/PID/exe.
    sleeperPath = join(work, "implant");
    const implant = await uniqueSleep(sleeperPath);
    sleeper = await startSleeper(sleeperPath, sleeperPath);
    await unlink(sleeperPath);
    // Names that are not UTF-8: they reach clamscan as bytes (its file list) and clamd by their bytes.
    await writeBytes(bytePath(root, "/etc/profile.d/ev", [0xff], "il.sh"), `${EICAR}\n`);
    await writeBytes(bytePath(root, "/etc/systemd/system/by", [0xff], "te.service"), bytePath("[Service]\nExecStart=/opt/p", [0xe9], "y/run", [0xff], "ner\n"));
    const bytePayload = Buffer.from("payload whose name is not UTF-8\n");
    await writeBytes(bytePath(root, "/opt/p", [0xe9], "y/run", [0xff], "ner"), bytePayload);
    const byteImplantPath = bytePath(work, "/imp", [0xff], "lant");
    const byteImplant = await uniqueSleep(byteImplantPath);
    byteSleeper = await startSleeperAt(byteImplantPath);
    await writeTree(db, {
      "test.hdb":
        `${md5(payload)}:${payload.length}:Iocscan.Test.Payload\n${md5(implant)}:${implant.length}:Iocscan.Test.Implant\n` +
        `${md5(bytePayload)}:${bytePayload.length}:Iocscan.Test.BytePayload\n${md5(byteImplant)}:${byteImplant.length}:Iocscan.Test.ByteImplant\n`,
      "test.ndb": `Iocscan.Test.Eicar:0:*:${Buffer.from("EICAR-STANDARD-ANTIVIRUS-TEST-FILE").toString("hex")}\n`,
    });
  });

  afterAll(async () => {
    sleeper?.kill("SIGKILL");
    byteSleeper?.kill("SIGKILL");
    await rm(work, { recursive: true, force: true });
  });

  function expectFixtureHits(result: CriticalAreasResult): void {
    const hits = result.findings.filter((f) => f.kind === "antivirus");
    const names = new Map(hits.map((f) => [f.objectId, f]));
    expect(names.get("/opt/evil/bin/payload")).toMatchObject({ area: "startup-objects", name: "Iocscan.Test.Payload.UNOFFICIAL", document: "FileItem", actionable: true });
    expect(names.get("/etc/profile.d/eicar.sh")).toMatchObject({ area: "startup-objects", name: "Iocscan.Test.Eicar.UNOFFICIAL", actionable: true });
    // The disk's first sectors were scanned as bytes; a disk is never actionable.
    expect(names.get("/dev/sda")).toMatchObject({ area: "boot-sectors", name: "Iocscan.Test.Eicar.UNOFFICIAL", actionable: false });
    // Names that are not UTF-8, in text form.
    expect(names.get("/etc/profile.d/ev\\xFFil.sh")).toMatchObject({ area: "startup-objects", name: "Iocscan.Test.Eicar.UNOFFICIAL", actionable: true });
    expect(names.get("/opt/p\\xE9y/run\\xFFner")).toMatchObject({ area: "startup-objects", name: "Iocscan.Test.BytePayload.UNOFFICIAL", actionable: true });
    expect(names.get("/opt/p\\xE9y/run\\xFFner")?.detail).toContain("in /opt/p\\xE9y/run\\xFFner, run by by\\xFFte.service");
    expect(result.warnings.filter((w) => w.code.startsWith("antivirus"))).toEqual([]);
    // Clean objects stay clean.
    expect(names.has("/usr/local/bin/beacon.sh")).toBe(false);
    expect(result.antivirus.scanned).toBeGreaterThan(5);
  }

  it("clamscan -d finds the hash and EICAR signatures in startup objects and a boot sector", async () => {
    const result = await runCriticalAreasScan({ root, areas: ["startup-objects", "boot-sectors"], clamdSocket: null, clamavDatabase: db });
    expect(result.antivirus.engine).toBe("clamscan");
    expect(result.warnings.filter((w) => w.code.startsWith("antivirus"))).toEqual([]);
    expectFixtureHits(result);
  }, 60_000);

  it("clamscan reads a deleted running executable through /proc/PID/exe, and one whose name is not UTF-8", async () => {
    const result = await runCriticalAreasScan({ areas: ["processes"], clamdSocket: null, clamavDatabase: db, maxFileBytes: 8 * 1024 * 1024 });
    expect(result.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "antivirus", area: "processes", objectId: `/proc/${sleeper?.pid}/exe`, name: "Iocscan.Test.Implant.UNOFFICIAL", actionable: false }),
        expect.objectContaining({ kind: "antivirus", area: "processes", objectId: `${work}/imp\\xFFlant`, name: "Iocscan.Test.ByteImplant.UNOFFICIAL", actionable: true }),
      ]),
    );
  }, 120_000);

  describe.skipIf(clamd === undefined)("through clamd's socket", () => {
    let daemon: ChildProcess | undefined;
    let socket: string;

    beforeAll(async () => {
      socket = join(work, "clamd.sock");
      const conf = join(work, "clamd.conf");
      const user = process.getuid?.() === 0 ? "User root\n" : "";
      await writeFile(conf, `LocalSocket ${socket}\nDatabaseDirectory ${db}\nForeground yes\nMaxThreads 2\n${user}`);
      daemon = spawn(clamd as string, [`--config-file=${conf}`], { stdio: "ignore" });
      for (let i = 0; i < 300 && !(await clamdAlive(socket)); i++) await new Promise((resolve) => setTimeout(resolve, 200));
      if (!(await clamdAlive(socket))) throw new Error("the test's clamd did not answer within 60 s");
    }, 90_000);

    afterAll(() => {
      daemon?.kill("SIGTERM");
    });

    it("streams startup objects and a boot sector with INSTREAM", async () => {
      const result = await runCriticalAreasScan({ root, areas: ["startup-objects", "boot-sectors"], clamdSocket: socket, clamavDatabase: join(work, "unused") });
      expect(result.antivirus).toMatchObject({ engine: "clamd", detail: `clamd on ${socket}` });
      expectFixtureHits(result);
    }, 60_000);

    it("streams a deleted running executable's bytes", async () => {
      const result = await runCriticalAreasScan({ areas: ["processes"], clamdSocket: socket, maxFileBytes: 8 * 1024 * 1024 });
      expect(result.antivirus.engine).toBe("clamd");
      expect(result.findings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: "antivirus", objectId: `/proc/${sleeper?.pid}/exe`, name: "Iocscan.Test.Implant.UNOFFICIAL" }),
          expect.objectContaining({ kind: "antivirus", objectId: `${work}/imp\\xFFlant`, name: "Iocscan.Test.ByteImplant.UNOFFICIAL", actionable: true }),
        ]),
      );
    }, 120_000);
  });
});

describe("ClamAV protocol pieces", () => {
  it("foundName() and localSocketOf() read clamd's answers and configuration", () => {
    expect(foundName("Win.Test.EICAR_HDB-1 FOUND")).toBe("Win.Test.EICAR_HDB-1");
    expect(foundName("OK")).toBeUndefined();
    expect(localSocketOf("# c\nLocalSocket /run/clamav/clamd.ctl\nUser clamav\n")).toBe("/run/clamav/clamd.ctl");
    expect(localSocketOf("TCPSocket 3310\n")).toBeUndefined();
  });

  it("clamdAlive() is false when nothing listens", async () => {
    expect(await clamdAlive(join(tmpdir(), `iocscan-no-clamd-${process.pid}.sock`))).toBe(false);
  });
});
