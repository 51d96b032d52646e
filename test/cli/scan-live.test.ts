/**
 * `iocscan scan` of this computer, end to end with the real CLI process: a temp tree with
 * planted files, a child process with a unique name and arguments, a listening socket on a
 * loopback port, and an image folder for `--root`. Every scan is report-only and every file scope
 * is a temp folder this test creates.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPe } from "../../src/collectors/file/_test-pe.js";
import type { ScanReport } from "../../src/core/report/index.js";
import { runIocscan } from "./run-cli.js";

const unique = randomBytes(3).toString("hex");
const processName = `ioctest-${unique}`; // 14 characters: the whole name fits in comm
// sleep sums its arguments, so a unique fraction of a second makes a unique command line.
const marker = `0.000${parseInt(unique, 16)}`;
let work: string;
let tree: string;
let child: ChildProcess;
let server: Server;
let port: number;
let plantedSha256: string;

function item(id: string, search: string, condition: string, value: string, type = "string"): string {
  return `<IndicatorItem id="${id}" condition="${condition}" preserve-case="false" negate="false"><Context document="${search.split("/")[0] ?? ""}" search="${search}" type="mir"/><Content type="${type}">${value}</Content></IndicatorItem>`;
}

function writeIoc(name: string, id: string, indicator: string): string {
  const path = join(work, "iocs", `${name}.ioc`);
  writeFileSync(path, `<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="${id}"><metadata><short_description>${name}</short_description></metadata><criteria>${indicator}</criteria></OpenIOC>`);
  return path;
}

function scan(args: string[]): { status: number | null; report: ScanReport; stderr: string } {
  const result = runIocscan(["scan", "--no-db", "--no-hash-cache", "--format", "json", ...args]);
  return { status: result.status, report: JSON.parse(result.stdout || "null") as ScanReport, stderr: result.stderr };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "iocscan-live-"));
  tree = join(work, "tree");
  mkdirSync(join(tree, "srv/app"), { recursive: true });
  mkdirSync(join(tree, "home/ann"), { recursive: true });
  mkdirSync(join(work, "iocs"));
  const planted = Buffer.from(`planted payload ${unique}`);
  plantedSha256 = createHash("sha256").update(planted).digest("hex");
  writeFileSync(join(tree, "srv/app/payload.bin"), planted);
  writeFileSync(join(tree, "srv/app/decoy.bin"), Buffer.from(`decoy ${unique}`));
  const pe = buildPe({ timeDateStamp: 1_300_416_109, sections: [".text", ".rdata"] }); // 2011-03-18T02:41:49Z
  writeFileSync(join(tree, "home/ann/gdocs.exe"), Buffer.concat([pe, Buffer.alloc(104_448 - pe.length)]));
  writeFileSync(join(tree, "home/ann/gdocs-other.exe"), Buffer.alloc(500));

  copyFileSync("/bin/sleep", join(work, processName));
  child = spawn(join(work, processName), ["3600", marker], { stdio: "ignore" });
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  child.kill("SIGKILL");
  server.close();
  rmSync(work, { recursive: true, force: true });
});

describe("iocscan scan of this computer", () => {
  it("iocscan scan finds a planted file by SHA-256 and hashes only what an IOC could match", () => {
    const ioc = writeIoc("by-hash", `hash-${unique}`, `<Indicator id="t" operator="AND">${item("h", "FileItem/Sha256sum", "is", plantedSha256, "sha256")}${item("s", "FileItem/SizeInBytes", "is", String(`planted payload ${unique}`.length), "int")}</Indicator>`);
    const { status, report } = scan(["--ioc", ioc, "--scope", tree]);
    expect(status).toBe(1);
    expect(report.detections.map((d) => d.objects.map((o) => o.id))).toEqual([[join(tree, "srv/app/payload.bin")]]);
    expect(report.detections[0]?.objects[0]?.fields).toMatchObject({ Sha256sum: plantedSha256 });
    // Four files seen, only the one whose size matches was read and hashed.
    expect(report.stats).toMatchObject({ filesSeen: 4, filesHashed: 1 });
    expect(report.coverage).toEqual({ collected: ["FileItem"], notCollected: [] });
  });

  it("iocscan scan binds name, size and PE timestamp to one file (APT1 GDOCUPLOAD shape)", () => {
    const ioc = writeIoc(
      "gdocupload",
      `gdoc-${unique}`,
      `<Indicator id="t" operator="AND">${item("n", "FileItem/FileName", "is", "gdocs.exe")}${item("z", "FileItem/SizeInBytes", "is", "104448", "int")}${item("p", "FileItem/PEInfo/PETimeStamp", "is", "2011-03-18T02:41:49Z", "date")}</Indicator>`,
    );
    const { status, report } = scan(["--ioc", ioc, "--scope", tree]);
    expect(status).toBe(1);
    expect(report.detections[0]?.objects).toEqual([
      {
        document: "FileItem",
        id: join(tree, "home/ann/gdocs.exe"),
        fields: { FileName: "gdocs.exe", SizeInBytes: 104448, "PEInfo/PETimeStamp": "2011-03-18T02:41:49Z" },
        actionable: true,
      },
    ]);
  });

  it("iocscan scan finds a running process by name and arguments, and its listening socket", () => {
    const ioc = writeIoc(
      "process-and-port",
      `proc-${unique}`,
      `<Indicator id="t" operator="OR"><Indicator id="p" operator="AND">${item("name", "ProcessItem/name", "is", processName)}${item("args", "ProcessItem/arguments", "contains", marker)}</Indicator>${item("port", "PortItem/localPort", "is", String(port), "int")}</Indicator>`,
    );
    const { status, report } = scan(["--ioc", ioc, "--files", "off"]);
    expect(status).toBe(1);
    const objects = report.detections[0]?.objects ?? [];
    expect(objects.find((o) => o.document === "ProcessItem")).toEqual({
      document: "ProcessItem",
      id: String(child.pid),
      fields: { name: processName, arguments: `${join(work, processName)} 3600 ${marker}` },
      actionable: true,
    });
    const socket = objects.find((o) => o.document === "PortItem");
    expect(socket?.id).toBe(`TCP 127.0.0.1:${port} 0.0.0.0:0`);
    expect(report.coverage?.collected).toEqual(["ProcessItem", "PortItem"]);
  });

  it("iocscan scan --root reads an image: paths inside it, live-only documents unknown", () => {
    const image = join(work, "image");
    mkdirSync(join(image, "etc"), { recursive: true });
    mkdirSync(join(image, "opt/evil"), { recursive: true });
    writeFileSync(join(image, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nmallory:x:4242:4242::/home/m:/bin/sh\n");
    writeFileSync(join(image, "opt/evil/implant"), "x");
    // As on Debian: /etc/os-release links to /usr/lib/os-release, which must resolve inside the image.
    mkdirSync(join(image, "usr/lib"), { recursive: true });
    writeFileSync(join(image, "usr/lib/os-release"), `NAME="Imaged"\nPRETTY_NAME="Imaged Linux ${unique}"\n`);
    symlinkSync("../usr/lib/os-release", join(image, "etc/os-release"));
    const ioc = writeIoc(
      "image",
      `image-${unique}`,
      `<Indicator id="t" operator="OR">${item("f", "FileItem/FullPath", "is", "/opt/evil/implant")}${item("u", "UserItem/Username", "is", "mallory")}${item("proc", "ProcessItem/name", "is", processName)}</Indicator>`,
    );
    const { status, report } = scan(["--ioc", ioc, "--root", image]);
    expect(status).toBe(1);
    const ids = report.detections[0]?.objects.map((o) => `${o.document} ${o.id}`);
    expect(ids).toEqual(expect.arrayContaining(["FileItem /opt/evil/implant", "UserItem mallory"]));
    expect(ids).toHaveLength(2);
    expect(report.coverage?.notCollected).toEqual([{ document: "ProcessItem", reason: `live-only: not available for an image under ${image}` }]);
    expect(report.host).toMatchObject({ hostname: "", os: `Imaged Linux ${unique}`, root: image });
  });

  it("iocscan scan exits 0 on a clean scope and records the scan in the results database", () => {
    const ioc = writeIoc("nothing", `none-${unique}`, `<Indicator id="t" operator="OR">${item("n", "FileItem/FileName", "is", "not-there.exe")}</Indicator>`);
    const db = join(work, "results.db");
    const result = runIocscan(["scan", "--db", db, "--no-hash-cache", "--ioc", ioc, "--scope", tree]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("No IOC matched.");
    const list = runIocscan(["results", "list", "--db", db, "--json"]);
    expect(JSON.parse(list.stdout)).toHaveLength(1);
  });

  it("iocscan collect writes a snapshot that scan --snapshot evaluates like the live scan", () => {
    const snapshotFile = join(work, "host.json");
    const collected = runIocscan(["collect", "--no-hash-cache", "--out", snapshotFile, "--scope", tree, "--hashes", "sha256", "--processes", "off", "--ports", "off", "--modules", "off", "--volumes", "off"]);
    expect(collected.status).toBe(0);
    expect(collected.stderr).toMatch(/collected \d+ records of .*FileItem/);
    const ioc = writeIoc("by-hash-again", `hash2-${unique}`, `<Indicator id="t" operator="OR">${item("h", "FileItem/Sha256sum", "is", plantedSha256, "sha256")}</Indicator>`);
    const live = scan(["--ioc", ioc, "--scope", tree]);
    const offline = scan(["--ioc", ioc, "--snapshot", snapshotFile]);
    expect(offline.status).toBe(1);
    expect(offline.report.detections).toEqual(live.report.detections);
  });

  it("iocscan scan and collect refuse an output file they could not write, before any work, and say why", () => {
    const ioc = writeIoc("output-check", `out-${unique}`, `<Indicator id="t" operator="OR">${item("n", "FileItem/FileName", "is", "payload.bin")}</Indicator>`);
    const db = join(work, "output-check.db");
    const missing = join(work, "no-such-folder");
    const scanned = runIocscan(["scan", "--db", db, "--no-hash-cache", "--ioc", ioc, "--scope", tree, "--output", join(missing, "report.json")]);
    expect(scanned.status).toBe(2);
    expect(scanned.stderr).toContain(`--output: cannot write "${join(missing, "report.json")}": folder "${missing}" does not exist`);
    // Refused before the scan: nothing recorded.
    expect(JSON.parse(runIocscan(["results", "list", "--db", db, "--json"]).stdout)).toHaveLength(0);
    // A folder where the file should be.
    mkdirSync(join(work, "a-folder"));
    expect(runIocscan(["scan", "--no-db", "--ioc", ioc, "--scope", tree, "--output", join(work, "a-folder")]).stderr).toContain("it is a folder");

    const collected = runIocscan(["collect", "--no-hash-cache", "--out", join(missing, "host.json"), "--scope", tree, "--processes", "off", "--ports", "off", "--modules", "off", "--volumes", "off"]);
    expect(collected.status).toBe(2);
    expect(collected.stderr).toContain(`iocscan: cannot write the snapshot to "${join(missing, "host.json")}": ENOENT`);
    expect(collected.stderr).not.toContain("    at ");
  });

  it("iocscan scan and collect refuse a --root that is not a folder rather than report an image clean", () => {
    const ioc = writeIoc("root-check", `root-${unique}`, `<Indicator id="t" operator="OR">${item("n", "FileItem/FileName", "is", "payload.bin")}</Indicator>`);
    const missing = join(work, "no-such-image");
    const scanned = runIocscan(["scan", "--no-db", "--ioc", ioc, "--root", missing]);
    expect(scanned.status).toBe(2);
    expect(scanned.stderr).toContain(`cannot open "${missing}": no such folder`);
    expect(scanned.stdout).not.toContain("No IOC matched");
    const collected = runIocscan(["collect", "--no-hash-cache", "--root", ioc]);
    expect(collected.status).toBe(2);
    expect(collected.stderr).toContain(`"${ioc}" is not a folder`);
  });

  it("iocscan scan --format ndjson streams progress events, then detections, then the summary", () => {
    const ioc = writeIoc("ndjson", `ndjson-${unique}`, `<Indicator id="t" operator="OR">${item("h", "FileItem/Sha256sum", "is", plantedSha256, "sha256")}</Indicator>`);
    const result = runIocscan(["scan", "--no-db", "--no-hash-cache", "--format", "ndjson", "--ioc", ioc, "--scope", tree]);
    expect(result.status).toBe(1);
    const types = result.stdout.trim().split("\n").map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types.at(-1)).toBe("summary");
    expect(types.at(-2)).toBe("detection");
    expect(types[0]).toBe("progress");
    expect(new Set(types.slice(0, -2))).toEqual(new Set(["progress"]));
  });
});
