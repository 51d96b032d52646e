import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES, hasErrors } from "../../src/core/ioc/diagnostics.js";
import { itemsOf, type IndicatorNode } from "../../src/core/ioc/model.js";
import { parseIoc } from "../../src/core/ioc/parse.js";
import { mutate, mutationsArb } from "./_mutations.js";

/** Generous: the guarantee under test is "no exception, no hang", not speed. */
const TIME_BOUND_MS = 2000;
/** Multiplies every run count; raise `PROPERTY_RUNS_SCALE` (e.g. 20) for a local soak. */
const SCALE = Number(process.env["PROPERTY_RUNS_SCALE"] ?? 1);

const sharedDir = fileURLToPath(new URL("../../../shared/", import.meta.url));
const corpusDir = fileURLToPath(new URL("../../../shared/corpus/openioc/real/", import.meta.url));
const fixturesDir = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** Varied real files: both versions, the biggest one, HX licence comments, BOM, us-ascii, params. */
const CORPUS_FILES: readonly (readonly [path: string, runs: number])[] = [
  ["apt1-appendix-g/8dd23e0a-a659-45b4-a168-67e4b00944fb.ioc", 10],
  ["apt1-appendix-g/0c7c902c-67f8-479c-9f44-4d985106365a.ioc", 25],
  ["fireeye-red-team-tool-countermeasures/BEACON/production/hxioc/CobaltStrike Custom Config Artifacts.ioc", 25],
  ["fireeye-sunburst-countermeasures/SUNBURST/hxioc/SUNBURST SUSPICIOUS FILEWRITES (METHODOLOGY).ioc", 25],
  ["jeffbryner-pyioc/10.200-16/pybackdoor.ioc", 25],
  ["ioc-writer-examples/tests/assets/openioc_11_assets/c158ef8c-e664-43c5-b71d-3488a3325fcb.ioc", 25],
  ["ioc-writer-examples/examples/openioc_to_yara/example_iocs/2363f981-2cf0-416b-b391-4f0e5e189963.ioc", 25],
  ["openioc-scan-volatility/generic/4219a887-d10f-499f-a028-5c459b9c83d5_code_injection_API.ioc", 25],
  ["mantis-openioc-importer/xml/zeus.ioc", 25],
  ["eset-malware-ioc/windigo/windigo.ioc", 15],
  ["fireeye-iocs/BlogPosts/de99badf-b448-49e7-885a-4d8688ddf02d.ioc", 20],
];

const OWN_FIXTURES: readonly (readonly [path: string, runs: number])[] = [
  ["own-1.0.ioc", 150],
  ["own-1.1.ioc", 150],
];

function readBytes(path: string): Uint8Array {
  return Uint8Array.from(readFileSync(path));
}

/** Parses within the time bound and checks the result is a document or located error diagnostics. */
function checkParse(input: string | Uint8Array, maxDepth: number | undefined): void {
  const started = performance.now();
  const result = parseIoc(input, maxDepth === undefined ? {} : { maxDepth });
  const elapsed = performance.now() - started;
  expect(elapsed).toBeLessThan(TIME_BOUND_MS);
  const lastLine = lineCount(input);
  for (const d of result.diagnostics) {
    expect(d.line, `line of ${d.code} is inside the file`).toBeLessThanOrEqual(lastLine);
    expect(Number.isInteger(d.line) && d.line >= 0, `line of ${d.code}`).toBe(true);
    expect(Number.isInteger(d.column) && d.column >= 0, `column of ${d.code}`).toBe(true);
    expect(DIAGNOSTIC_CODES[d.code].severity).toBe(d.severity);
    expect(d.message).not.toBe("");
  }
  if (!result.document) {
    expect(hasErrors(result.diagnostics)).toBe(true);
    return;
  }
  // A document that comes back must be walkable and point at real (1-based) places.
  for (const item of itemsOf(result.document)) {
    expect(item.position.line).toBeGreaterThanOrEqual(1);
    expect(item.valuePosition.line).toBeGreaterThanOrEqual(1);
  }
  if (result.document.criteria) expect(countNodes(result.document.criteria)).toBeGreaterThanOrEqual(1);
}

/** Lines in the input (CRLF, CR and LF end a line); for bytes an upper bound in any encoding. */
function lineCount(input: string | Uint8Array): number {
  const text = typeof input === "string" ? input : Buffer.from(input).toString("latin1");
  return (text.match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
}

function countNodes(node: IndicatorNode): number {
  return node.kind === "item" ? 1 : 1 + node.children.reduce((sum, c) => sum + countNodes(c), 0);
}

const maxDepthArb = fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined, freq: 4 });
const decoder = new TextDecoder("utf-8");

/** The property: mutated bytes, and their lossy text decoding, never make parseIoc throw or hang. */
function mutationProperty(original: Uint8Array, runs: number): void {
  // The unmutated file is a usable document; otherwise the mutations test nothing interesting.
  expect(parseIoc(original).document).toBeDefined();
  fc.assert(
    fc.property(mutationsArb, maxDepthArb, (mutations, maxDepth) => {
      const bytes = mutate(original, mutations);
      checkParse(bytes, maxDepth);
      checkParse(decoder.decode(bytes), maxDepth);
    }),
    { numRuns: runs * SCALE },
  );
}

describe("parseIoc on mutated copies of the project's fixtures", () => {
  it.each(OWN_FIXTURES)("parseIoc never throws or hangs on mutations of %s", (name, runs) => {
    mutationProperty(readBytes(fixturesDir + name), runs);
  });
});

describe.skipIf(!existsSync(sharedDir))("parseIoc on mutated copies of real OpenIOC files", () => {
  it.each(CORPUS_FILES)("parseIoc never throws or hangs on mutations of %s", (path, runs) => {
    const file = corpusDir + path;
    expect(existsSync(file), `corpus file ${path}`).toBe(true);
    mutationProperty(readBytes(file), runs);
  });
});
