import { describe, expect, it } from "vitest";
import type { Indicator, IndicatorItem, IocDocument, IocParameter } from "../core/ioc/model.js";
import { IocWriteError, tryWriteIoc, writeIoc } from "./openioc-writer.js";

const at = { line: 0, column: 0 };

function item(id: string, overrides: Partial<IndicatorItem> = {}): IndicatorItem {
  return {
    kind: "item",
    id,
    condition: "is",
    sourceCondition: "is",
    negate: false,
    preserveCase: false,
    context: { document: "FileItem", search: "FileItem/Md5sum", type: "mir" },
    term: "FileItem/Md5sum",
    document: "FileItem",
    contentType: "md5",
    value: "b305b543da332a2fcf6e1ce55ed2ea79",
    hasContent: true,
    parameters: [],
    position: at,
    valuePosition: at,
    ...overrides,
  };
}

function indicator(id: string, children: Indicator["children"], operator: "AND" | "OR" = "OR"): Indicator {
  return { kind: "indicator", id, operator, children, parameters: [], position: at };
}

function doc(version: "1.0" | "1.1", criteria: Indicator, overrides: Partial<IocDocument> = {}): IocDocument {
  return {
    version,
    id: "ioc-1",
    title: "Test",
    lastModified: "2013-02-10T13:00:00",
    links: [],
    criteria,
    parameters: [],
    position: at,
    ...overrides,
  };
}

function comment(refId: string, value: string): IocParameter {
  return { refId, name: "comment", value, position: at };
}

describe("writeIoc", () => {
  it("writeIoc writes OpenIOC 1.1 with metadata, criteria and parameters", () => {
    const note: IocParameter = { id: "p1", refId: "i1", name: "note", value: "a & b", valueType: "string", position: at };
    const tree = indicator("top", [item("i1", { parameters: [note], negate: true, condition: "contains" })]);
    const xml = writeIoc(
      doc("1.1", tree, {
        authoredDate: "2013-02-10T06:11:53",
        links: [{ rel: "family", text: "X", href: "http://e/?a=1&b=2", position: at }],
        parameters: [note],
      }),
    );
    expect(xml).toBe(
      [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" id="ioc-1" last-modified="2013-02-10T13:00:00" published-date="0001-01-01T00:00:00">',
        "  <metadata>",
        "    <short_description>Test</short_description>",
        "    <authored_date>2013-02-10T06:11:53</authored_date>",
        "    <links>",
        '      <link rel="family" href="http://e/?a=1&amp;b=2">X</link>',
        "    </links>",
        "  </metadata>",
        "  <criteria>",
        '    <Indicator operator="OR" id="top">',
        '      <IndicatorItem id="i1" condition="contains" preserve-case="false" negate="true">',
        '        <Context document="FileItem" search="FileItem/Md5sum" type="mir" />',
        '        <Content type="md5">b305b543da332a2fcf6e1ce55ed2ea79</Content>',
        "      </IndicatorItem>",
        "    </Indicator>",
        "  </criteria>",
        "  <parameters>",
        '    <param id="p1" ref-id="i1" name="note">',
        '      <value type="string">a &amp; b</value>',
        "    </param>",
        "  </parameters>",
        "</OpenIOC>",
        "",
      ].join("\n"),
    );
  });

  it("writeIoc writes OpenIOC 1.0 with isnot/containsnot and the comment as Comment", () => {
    const c = comment("i2", "seen in 12% of samples");
    const tree = indicator("top", [
      item("i1", { negate: true }),
      indicator("and", [item("i2", { condition: "contains", negate: true, parameters: [c] })], "AND"),
    ]);
    const xml = writeIoc(doc("1.0", tree, { parameters: [c] }));
    expect(xml).toContain(
      '<ioc xmlns="http://schemas.mandiant.com/2010/ioc" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" id="ioc-1" last-modified="2013-02-10T13:00:00">',
    );
    expect(xml).toContain('<IndicatorItem id="i1" condition="isnot">');
    expect(xml).toContain('<IndicatorItem id="i2" condition="containsnot">');
    expect(xml).toContain("<Comment>seen in 12% of samples</Comment>");
    expect(xml).toContain("  <short_description>Test</short_description>\n  <links />\n  <definition>");
    expect(xml).not.toContain("published-date");
  });

  it("writeIoc refuses 1.1-only constructs in 1.0 and names every item", () => {
    const tree = indicator("top", [
      item("m", { condition: "matches", negate: true }),
      item("c", { preserveCase: true }),
      item("p", { parameters: [{ id: "x", refId: "p", name: "score", value: "5", position: at }] }),
    ]);
    const result = tryWriteIoc(doc("1.1", tree, { publishedDate: "2020-01-01T00:00:00" }), { version: "1.0" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.code, p.nodeId ?? p.path])).toEqual([
      ["published-date-not-in-1.0", "published-date"],
      ["condition-not-in-1.0", "m"],
      ["preserve-case-not-in-1.0", "c"],
      ["parameter-not-in-1.0", "p"],
    ]);
    expect(result.problems[1]?.message).toBe(
      'Cannot write item "m" as OpenIOC 1.0: negated condition "matches" exists only in 1.1',
    );
    expect(() => writeIoc(doc("1.1", tree), { version: "1.0" })).toThrow(IocWriteError);
    expect(() => writeIoc(doc("1.1", tree), { version: "1.0" })).toThrow(
      'Cannot write item "m" as OpenIOC 1.0: negated condition "matches" exists only in 1.1 (and 2 more problems)',
    );
  });

  it("writeIoc keeps values byte for byte and escapes what XML would change", () => {
    const value = '  <a href="x">&\'\r\n\tz  ';
    const xml = writeIoc(doc("1.1", indicator("top", [item("q\"\n\t", { value, contentType: "string" })])));
    expect(xml).toContain('<IndicatorItem id="q&quot;&#10;&#9;"');
    expect(xml).toContain("<Content type=\"string\">  &lt;a href=\"x\"&gt;&amp;'&#13;\n\tz  </Content>");
  });

  it("writeIoc refuses characters XML 1.0 forbids instead of writing them", () => {
    const result = tryWriteIoc(doc("1.1", indicator("top", [item("i1", { value: "a\u0001b\uD800" })])));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.message).toBe('Cannot write Content of item "i1": character U+0001 is not allowed in XML 1.0');
  });

  it("writeIoc takes last-modified from options.now only when the document has none", () => {
    const tree = indicator("top", [item("i1")]);
    const bare = doc("1.0", tree, {});
    const { lastModified: _, ...withoutDate } = bare;
    expect(writeIoc(withoutDate)).not.toContain("last-modified");
    expect(writeIoc(withoutDate, { now: new Date(Date.UTC(2026, 10, 27, 23, 51, 39, 123)) })).toContain(
      'last-modified="2026-11-27T23:51:39Z"',
    );
    expect(writeIoc(bare, { now: "2030-01-01T00:00:00Z" })).toContain('last-modified="2013-02-10T13:00:00"');
  });

  it("writeIoc gives an upgraded 1.0 comment a stable param id and writes each parameter once", () => {
    const c = comment("i1", "why");
    const tree = indicator("top", [item("i1", { parameters: [c] })]);
    // The document-wide list holds an equal copy, as a converter might build it.
    const upgraded = doc("1.0", tree, { parameters: [{ ...c }] });
    const first = writeIoc(upgraded, { version: "1.1" });
    expect(first).toBe(writeIoc(upgraded, { version: "1.1" }));
    expect(first.match(/<param /g)).toHaveLength(1);
    expect(first).toMatch(/<param id="[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}" ref-id="i1" name="comment">/);
  });

  it("writeIoc reports a 1.1 parameter that points at no node as unwritable in 1.0", () => {
    const stray: IocParameter = { id: "s", refId: "nowhere", name: "comment", value: "x", position: at };
    const result = tryWriteIoc(doc("1.1", indicator("top", [item("i1")]), { parameters: [stray] }), { version: "1.0" });
    expect(result.ok ? [] : result.problems.map((p) => p.code)).toEqual(["parameter-not-in-1.0"]);
  });
});

