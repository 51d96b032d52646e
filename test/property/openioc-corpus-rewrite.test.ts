import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { IndicatorNode, IocDocument } from "../../src/core/ioc/model.js";
import { parseIoc } from "../../src/core/ioc/parse.js";
import { tryWriteIoc } from "../../src/formats/openioc-writer.js";
import { UNPUBLISHED, allIndicators, allItems, expectedAfterWrite, withoutParameterIds } from "./_expected.js";
import { stripPositions } from "./_strip-positions.js";

const sharedDir = fileURLToPath(new URL("../../../shared/", import.meta.url));
const corpusDir = fileURLToPath(new URL("../../../shared/corpus/openioc/real/", import.meta.url));

function iocFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ioc"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * What the writer is allowed to change: the condition spelling (written canonically) and a
 * missing 1.1 published-date (written as the "unpublished" placeholder).
 */
function comparable(doc: IocDocument): unknown {
  const mapNode = (node: IndicatorNode): IndicatorNode =>
    node.kind === "item" ? { ...node, sourceCondition: "" } : { ...node, children: node.children.map(mapNode) };
  const normalised: IocDocument = {
    ...doc,
    ...(doc.criteria ? { criteria: mapNode(doc.criteria) as typeof doc.criteria } : {}),
    ...(doc.version === "1.1" ? { publishedDate: doc.publishedDate ?? UNPUBLISHED } : {}),
  };
  return stripPositions(normalised);
}

describe.skipIf(!existsSync(sharedDir))("writeIoc on every real OpenIOC file", () => {
  it("writeIoc rewrites each readable corpus file in its version so that it reads back the same", () => {
    const files = iocFiles(corpusDir);
    expect(files.length).toBeGreaterThan(100);
    const refused: string[] = [];
    for (const file of files) {
      const first = parseIoc(Uint8Array.from(readFileSync(file)));
      if (!first.document) continue;
      const written = tryWriteIoc(first.document);
      if (!written.ok) {
        refused.push(`${file.slice(corpusDir.length)}: ${written.problems.map((p) => p.code).join(", ")}`);
        continue;
      }
      const second = parseIoc(written.xml);
      expect(second.document, file).toBeDefined();
      expect(comparable(second.document as IocDocument), file).toEqual(comparable(first.document));
    }
    // A 1.0 file read as 1.0 holds only what 1.0 can say, so nothing should be refused.
    expect(refused).toEqual([]);
  });

  it("writeIoc upgrades each readable 1.0 corpus file to 1.1 without loss", () => {
    let upgraded = 0;
    for (const file of iocFiles(corpusDir)) {
      const first = parseIoc(Uint8Array.from(readFileSync(file))).document;
      if (first?.version !== "1.0") continue;
      const second = parseIoc(writeOrThrow(first)).document;
      expect(second, file).toBeDefined();
      const nodes = [...allIndicators(first.criteria), ...allItems(first.criteria)];
      const parameters = nodes.flatMap((node) => node.parameters);
      const expected = expectedAfterWrite({ ...first, parameters }, "1.1");
      expect(comparable(withoutParameterIds(second as IocDocument)), file).toEqual(comparable(withoutParameterIds(expected)));
      upgraded++;
    }
    expect(upgraded).toBeGreaterThan(40);
  });
});

function writeOrThrow(doc: IocDocument): string {
  const result = tryWriteIoc(doc, { version: "1.1" });
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join("; "));
  return result.xml;
}
