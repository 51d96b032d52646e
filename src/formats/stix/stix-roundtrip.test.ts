import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { itemsOf, parseIoc, type IocDocument } from "../../core/ioc/index.js";
import { writeIoc } from "../openioc-writer.js";
import { iocsToStixBundle } from "./ioc-to-stix.js";
import { parseStixPattern } from "./pattern-parser.js";
import { normaliseStixPattern, printStixPattern } from "./pattern-print.js";
import { stixToIocs } from "./stix-to-ioc.js";

const DATA = fileURLToPath(new URL("../../../test/data/stix/", import.meta.url));
const BUNDLES = readdirSync(DATA).filter((f) => f.endsWith(".json"));

interface Indicator {
  id: string;
  type: string;
  pattern: string;
}

const load = (file: string): { objects: Indicator[] } => JSON.parse(readFileSync(`${DATA}${file}`, "utf8")) as { objects: Indicator[] };
const normal = (pattern: string): string => printStixPattern(normaliseStixPattern(parseStixPattern(pattern)));

/** The IOC as an OpenIOC file and read back, as `iocscan scan` would load it. */
function throughOpenIoc(doc: IocDocument): IocDocument {
  const parsed = parseIoc(writeIoc(doc));
  expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (parsed.document === undefined) throw new Error("no document");
  return parsed.document;
}

/** Indicators the converter must report as skipped: their patterns are about e-mail and X.509 only. */
const NOT_EXPRESSIBLE: Readonly<Record<string, readonly string[]>> = {
  "misp-stix-objects-collection-stix21.json": ["indicator--5e396622-2a54-4c8d-b61d-159da964451a"],
  "oasis-malicious-email-indicator-with-attachment.json": ["indicator--8cf9236f-1b96-493d-98be-0c1c1e8b62d7", "indicator--2e17f6fe-3a4d-438a-911a-e509ba1b9933"],
  "oasis-threat-report-apt1.json": ["indicator--b3b6b540-d838-41e2-853b-005056c00008", "indicator--b3b7035e-d838-41e2-8d38-005056c00008"],
};

describe("STIX -> OpenIOC -> STIX round trip on every STIX 2.1 bundle of the corpus", () => {
  it("the corpus holds the five STIX 2.1 bundles", () => {
    expect(BUNDLES).toHaveLength(5);
  });

  it.each(BUNDLES)("stixToIocs() then iocsToStixBundle() keeps every expressible indicator of %s with a pattern of the same meaning", (file) => {
    const bundle = load(file);
    const indicators = bundle.objects.filter((o) => o.type === "indicator");
    const { iocs, warnings } = stixToIocs(bundle);
    const skipped = NOT_EXPRESSIBLE[file] ?? [];
    expect(warnings.map((w) => w.source).sort()).toEqual([...skipped].sort());
    for (const w of warnings) expect(w.message).toMatch(/^indicator skipped: .*no OpenIOC term for "(email-message|x509-certificate):/);
    const back = iocsToStixBundle(iocs.map((ioc) => throughOpenIoc(ioc.document)));
    expect(back.warnings).toEqual([]);
    const original = new Map(indicators.filter((i) => !skipped.includes(i.id)).map((i) => [i.id, normal(i.pattern)]));
    const roundTripped = new Map(back.bundle.objects.map((o) => [String(o["id"]), normal(String(o["pattern"]))]));
    expect(roundTripped).toEqual(original);
  });

  it("stixToIocs() and iocsToStixBundle() give the same bytes on a second run (deterministic ids)", () => {
    const bundle = load("oasis-threat-report-poisonivy.json");
    const once = stixToIocs(bundle).iocs.map((i) => writeIoc(i.document));
    const twice = stixToIocs(bundle).iocs.map((i) => writeIoc(i.document));
    expect(twice).toEqual(once);
    const docs = stixToIocs(bundle).iocs.map((i) => i.document);
    expect(JSON.stringify(iocsToStixBundle(docs).bundle)).toBe(JSON.stringify(iocsToStixBundle(docs).bundle));
  });
});

describe("stixToIocs() on the corpus", () => {
  it("stixToIocs() maps lower-case file:hashes.md5 and quoted file:hashes.'SHA-256' to FileItem hash terms", () => {
    const apt1 = stixToIocs(load("oasis-threat-report-apt1.json")).iocs;
    const md5 = apt1.find((i) => i.document.id === "8d12f44f-8ac0-4b12-8b4a-3699ca8c9691");
    expect(itemsOf(md5?.document ?? ({} as IocDocument)).map((i) => [i.term, i.value])).toEqual([["FileItem/Md5sum", "001dd76872d80801692ff942308c64e6"]]);
    const c2 = stixToIocs(load("oasis-indicators-for-C2-with-COA.json")).iocs;
    expect(c2.flatMap((i) => itemsOf(i.document).map((it) => it.term))).toEqual(["PortItem/remoteIP", "FileItem/Sha256sum"]);
  });

  it("stixToIocs() turns the mixed-type OR of PoisonIvy into an OpenIOC OR of DNS and port items", () => {
    const ioc = stixToIocs(load("oasis-threat-report-poisonivy.json")).iocs.find((i) => i.document.id === "4e11b23f-732b-418e-b786-4dbf65459d50");
    const criteria = ioc?.document.criteria;
    expect(criteria?.operator).toBe("OR");
    expect(criteria?.children.map((c) => (c.kind === "item" ? `${c.term} ${c.condition} ${c.value}` : "group"))).toEqual([
      "DnsEntryItem/Host is nkr.iphone.qpoe.com",
      "PortItem/remoteIP is 180.210.206.96",
      "PortItem/remoteIP is 101.78.151.179",
    ]);
    expect(ioc?.document.title).toBe("nkr.iphone.qpoe.com");
  });

  it("stixToIocs() makes an AND inside one observation an AND group on one FileItem, with the indicator's metadata", () => {
    const ioc = stixToIocs(load("misp-stix-objects-collection-stix21.json")).iocs.find((i) => i.document.id === "5e384ae7-672c-4250-9cda-3b4da964451a");
    const doc = ioc?.document;
    expect(doc?.criteria?.operator).toBe("AND");
    expect(doc?.criteria?.children.every((c) => c.kind === "item")).toBe(true);
    expect(doc && itemsOf(doc).map((i) => i.term)).toEqual(["FileItem/Md5sum", "FileItem/Sha1sum", "FileItem/Sha256sum", "FileItem/FileName"]);
    expect(doc?.authoredDate).toBe("2020-10-25T16:22:00.000Z");
    expect(doc?.keywords).toContain('misp:name="file"');
  });

  it("stixToIocs() reports MATCHES on e-mail paths as unsupported, naming the indicator", () => {
    const { iocs, warnings } = stixToIocs(load("oasis-malicious-email-indicator-with-attachment.json"));
    expect(iocs).toEqual([]);
    expect(warnings.find((w) => w.source === "indicator--2e17f6fe-3a4d-438a-911a-e509ba1b9933")?.message).toContain('"email-message:body_multipart[*].body_raw_ref.name MATCHES …"');
  });
});