describe("writeIoc parameters in 1.1", () => {
  it("writeIoc gives an id-less node that carries parameters a stable id, so ref-id is never empty", () => {
    const c = comment("", "note on an id-less item");
    const tree = indicator("top", [item("", { parameters: [c] }), item("")]);
    const xml = writeIoc(doc("1.0", tree, { parameters: [c] }), { version: "1.1" });
    const itemIds = [...xml.matchAll(/<IndicatorItem id="([^"]*)"/g)].map((m) => m[1]);
    const refIds = [...xml.matchAll(/ref-id="([^"]*)"/g)].map((m) => m[1]);
    expect(itemIds[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(itemIds[1]).toBe("");
    expect(refIds).toEqual([itemIds[0]]);
  });

  it("writeIoc writes a parameter attached to several nodes once, pointing at the first", () => {
    const shared: IocParameter = { id: "s", refId: "dup", name: "note", value: "v", position: at };
    const tree = indicator("top", [item("dup", { parameters: [shared] }), item("dup", { parameters: [shared] })]);
    const xml = writeIoc(doc("1.1", tree));
    expect(xml.match(/<param /g)).toHaveLength(1);
    expect(xml).toContain('<param id="s" ref-id="dup" name="note">');
  });
});

describe("writeIoc options", () => {
  it("writeIoc throws a TypeError for an invalid options.now instead of writing a bad date", () => {
    const { lastModified: _, ...undated } = doc("1.1", indicator("top", [item("i1")]));
    expect(() => writeIoc(undated, { now: new Date(Number.NaN) })).toThrow(TypeError);
  });
});
