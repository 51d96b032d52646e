/**
 * `iocscan scan --snapshot` on inputs that are not a plain snapshot file: a FIFO nobody writes to
 * (must not hang), a pipe that is written to, a folder, a device. Every file is made here.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIocscan } from "./run-cli.js";

const examples = fileURLToPath(new URL("../../examples/", import.meta.url));
const iocs = join(examples, "iocs");
const snapshot = join(examples, "snapshots/web-server.json");
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-snapshot-input-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("iocscan scan --snapshot on a pipe, a folder or a device", () => {
  it("iocscan scan refuses a FIFO that no program writes to at once instead of hanging", () => {
    const fifo = join(work, "fifo");
    execFileSync("mkfifo", [fifo]);
    const result = runIocscan(["scan", "--no-db", "--ioc", iocs, "--snapshot", fifo]);
    expect([result.status, result.stderr]).toEqual([2, `iocscan: Cannot read snapshot "${fifo}": it is a pipe that no program is writing to (or it wrote nothing)\n`]);
  });

  it("iocscan scan reads a snapshot from a pipe a program writes to", () => {
    const result = execFileSync("bash", ["-c", `"$0" --import "$1" "$2" scan --no-db --ioc "$3" --snapshot <(sleep 1; cat "$4") --format json; echo "exit $?"`, process.execPath, new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href, fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url)), iocs, snapshot], { encoding: "utf8" });
    expect(result).toMatch(/"hostname": "web-1.example.internal"[\s\S]*exit 1\n$/);
  });

  it("iocscan scan names a folder or a device given as a snapshot", () => {
    const folder = join(work, "folder");
    mkdirSync(folder);
    const dir = runIocscan(["scan", "--no-db", "--ioc", iocs, "--snapshot", folder]);
    expect([dir.status, dir.stderr]).toEqual([2, `iocscan: Cannot read snapshot "${folder}": it is a folder\n`]);
    const device = runIocscan(["scan", "--no-db", "--ioc", iocs, "--snapshot", "/dev/zero"]);
    expect([device.status, device.stderr]).toEqual([2, 'iocscan: Cannot read snapshot "/dev/zero": it is not a file or a pipe\n']);
  });
});
