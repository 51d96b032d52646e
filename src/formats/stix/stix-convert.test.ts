import { describe, expect, it } from "vitest";
import { itemsOf, parseIoc, type IocDocument } from "../../core/ioc/index.js";
import { ConversionInputError } from "../_conversion.js";
import { convertToOpenIoc, detectFormat } from "../interchange.js";
import { iocsToStixBundle } from "./ioc-to-stix.js";
import { stixToIocs } from "./stix-to-ioc.js";

const ID = "indicator--6c5d4a2b-0000-4000-8000-000000000001";

function bundleOf(pattern: string, extra: Record<string, unknown> = {}): unknown {
  return { type: "bundle", id: "bundle--6c5d4a2b-0000-4000-8000-0000000000ff", objects: [{ type: "indicator", spec_version: "2.1", id: ID, created: "2024-01-02T03:04:05Z", modified: "2024-01-02T03:04:05Z", pattern, pattern_type: "stix", valid_from: "2024-01-02T03:04:05Z", ...extra }] };
}

/** The items of the one converted IOC as "term condition value" lines ("not" for negated). */
function itemsFor(pattern: string): string[] {
  const { iocs } = stixToIocs(bundleOf(pattern));
  expect(iocs).toHaveLength(1);
  return itemsOf(iocs[0]?.document as IocDocument).map((i) => `${i.term} ${i.negate ? "not " : ""}${i.condition} ${i.value}`);
}

function iocXml(criteria: string): IocDocument {
  const xml = `<?xml version="1.0"?><OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="test-ioc" last-modified="2024-01-01T00:00:00"><metadata><short_description>T</short_description><authored_date>2024-01-01T00:00:00</authored_date></metadata><criteria>${criteria}</criteria></OpenIOC>`;
  const doc = parseIoc(xml).document;
  if (doc === undefined) throw new Error("test IOC does not parse");
  return doc;
}

const item = (term: string, value: string, condition = "is", negate = false): string =>
  `<IndicatorItem id="${term}-${value}" condition="${condition}" negate="${negate}" preserve-case="false"><Context document="${term.split("/")[0] ?? ""}" search="${term}" type="mir"/><Content type="string">${value}</Content></IndicatorItem>`;

