/**
 * Golden evaluation cases (issue 3): `(IOC files, snapshot) -> report`, kept as reviewed data
 * under test/golden/eval/<case>/.
 *
 * A case folder holds its own `*.ioc` files, `snapshot.json` (DESIGN.md section 5), a one-line
 * `case.md` ("Rule: … Expected: …", citing openioc-semantics.md) and `expected.json`. A case that
 * evaluates files kept elsewhere in the repo (the bundled examples) names them, relative to the
 * case folder, in an optional `inputs.json`: `{ "iocs": [...], "snapshot": "..." }`, which may also
 * set `mapEvents` / `mapNetworkTerms` (defaults as in `iocscan scan`).
 *
 * `expected.json` is the report of `scanSnapshot` (the function behind `iocscan scan --snapshot
 * --format json`) normalised for comparison: scanId, startedAt, finishedAt, host and source are
 * dropped, file paths are made relative to the case folder, and `iocs`, `detections`, `stats` and
 * `warnings` are kept as they are. The report has no verdict for IOCs that are not detections, so
 * `verdicts` (true / false / unknown per IOC) comes from a second run of the same pipeline
 * (loadIocFiles -> compilePlan -> createEvaluation, fed the parsed snapshot) that reads
 * `Evaluation.verdicts()`. The two runs are checked against each other: the IOCs whose verdict is
 * "true" must be exactly the report's detections, so the second run cannot drift from the runner.
 *
 * A last test compiles every case's IOCs into one plan with all the other cases' IOCs and checks
 * that each case's verdicts and detections do not change (one pass serves every IOC at once).
 *
 * Set UPDATE_GOLDEN=1 to rewrite expected.json files, then review the diff before committing;
 * without it a missing expected.json fails. Cases in {@link ENGINE_BUGS} hold a hand-corrected
 * expectation, run as `it.fails` and are never rewritten.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compilePlan } from "../src/core/compile/index.js";
import { createEvaluation, type Detection, type IocVerdict } from "../src/core/evaluate/index.js";
import { parseSnapshot, type ScanReport } from "../src/core/report/index.js";
import { loadIocFiles } from "../src/scan/load-iocs.js";
import { createRe2Engine } from "../src/scan/regex/re2-engine.js";
import { scanSnapshot } from "../src/scan/snapshot-scan.js";

const casesDir = fileURLToPath(new URL("golden/eval/", import.meta.url));
/** Set UPDATE_GOLDEN=1 to rewrite the golden files; review the diff before committing. */
const update = process.env["UPDATE_GOLDEN"] === "1";

/**
 * Cases whose engine output is wrong by the semantics: expected.json holds the correct outcome
 * (written by hand), the test is `it.fails` until the engine is fixed, and UPDATE_GOLDEN leaves
 * the file alone. Case name -> what is wrong.
 */
const ENGINE_BUGS: Readonly<Record<string, string>> = {};

interface CaseInputs {
  readonly iocs?: readonly string[];
  readonly snapshot?: string;
  readonly mapEvents?: boolean;
  readonly mapNetworkTerms?: boolean;
}

interface GoldenCase {
  readonly name: string;
  readonly dir: string;
  /** The rule the case proves, from case.md. */
  readonly rule: string;
  /** case.md as written. */
  readonly caseText: string;
  readonly iocPaths: string[];
  readonly snapshotFile: string;
  readonly mapEvents: boolean;
  readonly mapNetworkTerms: boolean;
}

