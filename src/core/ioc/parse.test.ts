import { describe, expect, it } from "vitest";
import { hasErrors } from "./diagnostics.js";
import type { IndicatorItem } from "./model.js";
import { isKnownCondition, itemsOf } from "./model.js";
import { parseIoc } from "./parse.js";

const NS10 = "http://schemas.mandiant.com/2010/ioc";
const NS11 = "http://openioc.org/schemas/OpenIOC_1.1";

function ioc10(definition: string, extra = ""): string {
  return `<?xml version="1.0" encoding="us-ascii"?>
<ioc xmlns="${NS10}" id="ioc-10" last-modified="2013-02-10T13:00:00">
  <short_description>GDOCUPLOAD (FAMILY)</short_description>
  <authored_by>Example</authored_by>
  <authored_date>2013-02-10T06:11:53</authored_date>
  <links><link rel="family">GDOCUPLOAD</link></links>${extra}
  <definition>${definition}</definition>
</ioc>`;
}

function item10(id: string, condition: string, search: string, value: string, type = "string"): string {
  const document = search.split("/")[0] ?? "";
  return `<IndicatorItem id="${id}" condition="${condition}"><Context document="${document}" search="${search}" type="mir"/><Content type="${type}">${value}</Content></IndicatorItem>`;
}

function codes(source: string | Uint8Array): string[] {
  return parseIoc(source).diagnostics.map((d) => d.code);
}

function onlyItem(source: string): IndicatorItem {
  const { document, diagnostics } = parseIoc(source);
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const items = document ? itemsOf(document) : [];
  expect(items).toHaveLength(1);
  return items[0] as IndicatorItem;
}

describe("parseIoc reads OpenIOC 1.0", () => {
  it("parseIoc reads metadata, the tree and positions", () => {
    const source = ioc10(`
    <Indicator operator="OR" id="top">
      ${item10("i1", "is", "FileItem/Md5sum", "b305b543da332a2fcf6e1ce55ed2ea79", "md5")}
      <Indicator operator="AND" id="and1">
        ${item10("i2", "contains", "FileItem/FileName", "gdocs")}
      </Indicator>
    </Indicator>`);
    const { document, diagnostics } = parseIoc(source);
    expect(diagnostics).toEqual([]);
    expect(document).toMatchObject({
      version: "1.0",
      id: "ioc-10",
      title: "GDOCUPLOAD (FAMILY)",
      authoredBy: "Example",
      lastModified: "2013-02-10T13:00:00",
      links: [{ rel: "family", text: "GDOCUPLOAD" }],
      criteria: { id: "top", operator: "OR", position: { line: 8, column: 5 } },
    });
    const items = document ? itemsOf(document) : [];
    expect(items.map((i) => [i.id, i.condition, i.term, i.value, i.contentType])).toEqual([
      ["i1", "is", "FileItem/Md5sum", "b305b543da332a2fcf6e1ce55ed2ea79", "md5"],
      ["i2", "contains", "FileItem/FileName", "gdocs", "string"],
    ]);
    expect(items[0]?.position).toEqual({ line: 9, column: 7 });
  });

  it("parseIoc turns isnot and containsnot into negated is and contains", () => {
    const isnot = onlyItem(ioc10(`<Indicator operator="OR" id="t">${item10("a", "isnot", "FileItem/FileName", "x")}</Indicator>`));
    expect([isnot.condition, isnot.negate, isnot.sourceCondition]).toEqual(["is", true, "isnot"]);
    const containsnot = onlyItem(
      ioc10(`<Indicator operator="OR" id="t">${item10("a", "containsnot", "FileItem/FileName", "x")}</Indicator>`),
    );
    expect([containsnot.condition, containsnot.negate]).toEqual(["contains", true]);
  });

  it("parseIoc makes every 1.0 item case-insensitive and keeps its Comment as a parameter", () => {
    const source = ioc10(
      `<Indicator operator="OR" id="t"><IndicatorItem id="c1" condition="is" preserve-case="true"><Context document="FileItem" search="FileItem/FileName" type="mir"/><Content type="string">A.exe</Content><Comment>seen in 2012</Comment></IndicatorItem></Indicator>`,
    );
    const { document, diagnostics } = parseIoc(source);
    const item = document ? itemsOf(document)[0] : undefined;
    expect(item?.preserveCase).toBe(false);
    expect(item?.parameters).toMatchObject([{ name: "comment", value: "seen in 2012", refId: "c1" }]);
    expect(diagnostics.map((d) => d.code)).toEqual(["IOC014"]);
    expect(document?.parameters).toMatchObject([{ name: "comment", value: "seen in 2012", refId: "c1" }]);
  });

  it("parseIoc accepts a 1.0 file with a metadata wrapper and no namespace", () => {
    const source = `<ioc id="x"><metadata><short_description>T</short_description></metadata><definition><Indicator operator="OR" id="t">${item10("a", "is", "FileItem/FileName", "x")}</Indicator></definition></ioc>`;
    const { document, diagnostics } = parseIoc(source);
    expect(document?.title).toBe("T");
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["IOC016", "info"]]);
  });
});