describe("stixToIocs() on comparisons and operators", () => {
  it("stixToIocs() maps LIKE wildcards to contains / starts-with / ends-with, and other LIKE patterns to an anchored regex", () => {
    expect(itemsFor("[process:command_line LIKE '%/tn evil%' OR file:name LIKE 'inv%' OR file:name LIKE '%.scr' OR file:name LIKE 'a_c%d']")).toEqual([
      "ProcessItem/arguments contains /tn evil",
      "FileItem/FileName starts-with inv",
      "FileItem/FileName ends-with .scr",
      "FileItem/FileName matches ^a.c.*d$",
    ]);
  });

  it("stixToIocs() maps !=, NOT, IN, >= and ISSUBSET to their OpenIOC forms", () => {
    expect(itemsFor("[file:name != 'a' OR file:name NOT MATCHES 'b+' OR file:size >= 100 OR ipv4-addr:value ISSUBSET '10.0.0.0/8']")).toEqual([
      "FileItem/FileName not is a",
      "FileItem/FileName not matches b+",
      "FileItem/SizeInBytes greater-than 99",
      "PortItem/remoteIP is 10.0.0.0/8",
    ]);
    expect(itemsFor("[file:hashes.MD5 IN ('a1', 'b2')]")).toEqual(["FileItem/Md5sum is a1", "FileItem/Md5sum is b2"]);
  });

  it("stixToIocs() converts FOLLOWEDBY as AND and leaves qualifiers out, warning about each with the indicator id", () => {
    const { iocs } = stixToIocs(bundleOf("[file:name = 'a'] FOLLOWEDBY [mutex:name = 'm'] WITHIN 60 SECONDS"));
    expect(iocs[0]?.document.criteria?.operator).toBe("AND");
    expect(iocs[0]?.warnings.map((w) => [w.code, w.source])).toEqual([
      ["followedby-as-and", ID],
      ["qualifier-ignored", ID],
    ]);
    expect(iocs[0]?.warnings[1]?.message).toContain('"WITHIN 60 SECONDS"');
  });

  it("stixToIocs() drops an unsupported part of an OR with a warning, but never one side of an AND", () => {
    const or = stixToIocs(bundleOf("[file:name = 'a' OR x509-certificate:issuer = 'CN=x']"));
    expect(itemsOf(or.iocs[0]?.document as IocDocument).map((i) => i.term)).toEqual(["FileItem/FileName"]);
    expect(or.iocs[0]?.warnings[0]?.message).toContain('no OpenIOC term for "x509-certificate:issuer"');
    const and = stixToIocs(bundleOf("[file:name = 'a' AND file:mime_type = 'x'] OR [domain-name:value = 'd.example']"));
    expect(itemsOf(and.iocs[0]?.document as IocDocument).map((i) => i.term)).toEqual(["DnsEntryItem/Host"]);
    expect(and.iocs[0]?.warnings.map((w) => w.code)).toEqual(["unsupported-comparison", "and-dropped"]);
  });

  it("stixToIocs() reports an AND of two observations about the same kind of object: OpenIOC binds them to one", () => {
    const { iocs } = stixToIocs(bundleOf("[file:name = 'a.exe'] AND [file:size = 100]"));
    expect(iocs[0]?.warnings.map((w) => w.code)).toEqual(["and-binds-one-object"]);
    expect(iocs[0]?.warnings[0]?.message).toContain("(FileItem)");
  });

  it("stixToIocs() skips indicators of other pattern types with the reason, and converts the rest", () => {
    const result = stixToIocs(bundleOf("rule x { condition: true }", { pattern_type: "yara" }));
    expect(result.iocs).toEqual([]);
    expect(result.warnings).toEqual([{ code: "pattern-type-skipped", message: 'indicator skipped: pattern_type "yara" is not a STIX pattern', source: ID }]);
  });

  it("stixToIocs() refuses a broken pattern naming the JSON path and the offset", () => {
    expect(() => stixToIocs(bundleOf("[file:name = 'a'"))).toThrow(ConversionInputError);
    expect(() => stixToIocs(bundleOf("[file:name = 'a'"))).toThrow('$.objects[0].pattern: Cannot parse STIX pattern at offset 16: expected "]"');
    expect(() => stixToIocs({ type: "report" })).toThrow('$.type: expected "bundle", found "report"');
  });
});