function loadCase(name: string): GoldenCase {
  const dir = join(casesDir, name);
  const inputsFile = join(dir, "inputs.json");
  const inputs = existsSync(inputsFile) ? (JSON.parse(readFileSync(inputsFile, "utf8")) as CaseInputs) : {};
  const iocPaths = inputs.iocs
    ? inputs.iocs.map((p) => join(dir, p))
    : readdirSync(dir)
        .filter((f) => f.endsWith(".ioc"))
        .sort()
        .map((f) => join(dir, f));
  const caseText = readFileSync(join(dir, "case.md"), "utf8").trim();
  const rule = /^Rule:\s*(.*?)\s*Expected:/s.exec(caseText)?.[1] ?? caseText;
  return {
    name,
    dir,
    rule: rule.replace(/\.$/, ""),
    caseText,
    iocPaths,
    snapshotFile: join(dir, inputs.snapshot ?? "snapshot.json"),
    mapEvents: inputs.mapEvents ?? true,
    mapNetworkTerms: inputs.mapNetworkTerms ?? false,
  };
}

/** A path as seen from the case folder, with `/` separators; a `:line:col` suffix is kept. */
function fromCase(c: GoldenCase, path: string): string {
  const m = /^(.*?)((?::\d+){0,2})$/.exec(path);
  const file = m?.[1] ?? path;
  if (!isAbsolute(file)) return path;
  return relative(c.dir, file).split(sep).join("/") + (m?.[2] ?? "");
}

/** Absolute paths of the case folder inside messages, made relative too. */
function messageFromCase(c: GoldenCase, message: string): string {
  return message.split(c.dir + sep).join("").split(c.dir).join(".");
}

type LoadedIocs = Awaited<ReturnType<typeof loadIocFiles>>;

const regexEngine = createRe2Engine();

function switchesOf(c: GoldenCase): { mapEvents: boolean; mapNetworkTerms: boolean } {
  return { mapEvents: c.mapEvents, mapNetworkTerms: c.mapNetworkTerms };
}

/** The runner's pipeline, step by step, for what the report does not carry: every IOC's verdict. */
async function evaluateDirectly(c: GoldenCase, iocPaths: readonly string[]): Promise<{ verdicts: IocVerdict[]; detections: Detection[] }> {
  return evaluateLoaded(c, await loadIocFiles(iocPaths, { ...switchesOf(c), regexEngine }));
}

function evaluateLoaded(c: GoldenCase, loaded: LoadedIocs): { verdicts: IocVerdict[]; detections: Detection[] } {
  const parsed = parseSnapshot(readFileSync(c.snapshotFile, "utf8"));
  if (!parsed.ok) throw new Error(`${c.snapshotFile}: ${parsed.error.message}`);
  const snapshot = parsed.snapshot;
  const plan = compilePlan(
    loaded.flatMap((f) => (f.ok && !f.duplicate && f.document ? [{ file: f.file, document: f.document }] : [])),
    { ...switchesOf(c), regexEngine },
  );
  const evaluation = createEvaluation(plan, { availableDocuments: snapshot.records.keys() });
  for (const records of snapshot.records.values()) for (const record of records) evaluation.addRecord(record);
  const detections = evaluation.finish();
  return { verdicts: evaluation.verdicts(), detections };
}

async function goldenOf(c: GoldenCase): Promise<unknown> {
  const report: ScanReport = await scanSnapshot({
    iocPaths: c.iocPaths,
    snapshotFile: c.snapshotFile,
    mapEvents: c.mapEvents,
    mapNetworkTerms: c.mapNetworkTerms,
  });
  const { verdicts } = await evaluateDirectly(c, c.iocPaths);
  // The second run must agree with the runner: TRUE verdicts are exactly the detections.
  expect(verdicts.filter((v) => v.verdict === "true").map((v) => `${v.iocFile} ${v.iocId}`)).toEqual(
    report.detections.map((d) => `${d.iocFile} ${d.iocId}`),
  );
  expect(verdicts.map((v) => v.iocFile)).toEqual(report.iocs.map((i) => i.file));
  return {
    iocs: report.iocs.map((i) => ({ ...i, file: fromCase(c, i.file) })),
    verdicts: verdicts.map((v) => ({ iocId: v.iocId, iocTitle: v.iocTitle, verdict: v.verdict })),
    detections: report.detections.map((d) => ({ ...d, iocFile: fromCase(c, d.iocFile) })),
    stats: report.stats,
    warnings: report.warnings.map((w) => ({
      ...w,
      message: messageFromCase(c, w.message),
      ...(w.path !== undefined ? { path: fromCase(c, w.path) } : {}),
    })),
  };
}

