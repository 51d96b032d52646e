import fc from "fast-check";
import { SaxesParser } from "saxes";
import { describe, expect, it } from "vitest";
import { hasErrors } from "../../src/core/ioc/diagnostics.js";
import type { IocDocument, OpenIocVersion } from "../../src/core/ioc/model.js";
import { parseIoc } from "../../src/core/ioc/parse.js";
import { tryWriteIoc, writeIoc } from "../../src/formats/openioc-writer.js";
import { UNPUBLISHED, allIndicators, allItems, expectedAfterWrite, withoutParameterIds } from "./_expected.js";
import { downgradableIocDocumentArb, iocDocumentArb } from "./_ioc-arbitraries.js";
import { stripPositions } from "./_strip-positions.js";

/** Runs per property; raise `PROPERTY_RUNS_SCALE` (e.g. 20) for a local soak. */
const RUNS = 120 * Number(process.env["PROPERTY_RUNS_SCALE"] ?? 1);

/** Writes, reads back, and insists the reader found nothing wrong enough to be an error. */
function readBack(doc: IocDocument, version: OpenIocVersion): IocDocument {
  const xml = writeIoc(doc, { version });
  const { document, diagnostics } = parseIoc(xml);
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(hasErrors(diagnostics)).toBe(false);
  if (!document) throw new Error("parseIoc returned no document");
  return document;
}

/**
 * Known reader deviation (reported, not fixed here: src/core is not ours): the model says
 * `IocDocument.parameters` holds 1.0 comments too, but parseIoc lists only 1.1 `parameters/param`
 * there. Probed once, so the round trip becomes strict by itself when the reader is fixed.
 */
const readerListsOneZeroComments = ((): boolean => {
  const probe =
    '<ioc xmlns="http://schemas.mandiant.com/2010/ioc" id="p"><definition><Indicator operator="OR" id="o">' +
    '<IndicatorItem id="i" condition="is"><Context document="FileItem" search="FileItem/FileName" type="mir"/>' +
    '<Content type="string">x</Content><Comment>c</Comment></IndicatorItem></Indicator></definition></ioc>';
  return (parseIoc(probe).document?.parameters.length ?? 0) > 0;
})();

function adjustForReader(expected: IocDocument): IocDocument {
  return expected.version === "1.0" && !readerListsOneZeroComments ? { ...expected, parameters: [] } : expected;
}

