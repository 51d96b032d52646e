/**
 * `iocscan ioc from-report` through the real CLI: output, exit status, the dropped values on
 * stderr, --output (written atomically), --json, and the IOCAware counter-examples that
 * `iocscan ioc check` must refuse. Every file written is in a temp folder of the test's own.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIocscan } from "./run-cli.js";

const reports = fileURLToPath(new URL("../data/sandbox-reports/", import.meta.url));
let work: string;
/** Each CLI run starts node with tsx; on a loaded 2-core machine that alone takes seconds. */
const SLOW = { timeout: 240_000 };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-from-report-"));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("iocscan ioc from-report", SLOW, () => {
  it("writes the IOC of the QakBot report to --output, lists what it left out on stderr, and the file passes ioc check", () => {
    const out = join(work, "qakbot.ioc");
    const result = runIocscan(["ioc", "from-report", join(reports, "cape/cape-v2.2-qakbot-0000a657-trimmed.json"), "--output", out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^left out file-hash .*0000A65749F5902C4D82\.exe \(60b7c0fead45f2066e5b805a91f4f0fc\): known-good:copy-of C:\\Windows\\System32\\calc\.exe$/m);
    expect(result.stderr).toMatch(/^iocscan: \d+ indicator items written to .*qakbot\.ioc \(\d+ values left out\)$/m);
    const xml = readFileSync(out, "utf8");
    expect(xml).toContain("216.201.159.118");
    expect(readdirSync(work).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    const check = runIocscan(["ioc", "check", out]);
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/^OK {3}1\.1 /m);
    expect(check.stdout).toContain("0 errors");
  });

  it("reads a Cuckoo3 post.json with its pre.json, in either order, and prints the IOC on stdout", () => {
    const post = join(reports, "cuckoo3/cuckoo3-emotet-post.json");
    const pre = join(reports, "cuckoo3/cuckoo3-emotet-pre.json");
    const a = runIocscan(["ioc", "from-report", post, pre]);
    const b = runIocscan(["ioc", "from-report", pre, post, "--format", "cuckoo3"]);
    expect(a.status).toBe(0);
    expect(a.stdout).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?>\n<OpenIOC xmlns="http:\/\/openioc\.org\/schemas\/OpenIOC_1\.1"/);
    expect(a.stdout).toContain("<Content type=\"IP\">41.220.119.246</Content>");
    // The same report gives the same IOC but for last-modified / authored_date (the clock).
    const timeless = (s: string): string => s.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, "T");
    expect(timeless(b.stdout)).toBe(timeless(a.stdout));
  });

  it("exits 1 with the reason when the report yields no IOC", () => {
    const result = runIocscan(["ioc", "from-report", join(reports, "vmray/vmray-summary_v2-clean-mutex-eb12873c.json"), "--output", join(work, "none.ioc")]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^iocscan: no IOC: verdict clean: nothing to look for$/m);
    expect(readdirSync(work)).not.toContain("none.ioc");
  });

  it("--json prints the result object", () => {
    const result = runIocscan(["ioc", "from-report", join(reports, "generic/acme-loader.json"), "--json"]);
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout) as { generated: boolean; fileName: string; summary: { format: string }; dropped: { reason: string }[]; xml: string };
    expect(parsed).toMatchObject({ generated: true, fileName: "sandbox-a3f5c0e1b2d4a6f8.ioc", summary: { format: "generic" } });
    expect(parsed.xml).toContain("AcmeLoaderSingleton");
    expect(parsed.dropped.map((d) => d.reason)).toContain("public-dns-resolver");
  });

  it("exits 2 on bad input, naming the file, the JSON path and the cause", () => {
    const notJson = join(work, "broken.json");
    writeFileSync(notJson, "{ \"format\": ");
    const a = runIocscan(["ioc", "from-report", notJson]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/^iocscan: .*broken\.json: not JSON: /m);

    const badHash = join(work, "bad-hash.json");
    const generic = JSON.parse(readFileSync(join(reports, "generic/acme-loader.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(badHash, JSON.stringify({ ...generic, sample: { md5: "1234" } }));
    const b = runIocscan(["ioc", "from-report", badHash]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/^iocscan: .*bad-hash\.json: \$\.sample\.md5: expected 32 hex digits \(MD5\)$/m);

    const unknown = join(work, "unknown.json");
    writeFileSync(unknown, JSON.stringify({ hello: "world" }));
    const c = runIocscan(["ioc", "from-report", unknown]);
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/not a report of a known format/);

    const d = runIocscan(["ioc", "from-report", join(work, "missing.json")]);
    expect(d.status).toBe(2);
    expect(d.stderr).toMatch(/missing\.json: cannot read: ENOENT/);
  });
});

describe("iocscan ioc check on generator output", SLOW, () => {
  it("flags the IOCAware files as not scannable (IOC035, exit 2)", () => {
    const result = runIocscan(["ioc", "check", join(reports, "iocaware-openioc-output")]);
    expect(result.status).toBe(2);
    expect(result.stdout).toContain("2 files: 0 usable, 2 unusable");
    expect(result.stdout).toMatch(/^FAIL 1\.1 .*0c9c7174-b1e3-487a-abd1-2d2cd1c45efa\.ioc/m);
    expect(result.stdout).toMatch(/^FAIL 1\.1 .*0fffa8a0-f3da-45f3-badc-0799c205381c\.ioc/m);
    expect(result.stdout).toMatch(/error IOC035: Indicator "3cea8e4c-8aff-4e53-92f1-48c11ff896c7" names a process by the process ids of one sandbox run \(pid 1700, parentpid 900\)/);
  });
});