describe("parseIoc reads OpenIOC 1.1", () => {
  const source = `<?xml version="1.0" encoding="utf-8"?>
<OpenIOC xmlns="${NS11}" id="ioc-11" last-modified="2020-01-01T00:00:00Z" published-date="0001-01-01T00:00:00">
  <metadata>
    <short_description>BEACON</short_description>
    <keywords>cobalt</keywords>
    <links><link rel="platform">win,linux</link></links>
  </metadata>
  <criteria>
    <Indicator id="top" operator="OR">
      <Indicator id="and" operator="AND">
        <IndicatorItem id="p1" condition="starts-with" preserve-case="true" negate="false">
          <Context document="processEvent" search="eventItem/processEvent/processCmdLine" type="event"/>
          <Content type="string">rundll32.exe </Content>
        </IndicatorItem>
        <IndicatorItem id="p2" condition="ends-with" preserve-case="false" negate="true">
          <Context document="processEvent" search="processEvent/process" type="event"/>
          <Content type="string">.dll</Content>
        </IndicatorItem>
      </Indicator>
    </Indicator>
  </criteria>
  <parameters>
    <param id="x1" ref-id="p1" name="score"><value type="int">80</value></param>
    <param id="x2" ref-id="and" name="comment"><value type="string">why</value></param>
  </parameters>
</OpenIOC>`;

  it("parseIoc reads conditions, negate, preserve-case and keeps values exactly", () => {
    const { document, diagnostics } = parseIoc(source);
    expect(diagnostics).toEqual([]);
    expect(document).toMatchObject({ version: "1.1", id: "ioc-11", title: "BEACON", keywords: "cobalt", publishedDate: "0001-01-01T00:00:00" });
    const [p1, p2] = document ? itemsOf(document) : [];
    expect(p1).toMatchObject({ condition: "starts-with", preserveCase: true, negate: false, value: "rundll32.exe ", term: "processEvent/processCmdLine" });
    expect(p1?.context.search).toBe("eventItem/processEvent/processCmdLine");
    expect(p2).toMatchObject({ condition: "ends-with", preserveCase: false, negate: true, document: "processEvent" });
  });

  it("parseIoc attaches parameters to the item or indicator they reference", () => {
    const { document } = parseIoc(source);
    const and = document?.criteria?.children[0];
    expect(and?.parameters).toMatchObject([{ name: "comment", value: "why" }]);
    expect(document ? itemsOf(document)[0]?.parameters : undefined).toMatchObject([{ id: "x1", name: "score", value: "80", valueType: "int" }]);
    expect(document?.parameters).toHaveLength(2);
  });

  it("parseIoc attaches a parameter with an empty ref-id to no node", () => {
    const source = `<OpenIOC xmlns="${NS11}" id="e"><criteria><Indicator operator="OR">${item10("", "is", "FileItem/FileName", "x")}</Indicator></criteria>
<parameters><param id="p" ref-id="" name="note"><value>n</value></param></parameters></OpenIOC>`;
    const { document } = parseIoc(source);
    expect(document?.criteria?.parameters).toEqual([]);
    expect(document ? itemsOf(document)[0]?.parameters : undefined).toEqual([]);
    expect(document?.parameters).toMatchObject([{ id: "p", name: "note" }]);
  });

  it("parseIoc reads several top-level indicators as an OR over them", () => {
    const twoTops = source.replace("</criteria>", `<Indicator id="second" operator="OR">${item10("s", "is", "FileItem/FileName", "y")}</Indicator></criteria>`);
    const { document } = parseIoc(twoTops);
    expect(document?.criteria).toMatchObject({ id: "", operator: "OR" });
    expect(document?.criteria?.children.map((c) => c.id)).toEqual(["top", "second"]);
  });

  it("parseIoc keeps multi-line values and entities as written", () => {
    const { document } = parseIoc(source.replace("rundll32.exe ", "C:\\Program Files\\\n      a &amp; b"));
    expect(document ? itemsOf(document)[0]?.value : undefined).toBe("C:\\Program Files\\\n      a & b");
  });
});

