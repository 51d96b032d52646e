/* eslint-disable @typescript-eslint/no-unsafe-member-access -- the tests read JSON answers as they come */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseIoc } from "../core/ioc/index.js";
import { startTestServer, type TestServer } from "./test-support.js";

const DATA = fileURLToPath(new URL("../../test/data/", import.meta.url));
const read = (path: string): string => readFileSync(`${DATA}${path}`, "utf8");

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.close();
});

describe("IOC upload of STIX 2.1 and MISP files", () => {
  it("a STIX 2.1 bundle is stored as one OpenIOC file per indicator, named after the upload, with the conversion warnings", async () => {
    const op = await t.loginAs("operator");
    const stored = await op.post("/api/v1/ioc-files", { files: [{ name: "apt1.json", content: read("stix/oasis-threat-report-apt1.json") }] });
    expect(stored.status).toBe(201);
    const items = stored.json.items as { id: string; name: string; iocId: string; usable: boolean; openiocVersion: string; diagnostics: { code: string; severity: string; message: string }[] }[];
    expect(items).toHaveLength(10);
    expect(items.map((i) => i.name)).toEqual(Array.from({ length: 10 }, (_, n) => `apt1.json (${n + 1}/10)`));
    expect(items.every((i) => i.usable && i.openiocVersion === "1.1")).toBe(true);
    expect(items.map((i) => i.iocId)).toContain("8d12f44f-8ac0-4b12-8b4a-3699ca8c9691");
    const skipped = items[0]?.diagnostics.filter((d) => d.code === "CNV001") ?? [];
    expect(skipped.map((d) => d.severity)).toEqual(["warning", "warning"]);
    expect(skipped[0]?.message).toMatch(/^indicator--b3b6b540-d838-41e2-853b-005056c00008: indicator skipped: .*x509-certificate/);
    const md5 = items.find((i) => i.iocId === "8d12f44f-8ac0-4b12-8b4a-3699ca8c9691");
    const content = await op.get(`/api/v1/ioc-files/${md5?.id ?? ""}/content`);
    const doc = parseIoc(content.text).document;
    expect(doc?.criteria?.children.map((c) => (c.kind === "item" ? `${c.term}=${c.value}` : ""))).toEqual(["FileItem/Md5sum=001dd76872d80801692ff942308c64e6"]);
    expect((await op.get("/api/v1/ioc-files")).json.items).toHaveLength(10);
  });

  it("a MISP event (base64 bytes) is stored under its own name as one OpenIOC file", async () => {
    const op = await t.loginAs("operator");
    const content = Buffer.from(read("misp/pymisp-circl-osint-xorist-57c4445b.json")).toString("base64");
    const stored = await op.post("/api/v1/ioc-files", { files: [{ name: "xorist.json", content, encoding: "base64" }] });
    expect(stored.status).toBe(201);
    expect(stored.json.items).toEqual([expect.objectContaining({ name: "xorist.json", usable: true, iocId: "57c4445b-c548-4654-af0b-4be3950d210f", title: "Ransomware - Xorist", items: 6 })]);
    // Nothing was skipped; the only diagnostics are the checker's own (registry terms on Linux).
    expect((stored.json.items[0].diagnostics as { code: string }[]).map((d) => d.code)).toEqual(["IOC021", "IOC021"]);
    const text = (await op.get(`/api/v1/ioc-files/${stored.json.items[0].id}/content`)).text;
    expect(text).toContain("<Content type=\"md5\">0749bae92ca336a02c83d126e04ec628</Content>");
  });

  it("STIX 1.x, a broken pattern, or a bundle with nothing to convert is refused with 400 and a CNV002 diagnostic naming the cause", async () => {
    const op = await t.loginAs("operator");
    const broken = JSON.stringify({ type: "bundle", id: "bundle--1", objects: [{ type: "indicator", id: "indicator--0a0b0c0d-0000-4000-8000-000000000000", pattern: "[file:name = 'x'", pattern_type: "stix" }] });
    const refused = await op.post("/api/v1/ioc-files", {
      files: [
        { name: "zeus.xml", content: read("stix/zeus.stix.xml") },
        { name: "broken.json", content: broken },
        { name: "email.json", content: read("stix/oasis-malicious-email-indicator-with-attachment.json") },
      ],
    });
    expect(refused.status).toBe(400);
    const files = refused.json.error.details.files as { name: string; diagnostics: { code: string; message: string }[] }[];
    expect(files.map((f) => [f.name, f.diagnostics.map((d) => d.code)])).toEqual([
      ["zeus.xml", ["CNV002"]],
      ["broken.json", ["CNV002"]],
      ["email.json", ["CNV002"]],
    ]);
    expect(files[0]?.diagnostics[0]?.message).toContain("STIX 1.x (XML) is not supported");
    expect(files[1]?.diagnostics[0]?.message).toBe('Cannot convert STIX input: $.objects[0].pattern: Cannot parse STIX pattern at offset 16: expected "]" to close the observation, found the end of the pattern');
    expect(files[2]?.diagnostics[0]?.message).toMatch(/^Nothing to convert: indicator--8cf9236f-1b96-493d-98be-0c1c1e8b62d7: indicator skipped/);
    expect((await op.get("/api/v1/ioc-files")).json.items).toEqual([]);
  });
});
