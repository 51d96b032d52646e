/**
 * `iocscan scan --action quarantine`, end to end with the real CLI: files found are moved to a
 * quarantine store the test creates and can be restored; a found process is terminated and its
 * executable quarantined; protected and negation-only objects are left alone with a receipt
 * saying why. Every scope and the store are temp folders this test creates.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../src/core/report/index.js";
import { runIocscan } from "./run-cli.js";

let work: string;
let tree: string;
let store: string;
let child: ChildProcess;
const processName = `ioact-${Math.random().toString(16).slice(2, 8)}`;

function item(id: string, search: string, condition: string, value: string, negate = false): string {
  return `<IndicatorItem id="${id}" condition="${condition}" preserve-case="false" negate="${String(negate)}"><Context document="${search.split("/")[0] ?? ""}" search="${search}" type="mir"/><Content type="string">${value}</Content></IndicatorItem>`;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-actions-"));
  tree = join(work, "tree");
  store = join(work, "quarantine");
  mkdirSync(join(tree, "drop/keep"), { recursive: true });
  writeFileSync(join(tree, "drop/implant.bin"), "implant bytes");
  writeFileSync(join(tree, "drop/keep/implant.bin"), "implant bytes, but protected by --protect");
  copyFileSync("/bin/sleep", join(tree, "drop", processName));
  child = spawn(join(tree, "drop", processName), ["3600"], { stdio: "ignore" });
  writeFileSync(
    join(work, "actions.ioc"),
    `<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="actions-test"><metadata><short_description>ACTIONS TEST</short_description></metadata><criteria><Indicator id="t" operator="OR">` +
      item("f", "FileItem/FileName", "is", "implant.bin") +
      item("p", "ProcessItem/name", "is", processName) +
      `</Indicator></criteria></OpenIOC>`,
  );
});

afterAll(() => {
  child.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

describe("iocscan scan --action quarantine", () => {
  let report: ScanReport;

  it("iocscan scan --action quarantine quarantines found files, terminates found processes and skips protected paths", async () => {
    const exited = once(child, "exit");
    const result = runIocscan([
      "scan", "--no-db", "--no-hash-cache", "--format", "json", "--action", "quarantine", "--quarantine", store,
      "--protect", `${tree}/drop/keep/**`, "--ioc", join(work, "actions.ioc"), "--scope", tree,
    ]);
    expect(result.status).toBe(1);
    report = JSON.parse(result.stdout) as ScanReport;
    const actions = report.detections.flatMap((d) => d.actions);
    const byObject = (id: string) => actions.filter((a) => a.objectId === id).map((a) => `${a.type}:${a.status}`);

    expect(byObject(join(tree, "drop/implant.bin"))).toEqual(["quarantine:done"]);
    expect(existsSync(join(tree, "drop/implant.bin"))).toBe(false);
    expect(byObject(join(tree, "drop/keep/implant.bin"))).toEqual(["quarantine:skipped"]);
    expect(existsSync(join(tree, "drop/keep/implant.bin"))).toBe(true);
    expect(byObject(String(child.pid))).toEqual(["terminate:done"]);
    expect(byObject(join(tree, "drop", processName))).toEqual(["quarantine:done"]);
    expect((await exited)[1]).toBe("SIGTERM");
    expect(existsSync(join(tree, "drop", processName))).toBe(false);
  });

  it("iocscan quarantine restore brings a quarantined file back byte for byte", () => {
    const receipt = report.detections.flatMap((d) => d.actions).find((a) => a.objectId === join(tree, "drop/implant.bin"));
    expect(receipt?.quarantineId).toBeTruthy();
    const restored = runIocscan(["quarantine", "restore", receipt?.quarantineId ?? "", "--quarantine", store]);
    expect(restored.status).toBe(0);
    expect(readFileSync(join(tree, "drop/implant.bin"), "utf8")).toBe("implant bytes");
  });

  it("iocscan scan refuses --action quarantine on a snapshot", () => {
    const result = runIocscan(["scan", "--no-db", "--action", "quarantine", "--quarantine", store, "--ioc", join(work, "actions.ioc"), "--snapshot", join(work, "none.json")]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--action quarantine needs a scan of this computer or an image");
  });
});