describe("writeIoc then parseIoc", () => {
  it.each(["1.0", "1.1"] as const)("writeIoc round-trips every OpenIOC %s document", (version) => {
    fc.assert(
      fc.property(iocDocumentArb(version), (doc) => {
        const actual = readBack(doc, version);
        expect(stripPositions(actual)).toEqual(stripPositions(adjustForReader(expectedAfterWrite(doc, version))));
      }),
      { numRuns: RUNS },
    );
  });

  it.each(["1.0", "1.1"] as const)("writeIoc is a fixpoint: rewriting what was read gives the same bytes (%s)", (version) => {
    fc.assert(
      fc.property(iocDocumentArb(version, { maxDepth: 4 }), (doc) => {
        const xml = writeIoc(doc);
        expect(writeIoc(readBack(doc, version))).toBe(xml);
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it("writeIoc upgrades any 1.0 document to 1.1 without loss (comments become params)", () => {
    fc.assert(
      fc.property(iocDocumentArb("1.0"), (doc) => {
        const actual = readBack(doc, "1.1");
        const expected = expectedAfterWrite({ ...doc, parameters: allItems(doc.criteria).flatMap((i) => i.parameters) }, "1.1");
        expect(stripPositions(withoutParameterIds(actual))).toEqual(stripPositions(withoutParameterIds(expected)));
        for (const parameter of actual.parameters) expect(parameter.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-/);
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it("writeIoc downgrades a 1.1 document to 1.0 exactly when it has no 1.1-only construct", () => {
    fc.assert(
      fc.property(fc.oneof(iocDocumentArb("1.1", { maxDepth: 3 }), downgradableIocDocumentArb({ maxDepth: 3 })), (doc) => {
        const offenders = new Set<string>();
        for (const item of allItems(doc.criteria)) {
          const commentOnly = item.parameters.length === 0 || (item.parameters.length === 1 && item.parameters[0]?.name === "comment");
          if (!(item.condition === "is" || item.condition === "contains") || item.preserveCase || !commentOnly) {
            offenders.add(item.id);
          }
        }
        for (const indicator of allIndicators(doc.criteria)) if (indicator.parameters.length > 0) offenders.add(indicator.id);
        const attached = new Set(allItems(doc.criteria).flatMap((i) => i.parameters));
        const stray = doc.parameters.filter((p) => !attached.has(p)).map((p) => p.refId ?? "");
        const publishedDate = doc.publishedDate !== undefined && doc.publishedDate !== UNPUBLISHED;

        const result = tryWriteIoc(doc, { version: "1.0" });
        if (offenders.size === 0 && stray.length === 0 && !publishedDate) {
          expect(result.ok).toBe(true);
          const actual = readBack(doc, "1.0");
          expect(stripPositions(actual)).toEqual(stripPositions(adjustForReader(expectedAfterWrite(doc, "1.0"))));
          return;
        }
        expect(result.ok).toBe(false);
        if (result.ok) return;
        const named = new Set(result.problems.map((p) => p.nodeId));
        for (const id of [...offenders, ...stray]) expect(named).toContain(id);
        expect(result.problems.some((p) => p.code === "published-date-not-in-1.0")).toBe(publishedDate);
        for (const problem of result.problems) {
          if (problem.nodeId !== undefined && problem.code !== "parameter-not-in-1.0") {
            expect(problem.message).toContain(`"${problem.nodeId}"`);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("writeIoc output, checked with a plain XML parser", () => {
  it("writeIoc writes well-formed XML whose Content texts are the item values byte for byte", () => {
    const docArb = fc.constantFrom<OpenIocVersion>("1.0", "1.1").chain((v) => iocDocumentArb(v, { maxDepth: 4 }));
    fc.assert(
      fc.property(docArb, (doc) => {
        const contents: string[] = [];
        let inContent = false;
        const parser = new SaxesParser({ xmlns: true });
        parser.on("opentag", (tag) => {
          inContent = tag.local === "Content";
          if (inContent) contents.push("");
        });
        parser.on("closetag", () => {
          inContent = false;
        });
        parser.on("text", (text) => {
          if (inContent) contents[contents.length - 1] += text;
        });
        parser.write(writeIoc(doc)).close();
        const expected = allItems(doc.criteria)
          .filter((item) => item.hasContent || item.value !== "")
          .map((item) => item.value);
        expect(contents).toEqual(expected);
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it("writeIoc refuses a value holding a character XML 1.0 forbids", () => {
    const forbidden = fc.oneof(
      fc.integer({ min: 0, max: 0x1f }).filter((c) => c !== 0x9 && c !== 0xa && c !== 0xd).map((c) => String.fromCharCode(c)),
      fc.constantFrom("\uFFFE", "\uFFFF", "\uD800", "\uDFFF"),
    );
    const field = fc.constantFrom("title", "value", "id", "link");
    fc.assert(
      fc.property(iocDocumentArb("1.1", { maxDepth: 2 }), forbidden, field, (doc, bad, where) => {
        const spoiled = spoil(doc, where, bad);
        const result = tryWriteIoc(spoiled);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.problems.some((p) => p.code === "forbidden-character")).toBe(true);
      }),
      { numRuns: RUNS / 2 },
    );
  });
});

/** Puts a forbidden character into one field of the document. */
function spoil(doc: IocDocument, field: "title" | "value" | "id" | "link", bad: string): IocDocument {
  const criteria = doc.criteria;
  if (!criteria) throw new Error("the arbitrary always builds criteria");
  switch (field) {
    case "title":
      return { ...doc, title: `a${bad}b` };
    case "id":
      return { ...doc, criteria: { ...criteria, id: `${criteria.id}${bad}` } };
    case "link":
      return { ...doc, links: [{ rel: "family", text: bad, position: { line: 1, column: 1 } }] };
    case "value": {
      const first = allItems(criteria)[0];
      // A tree of empty groups has no value to spoil; the title stands in.
      if (!first) return { ...doc, title: bad };
      const item = { ...first, value: `${bad} `, hasContent: true };
      return { ...doc, criteria: { ...criteria, children: [item, ...criteria.children] } };
    }
  }
}