describe("iocsToStixBundle()", () => {
  it("iocsToStixBundle() writes an AND of FileItem items as one observation and an OR across documents as OR of observations", () => {
    const doc = iocXml(
      `<Indicator id="top" operator="OR"><Indicator id="f" operator="AND">${item("FileItem/FileName", "a.exe")}${item("FileItem/Md5sum", "0123456789abcdef0123456789abcdef")}</Indicator>${item("DnsEntryItem/Host", "evil.example")}${item("ProcessItem/HandleList/Handle/Name", "Global\\m")}</Indicator>`,
    );
    const { bundle, warnings } = iocsToStixBundle([doc]);
    expect(warnings).toEqual([]);
    expect(bundle.objects[0]?.["pattern"]).toBe("[file:name = 'a.exe' AND file:hashes.MD5 = '0123456789abcdef0123456789abcdef'] OR [domain-name:value = 'evil.example'] OR [mutex:name = 'Global\\\\m']");
  });

  it("iocsToStixBundle() writes a remote address and port under AND as one network-traffic observation", () => {
    const doc = iocXml(`<Indicator id="a" operator="AND">${item("PortItem/remoteIP", "1.2.3.4")}${item("PortItem/remotePort", "443")}</Indicator>`);
    expect(iocsToStixBundle([doc]).bundle.objects[0]?.["pattern"]).toBe("[network-traffic:dst_ref.value = '1.2.3.4' AND network-traffic:dst_port = 443]");
  });

  it("iocsToStixBundle() keeps an address with its port as network-traffic inside an OR of connections", () => {
    const pair = (ip: string, port: string, id: string): string => `<Indicator id="${id}" operator="AND">${item("PortItem/remoteIP", ip)}${item("PortItem/remotePort", port)}</Indicator>`;
    const doc = iocXml(`<Indicator id="o" operator="OR">${pair("1.2.3.4", "443", "p1")}${item("PortItem/remoteIP", "5.6.7.8")}</Indicator>`);
    expect(iocsToStixBundle([doc]).bundle.objects[0]?.["pattern"]).toBe("[network-traffic:dst_ref.value = '1.2.3.4' AND network-traffic:dst_port = 443 OR ipv4-addr:value = '5.6.7.8']");
  });

  it("iocsToStixBundle() maps conditions to LIKE / MATCHES, escaping values that hold LIKE wildcards", () => {
    const doc = iocXml(`<Indicator id="o" operator="OR">${item("FileItem/FileName", "inv", "starts-with")}${item("FileItem/FileName", "50%_off", "contains")}${item("ProcessItem/arguments", "x", "contains", true)}</Indicator>`);
    expect(iocsToStixBundle([doc]).bundle.objects[0]?.["pattern"]).toBe("[file:name LIKE 'inv%' OR file:name MATCHES '50%_off'] OR [process:command_line NOT LIKE '%x%']");
  });

  it("iocsToStixBundle() reports terms STIX cannot express: dropped from an OR, and the whole AND that needs one", () => {
    const or = iocXml(`<Indicator id="o" operator="OR">${item("FileItem/FileName", "a.exe")}${item("FileItem/PEInfo/PETimeStamp", "2010-01-01T00:00:00Z")}</Indicator>`);
    const orResult = iocsToStixBundle([or]);
    expect(orResult.bundle.objects[0]?.["pattern"]).toBe("[file:name = 'a.exe']");
    expect(orResult.warnings).toEqual([{ code: "not-expressible", message: 'item "FileItem/PEInfo/PETimeStamp-2010-01-01T00:00:00Z": "FileItem/PEInfo/PETimeStamp" has no STIX 2.1 object path', source: "test-ioc" }]);
    const and = iocXml(`<Indicator id="a" operator="AND">${item("FileItem/FileName", "a.exe")}${item("FileItem/PEInfo/PETimeStamp", "2010-01-01T00:00:00Z")}</Indicator>`);
    const andResult = iocsToStixBundle([and]);
    expect(andResult.bundle.objects).toEqual([]);
    expect(andResult.warnings.map((w) => w.message)).toEqual([
      'item "FileItem/PEInfo/PETimeStamp-2010-01-01T00:00:00Z": "FileItem/PEInfo/PETimeStamp" has no STIX 2.1 object path',
      'indicator "a": an AND with a part STIX cannot express is dropped whole',
      "IOC skipped: nothing of its indicator tree can be expressed as a STIX pattern",
    ]);
  });

  it("iocsToStixBundle() gives a non-UUID IOC id a stable version-5 id and writes STIX timestamps", () => {
    const doc = iocXml(`<Indicator id="o" operator="OR">${item("FileItem/FileName", "a.exe")}</Indicator>`);
    const [first] = iocsToStixBundle([doc]).bundle.objects;
    expect(first?.["id"]).toMatch(/^indicator--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(iocsToStixBundle([doc]).bundle.objects[0]?.["id"]).toBe(first?.["id"]);
    expect(first).toMatchObject({ created: "2024-01-01T00:00:00.000Z", valid_from: "2024-01-01T00:00:00.000Z", spec_version: "2.1", pattern_type: "stix" });
  });
});

describe("detectFormat() and convertToOpenIoc()", () => {
  it("detectFormat() tells OpenIOC, STIX 2.1, STIX 1.x and MISP apart by content", () => {
    expect(detectFormat('<?xml version="1.0"?><OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1"/>')).toBe("openioc");
    expect(detectFormat('<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" />')).toBe("stix1");
    expect(detectFormat(JSON.stringify(bundleOf("[file:name = 'a']")))).toBe("stix");
    expect(detectFormat('{"Event": {"info": "x"}}')).toBe("misp");
    expect(detectFormat('{"response": []}')).toBe("misp");
    expect(detectFormat("{nope")).toBe("unknown");
  });

  it("convertToOpenIoc() refuses STIX 1.x and non-JSON with a clear cause", () => {
    expect(() => convertToOpenIoc('<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" />', "stix")).toThrow("STIX 1.x (XML) is not supported");
    expect(() => convertToOpenIoc("{nope", "misp")).toThrow(/^\$: not JSON: /);
  });
});
