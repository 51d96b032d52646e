import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIocscan } from "./run-cli.js";

const STIX = fileURLToPath(new URL("../data/stix/", import.meta.url));
const MISP = fileURLToPath(new URL("../data/misp/", import.meta.url));
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-convert-"));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

// Each case spawns the real CLI (through tsx) one to four times: slow on a loaded machine.
describe("iocscan ioc convert", { timeout: 180_000 }, () => {
  it("iocscan ioc convert --from stix writes one .ioc per convertible indicator into the folder, reports the skipped ones on stderr, exits 0", () => {
    const out = join(work, "apt1");
    const result = runIocscan(["ioc", "convert", "--from", "stix", join(STIX, "oasis-threat-report-apt1.json"), "--output", out]);
    expect(result.status).toBe(0);
    expect(readdirSync(out).sort()).toHaveLength(10);
    expect(readdirSync(out)).toContain("8d12f44f-8ac0-4b12-8b4a-3699ca8c9691.ioc");
    expect(result.stderr).toMatch(/^warning: .*oasis-threat-report-apt1\.json: indicator--b3b6b540-d838-41e2-853b-005056c00008: indicator skipped: /m);
    expect(result.stderr).toContain("10 IOCs from STIX 2.1, 2 skipped");
    const check = runIocscan(["ioc", "check", out]);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain("10 files: 10 usable, 0 unusable");
  });

  it("iocscan ioc convert --to stix turns the converted folder back into a bundle with the original indicator ids and patterns", () => {
    const out = join(work, "apt1");
    const bundleFile = join(work, "apt1-back.json");
    const files = readdirSync(out).map((f) => join(out, f));
    const result = runIocscan(["ioc", "convert", "--to", "stix", ...files, "--output", bundleFile]);
    expect(result.status).toBe(0);
    const bundle = JSON.parse(readFileSync(bundleFile, "utf8")) as { type: string; objects: { id: string; pattern: string }[] };
    expect(bundle.type).toBe("bundle");
    expect(bundle.objects.find((o) => o.id === "indicator--8d12f44f-8ac0-4b12-8b4a-3699ca8c9691")?.pattern).toBe("[file:hashes.MD5 = '001dd76872d80801692ff942308c64e6']");
    expect(bundle.objects.find((o) => o.id === "indicator--031778a4-057f-48e6-9db9-c8d72b81ccd5")?.pattern).toBe("[ipv4-addr:value = '223.166.0.0/15']");
  });

  it("iocscan ioc convert --from misp writes a single IOC to stdout", () => {
    const result = runIocscan(["ioc", "convert", "--from", "misp", join(MISP, "pymisp-ursnif-sighting_1.json")]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?>\n<OpenIOC xmlns="http:\/\/openioc\.org\/schemas\/OpenIOC_1\.1" .*id="5b646415-7b48-40d5-86b4-c0070acd0835"/);
    expect(result.stdout).toContain("<Content type=\"string\">ooiasjdnqjwbeasdasd.com</Content>");
  });

  it("iocscan ioc convert exits 2 naming the file, the JSON path and the pattern offset for a broken pattern; STIX 1.x is refused", () => {
    const bad = join(work, "bad.json");
    writeFileSync(bad, JSON.stringify({ type: "bundle", id: "bundle--1", objects: [{ type: "indicator", id: "indicator--0a0b0c0d-0000-4000-8000-000000000000", pattern: "[file:name = 'x' AND]", pattern_type: "stix" }] }));
    const result = runIocscan(["ioc", "convert", "--from", "stix", bad]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`iocscan: cannot convert "${bad}": $.objects[0].pattern: Cannot parse STIX pattern at offset 20: expected an object type`);
    const stix1 = runIocscan(["ioc", "convert", "--from", "stix", join(STIX, "zeus.stix.xml")]);
    expect(stix1.status).toBe(2);
    expect(stix1.stderr).toContain("STIX 1.x (XML) is not supported");
    const several = runIocscan(["ioc", "convert", "--from", "stix", join(STIX, "oasis-indicators-for-C2-with-COA.json")]);
    expect(several.status).toBe(2);
    expect(several.stderr).toContain("the input gives 2 IOCs: give a folder with --output DIR");
    const nothing = runIocscan(["ioc", "convert", "--from", "stix", join(STIX, "oasis-malicious-email-indicator-with-attachment.json"), "--output", join(work, "none")]);
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toContain("nothing to write");
  });

  it("a MISP event converted by iocscan ioc convert finds the planted file when iocscan scan --ioc reads the folder", () => {
    const tree = join(work, "tree");
    mkdirSync(join(tree, "srv"), { recursive: true });
    const payload = Buffer.from(`planted misp payload ${process.pid} ${Date.now()}`);
    writeFileSync(join(tree, "srv/dropper.bin"), payload);
    writeFileSync(join(tree, "srv/innocent.bin"), Buffer.from("nothing to see"));
    const md5 = createHash("md5").update(payload).digest("hex");
    const event = {
      Event: {
        uuid: "7d1c0f9e-1111-4222-8333-944455556666",
        info: "planted sample",
        Attribute: [
          { uuid: "b1", type: "filename|md5", category: "Payload delivery", to_ids: true, value: `dropper.bin|${md5}` },
          { uuid: "b2", type: "md5", category: "Payload delivery", to_ids: false, value: createHash("md5").update("nothing to see").digest("hex") },
        ],
      },
    };
    writeFileSync(join(work, "event.json"), JSON.stringify(event));
    const iocs = join(work, "misp-iocs");
    expect(runIocscan(["ioc", "convert", "--from", "misp", join(work, "event.json"), "--output", iocs]).status).toBe(0);
    const scan = runIocscan(["scan", "--no-db", "--no-hash-cache", "--format", "json", "--ioc", iocs, "--scope", tree]);
    expect(scan.status).toBe(1);
    const report = JSON.parse(scan.stdout) as { detections: { iocId: string; objects: { id: string }[] }[] };
    expect(report.detections.map((d) => [d.iocId, d.objects.map((o) => o.id)])).toEqual([["7d1c0f9e-1111-4222-8333-944455556666", [join(tree, "srv/dropper.bin")]]]);
  });
});
