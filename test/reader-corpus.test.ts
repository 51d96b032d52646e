import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { itemsOf, parseIoc } from "../src/core/ioc/index.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const sharedCorpus = fileURLToPath(new URL("../../shared/corpus/openioc/real/", import.meta.url));
const ownCorpus = join(here, "data/corpus");
const goldenDir = join(here, "golden/model");
/** Set UPDATE_GOLDEN=1 to rewrite the golden files; review the diff before committing. */
const update = process.env["UPDATE_GOLDEN"] === "1";

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : /\.(ioc|xml)$/i.test(name) ? [path] : [];
  });
}

describe.skipIf(!existsSync(sharedCorpus))("parseIoc on the shared corpus of real OpenIOC files", () => {
  const files = existsSync(sharedCorpus) ? filesUnder(sharedCorpus) : [];

  it("parseIoc reads all 226 real files with no error-level diagnostic", () => {
    expect(files).toHaveLength(226);
    const errors = files.flatMap((file) =>
      parseIoc(readFileSync(file)).diagnostics
        .filter((d) => d.severity === "error")
        .map((d) => `${file}:${d.line}:${d.column} ${d.code} ${d.message}`),
    );
    expect(errors).toEqual([]);
  });

  it("parseIoc finds every IndicatorItem of the corpus", () => {
    let items = 0;
    let elements = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      elements += (text.match(/<IndicatorItem\b/g) ?? []).length;
      const { document } = parseIoc(readFileSync(file));
      items += document ? itemsOf(document).length : 0;
    }
    expect(items).toBe(elements);
    expect(items).toBeGreaterThan(5000);
  });
});

describe("parseIoc golden models of real files", () => {
  for (const file of filesUnder(ownCorpus)) {
    const name = basename(file).replace(/\.(ioc\.xml|ioc|xml)$/i, "");
    it(`parseIoc pins the normalised model of ${name}`, () => {
      const result = parseIoc(readFileSync(file));
      const actual = `${JSON.stringify(result, null, 2)}\n`;
      const golden = join(goldenDir, `${name}.json`);
      if (update || !existsSync(golden)) {
        if (!update) throw new Error(`No golden file ${golden}: run with UPDATE_GOLDEN=1 and review it`);
        writeFileSync(golden, actual);
      }
      expect(actual).toBe(readFileSync(golden, "utf8"));
    });
  }
});
