/**
 * Text output cannot be steered by what it reports: a file named with ESC, CR, LF, BEL and an
 * 8-bit CSI, and an IOC whose title and id hold the same, are found by real scans (through the
 * source and through the shipped bundle) and every human-readable output shows them escaped, one
 * line each, with no control character. Every scan and quarantine stays in a temp folder made here.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCli } from "../../scripts/bundle-cli.js";
import { runIocscan, type CliResult } from "./run-cli.js";

const unique = randomBytes(3).toString("hex");
const marker = `marker-${unique}`;
/** Clears the screen, sets the window title, moves up a line and fakes a clean result. */
const hostileName = `evil\x1b]0;pwned\x07\x1b[2J\x1b[1A\rNo IOC matched.\n\x9b31m${marker}.bin`;
const escapedName = `evil\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[1A\\rNo IOC matched.\\n\\u009b31m${marker}.bin`;
/** As XML 1.1 character references: the title and id the parser hands to the scan. */
const hostileTitle = "Title&#x1b;]0;owned&#x7;&#13;&#10;No IOC matched.&#x9b;2J";
const escapedTitle = '"Title\\u001b]0;owned\\u0007\\r\\nNo IOC matched.\\u009b2J"';
const brokenName = `broken\x1b[2J\n${unique}.ioc`;
const escapedBroken = `broken\\u001b[2J\\n${unique}.ioc`;