describe("parseIoc handles real-world quirks", () => {
  const minimal = `<ioc xmlns="${NS10}" id="q"><definition><Indicator operator="OR" id="t">${item10("a", "is", "FileItem/FileName", "x")}</Indicator></definition></ioc>`;

  it("parseIoc accepts a licence comment before the XML declaration", () => {
    const source = `<!--\n  Copyright FireEye\n-->\n<?xml version="1.0" encoding="us-ascii"?>\n${minimal}`;
    const { document, diagnostics } = parseIoc(source);
    expect(diagnostics).toEqual([]);
    expect(document?.position).toEqual({ line: 5, column: 1 });
  });

  it("parseIoc reads UTF-8 with BOM, UTF-16 with BOM and CRLF line endings", () => {
    const crlf = `<?xml version="1.0"?>\r\n${minimal.replace("<definition>", "\r\n<definition>")}`;
    const utf8 = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(crlf)]);
    const parsedUtf8 = parseIoc(utf8);
    expect(parsedUtf8.diagnostics).toEqual([]);
    expect(parsedUtf8.document?.criteria?.position).toEqual({ line: 3, column: 13 });
    const utf16 = new Uint8Array(2 + crlf.length * 2);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < crlf.length; i++) utf16[2 + i * 2] = crlf.charCodeAt(i);
    expect(parseIoc(utf16.subarray()).document?.id).toBe("q");
  });

  it("parseIoc strips a leading eventItem/ and takes the document from the search term", () => {
    const item = onlyItem(ioc10(`<Indicator operator="OR" id="t"><IndicatorItem id="a" condition="is"><Context document="Network" search="RegistryItem/KeyPath" type="mir"/><Content type="string">k</Content></IndicatorItem></Indicator>`));
    expect([item.document, item.context.document]).toEqual(["RegistryItem", "Network"]);
    expect(codes(ioc10(`<Indicator operator="OR" id="t"><IndicatorItem id="a" condition="is"><Context document="Network" search="RegistryItem/KeyPath" type="mir"/><Content type="string">k</Content></IndicatorItem></Indicator>`))).toEqual(["IOC031"]);
  });

  it("parseIoc keeps an empty Content and records that Content was absent", () => {
    const empty = onlyItem(ioc10(`<Indicator operator="OR" id="t"><IndicatorItem id="a" condition="is"><Context document="ProcessItem" search="ProcessItem/DllPath" type="mir"/><Content type="string"/></IndicatorItem></Indicator>`));
    expect([empty.value, empty.hasContent]).toEqual(["", true]);
    const absent = onlyItem(ioc10(`<Indicator operator="OR" id="t"><IndicatorItem id="a" condition="is"><Context document="ProcessItem" search="ProcessItem/name" type="mir"/></IndicatorItem></Indicator>`));
    expect(absent.hasContent).toBe(false);
  });

  it("parseIoc maps non-standard condition spellings with a warning", () => {
    const item = onlyItem(ioc10(`<Indicator operator="OR" id="t">${item10("a", "GreaterThan", "FileItem/SizeInBytes", "10", "int")}</Indicator>`));
    expect(item.condition).toBe("greater-than");
    expect(codes(ioc10(`<Indicator operator="OR" id="t">${item10("a", "notcontains", "FileItem/FileName", "x")}</Indicator>`))).toEqual(["IOC012"]);
  });
});