const caseNames = readdirSync(casesDir)
  .filter((name) => statSync(join(casesDir, name)).isDirectory())
  .sort();

describe("golden evaluation cases: (IOC, snapshot) -> report", () => {
  it("has the case folders", () => {
    expect(caseNames.length).toBeGreaterThan(0);
  });

  for (const name of caseNames) {
    const c = loadCase(name);
    const bug = ENGINE_BUGS[name];
    const test = bug === undefined ? it : it.fails;
    test(`${name}: ${c.rule}${bug === undefined ? "" : ` (ENGINE BUG: ${bug})`}`, async () => {
      expect(c.caseText, "case.md is one line: Rule: ... Expected: ...").toMatch(/^Rule: [^\n]+ Expected: [^\n]+$/);
      const actual = `${JSON.stringify(await goldenOf(c), null, 2)}\n`;
      const golden = join(c.dir, "expected.json");
      if ((update && bug === undefined) || !existsSync(golden)) {
        if (!update) throw new Error(`No golden file ${golden}: run with UPDATE_GOLDEN=1 and review it`);
        if (bug !== undefined) throw new Error(`${golden} of a known engine bug is written by hand`);
        writeFileSync(golden, actual);
      }
      expect(actual).toBe(readFileSync(golden, "utf8"));
    });
  }
});

describe("one plan serves every IOC at once (DESIGN.md section 3)", () => {
  it("every case gives the same verdicts and detections when its IOCs share one plan with all the other cases' IOCs", async () => {
    const cases = caseNames.map(loadCase);
    const everyIoc = [...new Set(cases.flatMap((c) => c.iocPaths))];
    // Each IOC path is loaded once per set of switches; the case's own files come first, so an IOC
    // id repeated in another case is the later copy, dropped as the loader drops duplicates.
    const cache = new Map<string, LoadedIocs>();
    const loadOnce = async (c: GoldenCase, path: string): Promise<LoadedIocs> => {
      const key = `${c.mapEvents} ${c.mapNetworkTerms} ${path}`;
      let loaded = cache.get(key);
      if (loaded === undefined) cache.set(key, (loaded = await loadIocFiles([path], { ...switchesOf(c), regexEngine })));
      return loaded;
    };
    const outcome = (run: { verdicts: IocVerdict[]; detections: Detection[] }, files: ReadonlySet<string>) =>
      run.verdicts
        .filter((v) => files.has(v.iocFile))
        .map((v) => ({ ...v, detection: run.detections.find((d) => d.iocFile === v.iocFile && d.iocId === v.iocId) }));
    for (const c of cases) {
      const ownLoaded = await loadIocFiles(c.iocPaths, { ...switchesOf(c), regexEngine });
      const alone = evaluateLoaded(c, ownLoaded);
      const ids = new Set(ownLoaded.flatMap((f) => (f.ok && !f.duplicate && f.id !== undefined ? [f.id] : [])));
      const others: LoadedIocs = [];
      for (const path of everyIoc.filter((p) => !c.iocPaths.includes(p))) {
        for (const f of await loadOnce(c, path)) {
          if (!f.ok || f.id === undefined || ids.has(f.id)) continue;
          ids.add(f.id);
          others.push(f);
        }
      }
      const together = evaluateLoaded(c, [...ownLoaded, ...others]);
      const own = new Set(alone.verdicts.map((v) => v.iocFile));
      expect(outcome(together, own), c.name).toEqual(outcome(alone, own));
      expect(together.verdicts.length, c.name).toBeGreaterThan(alone.verdicts.length);
    }
  });
});