/** Anything a terminal acts on or that starts a line inside a value: C0 but LF, DEL, C1, U+2028/9, a bidi override, a lone surrogate. */
const ACTIVE = /(?!\n)\p{Cc}|[\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;

let work: string;
let iocs: string;

function expectInert(result: CliResult): void {
  expect(result.stdout).not.toMatch(ACTIVE);
  expect(result.stderr).not.toMatch(ACTIVE);
}

/** A tree holding the hostile file and a harmless one. */
function plantTree(name: string): string {
  const tree = join(work, name);
  mkdirSync(tree);
  writeFileSync(join(tree, hostileName), `payload ${unique}`);
  writeFileSync(join(tree, "harmless.txt"), "nothing");
  return tree;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-escaping-"));
  iocs = join(work, "iocs");
  mkdirSync(iocs);
  writeFileSync(
    join(iocs, "hostile.ioc"),
    `<?xml version="1.1" encoding="utf-8"?>
<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="id-${unique}&#x1b;[8m"><metadata><short_description>${hostileTitle}</short_description></metadata>
<criteria><Indicator id="i1" operator="OR"><IndicatorItem id="item-1" condition="contains" preserve-case="false" negate="false"><Context document="FileItem" search="FileItem/FileName" type="mir"/><Content type="string">${marker}</Content></IndicatorItem></Indicator></criteria></OpenIOC>
`,
  );
  mkdirSync(join(work, "broken"));
  writeFileSync(join(work, "broken", brokenName), "<OpenIOC><unclosed>");
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The text report's lines that show the detection, checked the same way for each CLI. */
function expectEscapedReport(stdout: string, tree: string): void {
  const lines = stdout.split("\n");
  expect(lines.filter((line) => line.startsWith("DETECTED"))).toEqual([`DETECTED  ${escapedTitle}  ("id-${unique}\\u001b[8m", ${join(iocs, "hostile.ioc")})`]);
  expect(lines).toContain(`  FileItem "${join(tree, escapedName)}"`);
  expect(lines).toContain(`      FileName = "${escapedName}"`);
  expect(lines.filter((line) => line.startsWith("No IOC matched."))).toEqual([]);
}

describe("text output of hostile names", () => {
  it("iocscan scan --format text to a pipe shows a hostile file name and IOC title escaped", () => {
    const tree = plantTree("tree-text");
    const result = runIocscan(["scan", "--no-db", "--no-hash-cache", "--no-ioc-cache", "--ioc", iocs, "--scope", tree, "--format", "text"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(1);
    expectInert(result);
    expectEscapedReport(result.stdout, tree);
    // JSON stays exact.
    const json = runIocscan(["scan", "--no-db", "--no-hash-cache", "--no-ioc-cache", "--ioc", iocs, "--scope", tree, "--format", "json"]);
    const report = JSON.parse(json.stdout) as { detections: { objects: { id: string }[] }[] };
    expect(report.detections[0]?.objects[0]?.id).toBe(join(tree, hostileName));
  });

  it("iocscan results and quarantine list and show a quarantined hostile file escaped", () => {
    const tree = plantTree("tree-quarantine");
    const db = join(work, "results.db");
    const store = join(work, "quarantine");
    const scan = runIocscan(["scan", "--db", db, "--no-hash-cache", "--no-ioc-cache", "--ioc", iocs, "--scope", tree, "--action", "quarantine", "--quarantine", store, "--format", "json"]);
    expect(scan.status).toBe(1);
    const report = JSON.parse(scan.stdout) as { scanId: string; detections: { actions: { status: string; quarantineId?: string }[] }[] };
    const action = report.detections[0]?.actions[0];
    expect(action?.status).toBe("done");
    expect(readdirSync(tree)).toEqual(["harmless.txt"]);

    const list = runIocscan(["results", "list", "--db", db]);
    expectInert(list);
    expect(list.stdout).toContain(report.scanId);
    const show = runIocscan(["results", "show", report.scanId, "--db", db]);
    expectInert(show);
    expectEscapedReport(show.stdout, tree);

    const entries = runIocscan(["quarantine", "list", "--quarantine", store]);
    expectInert(entries);
    expect(entries.stdout).toContain(`${escapedTitle}  "${join(tree, escapedName)}"`);
    const entry = runIocscan(["quarantine", "show", action?.quarantineId ?? "", "--quarantine", store]);
    expectInert(entry);
    expect(entry.stdout).toContain(`  original path   "${join(tree, escapedName)}"\n`);
    expect(entry.stdout).toContain(`  IOC             ${escapedTitle} ("id-${unique}\\u001b[8m")\n`);
    const restored = runIocscan(["quarantine", "restore", action?.quarantineId ?? "", "--quarantine", store]);
    expectInert(restored);
    expect(restored.stdout).toContain(`to "${join(tree, escapedName)}" (`);
  });

  it("iocscan ioc check shows a hostile IOC file name, title and id escaped", () => {
    const result = runIocscan(["ioc", "check", iocs, join(work, "broken")]);
    expect(result.status).toBe(2);
    expectInert(result);
    const lines = result.stdout.split("\n");
    expect(lines).toContain(`FAIL -   "${join(work, "broken", escapedBroken)}"`);
    expect(lines.some((line) => line.startsWith(`    "${join(work, "broken", escapedBroken)}":1:`))).toBe(true);
    expect(lines.find((line) => line.startsWith("OK"))).toContain(`${escapedTitle} ("id-${unique}\\u001b[8m")`);
  });

  it("iocscan error messages show a hostile file name escaped", () => {
    const scan = runIocscan(["scan", "--no-db", "--no-ioc-cache", "--ioc", join(work, "broken"), "--scope", join(work, "broken")]);
    expect(scan.status).toBe(2);
    expectInert(scan);
    expect(scan.stderr).toContain(escapedBroken);
    const convert = runIocscan(["ioc", "convert", "--to", "stix", join(work, "broken", brokenName)]);
    expect(convert.status).toBe(2);
    expectInert(convert);
    expect(convert.stderr).toContain(`cannot convert "${join(work, "broken", escapedBroken)}:1:`);
    const fromReport = runIocscan(["ioc", "from-report", join(work, "broken", brokenName)]);
    expect(fromReport.status).toBe(2);
    expectInert(fromReport);
    expect(fromReport.stderr).toContain(escapedBroken);
  });

  it("iocscan usage errors (commander's) show a hostile argument escaped", () => {
    const usage = runIocscan(["scan", "--ioc", join(work, "broken"), "--checkpoint-interval", `5\x1b[2J\rNo IOC matched.\nDETECTED nothing`]);
    expect(usage.status).toBe(2);
    expectInert(usage);
    expect(usage.stderr).toContain("5\\u001b[2J\\rNo IOC matched.\\nDETECTED nothing");
    expect(usage.stderr.split("\n").some((line) => line.startsWith("DETECTED"))).toBe(false);
  });
});

describe("agent status of hostile names", () => {
  it("iocscan agent status shows a task name and error from the server escaped", () => {
    const stateDir = join(work, "agent-state");
    mkdirSync(stateDir);
    const at = "2026-01-01T00:00:00Z";
    writeFileSync(
      join(stateDir, "status.json"),
      JSON.stringify({
        format: "iocscan-agent-status",
        version: 1,
        pid: 2 ** 22 + 1,
        state: "stopped",
        server: "https://iocscan.example\x1b]0;x\x07",
        deviceId: "device-1",
        connected: false,
        currentRun: { runId: "run-1", taskName: "sweep\nLast error   none\x1b[2J", state: "running", percent: 50 },
        pendingRuns: [],
        queuedResults: 0,
        lastError: { at, message: "refused\r\x9b2J" },
        updatedAt: at,
      }),
    );
    const status = runIocscan(["agent", "status", "--state-dir", stateDir]);
    expect(status.status, status.stderr).toBe(0);
    expectInert(status);
    const lines = status.stdout.split("\n");
    expect(lines).toContain("Current run  sweep\\nLast error   none\\u001b[2J (run run-1): running, 50.0%");
    expect(lines.filter((line) => line.startsWith("Last error"))).toEqual([`Last error   ${at} refused\\r\\u009b2J`]);
  });
});

describe("text output of hostile names, shipped CLI", () => {
  const repo = fileURLToPath(new URL("../../", import.meta.url));
  let cli: string;

  beforeAll(async () => {
    const bundleDir = join(work, "bundle");
    mkdirSync(bundleDir);
    // As installed: the external native addons resolve from a node_modules beside the bundle.
    symlinkSync(join(repo, "node_modules"), join(bundleDir, "node_modules"), "dir");
    await bundleCli({ repo, emitRoot: join(repo, "src"), packageRoot: repo, outDir: join(bundleDir, "bin") });
    cli = join(bundleDir, "bin/iocscan.cjs");
  }, 120_000);

  it("the bundled iocscan scan --format text shows a hostile file name and IOC title escaped", () => {
    const tree = plantTree("tree-bundle");
    const run = spawnSync(process.execPath, [cli, "scan", "--no-db", "--no-hash-cache", "--no-ioc-cache", "--ioc", iocs, "--scope", tree], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, IOCSCAN_CODE_CACHE_DIR: join(work, "code-cache") },
    });
    const result = { status: run.status, stdout: run.stdout, stderr: run.stderr };
    expect(result.stderr).toBe("");
    expect(result.status).toBe(1);
    expectInert(result);
    expectEscapedReport(result.stdout, tree);
  });
});