describe("parseIoc reports content problems as located diagnostics", () => {
  it("parseIoc reports an unknown operator as an error, an unknown condition as a warning", () => {
    const { diagnostics } = parseIoc(ioc10(`<Indicator operator="XOR" id="t">${item10("a", "resembles", "FileItem/FileName", "x")}</Indicator>`));
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["IOC010", "error"], ["IOC011", "warning"]]);
    expect(diagnostics[1]?.message).toContain('unknown condition "resembles"');
    expect(diagnostics[0]).toMatchObject({ line: 7, column: 15 });
  });

  it("parseIoc keeps an item with an unknown or missing condition, spelled as written, for the evaluator to leave UNKNOWN", () => {
    const item = onlyItem(ioc10(`<Indicator operator="OR" id="t">${item10("a", " Resembles ", "FileItem/FileName", "x")}</Indicator>`));
    expect([item.condition, item.sourceCondition, item.negate]).toEqual(["Resembles", " Resembles ", false]);
    expect(isKnownCondition(item.condition)).toBe(false);
    const missing = ioc10(`<Indicator operator="OR" id="t"><IndicatorItem id="a"><Context document="FileItem" search="FileItem/FileName" type="mir"/><Content>x</Content></IndicatorItem></Indicator>`);
    expect(onlyItem(missing).condition).toBe("");
    expect(codes(missing)).toEqual(["IOC011"]);
  });

  it("parseIoc reports an item without a search term as an error", () => {
    const source = ioc10(`<Indicator operator="OR" id="t"><IndicatorItem id="a" condition="is"><Context document="FileItem" type="mir"/><Content>x</Content></IndicatorItem></Indicator>`);
    const { diagnostics } = parseIoc(source);
    expect(diagnostics).toMatchObject([{ code: "IOC013", severity: "error" }]);
    expect(hasErrors(diagnostics)).toBe(true);
  });

  it("parseIoc reports an empty indicator and a file without logic", () => {
    expect(codes(ioc10(`<Indicator operator="OR" id="t"/>`))).toEqual(["IOC032"]);
    expect(codes(`<ioc xmlns="${NS10}" id="x"><short_description>T</short_description></ioc>`)).toEqual(["IOC007"]);
  });

  it("parseIoc rejects XML that is not an IOC", () => {
    const { document, diagnostics } = parseIoc(`<?xml version="1.0"?>\n<stix:STIX_Package xmlns:stix="urn:stix"/>`);
    expect(document).toBeUndefined();
    expect(diagnostics).toMatchObject([{ code: "IOC002", line: 2, column: 1 }]);
    expect(diagnostics[0]?.message).toContain('"STIX_Package"');
  });

  it("parseIoc reports malformed and truncated XML with line and column", () => {
    const truncated = ioc10(`<Indicator operator="OR" id="t">${item10("a", "is", "FileItem/FileName", "x")}</Indicator>`).slice(0, 300);
    const [problem] = parseIoc(truncated).diagnostics;
    expect(problem).toMatchObject({ code: "IOC001", severity: "error" });
    expect(problem?.line).toBeGreaterThan(1);
    expect(parseIoc("<ioc><a></b></ioc>").diagnostics).toMatchObject([{ code: "IOC001", line: 1 }]);
    expect(parseIoc("   \n").diagnostics).toMatchObject([{ code: "IOC001", message: "The file is empty" }]);
  });

  it("parseIoc refuses binary files and invalid UTF-8 with the offset", () => {
    expect(parseIoc(new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03])).diagnostics).toMatchObject([{ code: "IOC006" }]);
    const bad = new Uint8Array([...new TextEncoder().encode("<ioc>ab"), 0xc3, 0x28, ...new TextEncoder().encode("</ioc>")]);
    expect(parseIoc(bad).diagnostics[0]?.message).toContain("byte offset 7");
    const cut = new TextEncoder().encode("<ioc>é").subarray(0, 6);
    expect(parseIoc(cut).diagnostics[0]?.message).toContain("byte offset 5");
  });

  it("parseIoc refuses a DOCTYPE, so external entities are never read", () => {
    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE ioc [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<ioc xmlns="${NS10}"><short_description>&xxe;</short_description></ioc>`;
    const { document, diagnostics } = parseIoc(xxe);
    expect(document).toBeUndefined();
    expect(diagnostics).toMatchObject([{ code: "IOC003", severity: "error", line: 2, column: 1 }]);
  });

  it("parseIoc refuses a billion-laughs file without expanding it", () => {
    const entities = Array.from({ length: 10 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join("");
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${entities}]><lolz>&lol10;</lolz>`;
    expect(codes(bomb)).toEqual(["IOC003"]);
    // Without a DOCTYPE an entity reference is simply undefined.
    expect(codes(`<ioc>&lol10;</ioc>`)).toEqual(["IOC001"]);
  });

  it("parseIoc enforces the size and depth limits", () => {
    const source = ioc10(`<Indicator operator="OR" id="t">${item10("a", "is", "FileItem/FileName", "x")}</Indicator>`);
    expect(parseIoc(source, { maxBytes: 100 }).diagnostics).toMatchObject([{ code: "IOC004" }]);
    const deep = `<ioc>${"<Indicator operator='OR'>".repeat(500)}${"</Indicator>".repeat(500)}</ioc>`;
    expect(parseIoc(deep).diagnostics).toMatchObject([{ code: "IOC005" }]);
    expect(parseIoc(source, { maxDepth: 3 }).diagnostics).toMatchObject([{ code: "IOC005", line: 7 }]);
  });
});
