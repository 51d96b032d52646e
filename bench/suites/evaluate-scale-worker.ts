/**
 * One scenario of the scale benchmark, in its own process so its peak RSS is its own:
 *
 *   node --expose-gc --import tsx bench/suites/evaluate-scale-worker.ts a|b [records]
 *
 * (a) the APT1 "Appendix E" hash IOC alone; (b) 10,000 generated IOCs holding 1,000,000 MD5
 * items (plus a FileName + SizeInBytes AND each). Generates (b)'s XML and parses it with the
 * real reader, compiles one plan, then evaluates the host's 1,000,000 FileItem records three
 * times (a fresh evaluation each time). Records are produced in small batches outside the timed
 * regions. As a scan does (`preparePlan`), each IOC is added to the plan builder as soon as it is
 * parsed and its document dropped, so no more than one parse tree is alive at a time. Worker (b) then also
 * measures, for diagnosis, the same IOCs without their name + size ANDs (after its peak RSS is taken). Prints one JSON object ({@link WorkerResult}) on stdout;
 * progress goes to stderr.
 */
import { existsSync, readFileSync } from "node:fs";
import { constants, performance, PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { compilePlan, createPlanBuilder, type EvaluationPlan, type IocInput } from "../../src/core/compile/index.js";
import { createEvaluation, type Detection, type HostRecord, type IocVerdict } from "../../src/core/evaluate/index.js";
import { ioc, item, or } from "../../src/core/evaluate/_test-builders.js";
import { parseIoc } from "../../src/core/ioc/index.js";
import { createRe2Engine } from "../../src/scan/regex/re2-engine.js";
import { GENERATED_IOCS, MD5_PER_IOC, RECORD_COUNT, apt1LikeXml, generatedIocId, generatedIocXml, generatedMd5, md5sOf, plants, recordAt, type PlanName, type ScaleRecord } from "./evaluate-scale-data.js";

const APT1_RELATIVE = "apt1-appendix-g/8dd23e0a-a659-45b4-a168-67e4b00944fb.ioc";
const APT1_FILE = fileURLToPath(new URL(`../../../shared/corpus/openioc/real/${APT1_RELATIVE}`, import.meta.url));
const RUNS = 3;
/** Records produced at a time: few, so few of them live long enough to be promoted to the old generation. */
const BATCH = 1_000;

/** The evaluation runs of one plan. */
export interface EvaluationResult {
  readonly items: number;
  /** Compile time, wall clock and CPU. */
  readonly compileMs: number;
  readonly compileCpuMs: number;
  /** Each run: createEvaluation + addRecord × records + finish, wall clock (record generation excluded). */
  readonly wallMs: readonly number[];
  /** CPU time (user + system) of the same regions: far less disturbed by other processes on the machine. */
  readonly cpuMs: readonly number[];
  /** GC pause time within each run's timed regions: all kinds, and major (mark-compact) only. */
  readonly gcMs: readonly number[];
  readonly majorGcMs: readonly number[];
  /** Producing the records (excluded from the above), per run. */
  readonly recordGenerationMs: readonly number[];
  readonly expectedDetections: number;
  readonly expectedObjects: number;
  readonly foundDetections: number;
  readonly foundObjects: number;
  /** Empty when the detections are exactly the planted ones. */
  readonly problems: readonly string[];
}

/** What a worker prints. */
export interface WorkerResult {
  readonly scenario: "a" | "b";
  /** Where the IOCs came from. */
  readonly source: string;
  readonly iocs: number;
  readonly records: number;
  readonly xmlBytes: number;
  readonly generateMs: number;
  readonly parseMs: number;
  readonly parseCpuMs: number;
  /**
   * Heap used once every IOC is parsed and added to the plan builder (streaming: the documents
   * are already dropped), and once the plan is built (after a full GC).
   */
  readonly heapAfterParseBytes: number;
  readonly heapAfterCompileBytes: number;
  /** Peak RSS of the scenario (before any diagnostic variant). */
  readonly peakRssBytes: number;
  readonly evaluation: EvaluationResult;
  /** (b) only: the same IOCs without their FileName + SizeInBytes ANDs, for diagnosis. */
  readonly md5Only?: EvaluationResult;
}

const scenario = process.argv[2];
if (scenario !== "a" && scenario !== "b") {
  process.stderr.write("usage: evaluate-scale-worker.ts a|b [records]\n");
  process.exit(2);
}
const recordCount = Number(process.argv[3] ?? RECORD_COUNT);
const log = (message: string) => process.stderr.write(`[evaluate-scale ${scenario}] ${message}\n`);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const heapUsed = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

// The APT1 hashes are planted in both scenarios, so both evaluate the very same records.
const apt1Present = existsSync(APT1_FILE);
const planted = plants(md5sOf(apt1Present ? readFileSync(APT1_FILE, "utf8") : apt1LikeXml()));

// --- IOCs: generate (b) / read (a), then parse -----------------------------------------------------
let generateMs = 0;
let parseMs = 0;
let xmlBytes = 0;
let iocCount = 0;
let parseCpuMs = 0;
/** Adding each parsed IOC to the builder, then building: the compile time. */
let compileMs = 0;
let compileCpuMs = 0;
const builder = createPlanBuilder({ platform: "linux", regexEngine: createRe2Engine() });
const cpuSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const parse = (file: string, xml: string) => {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const { document, diagnostics } = parseIoc(xml);
  parseMs += performance.now() - start;
  parseCpuMs += cpuSince(cpuStart);
  if (!document) throw new Error(`${file} does not parse: ${diagnostics.map((d) => d.message).join("; ")}`);
  const compileCpuStart = process.cpuUsage();
  const compileStart = performance.now();
  builder.add({ file, document });
  compileMs += performance.now() - compileStart;
  compileCpuMs += cpuSince(compileCpuStart);
  iocCount++;
};
if (scenario === "a") {
  const start = performance.now();
  const xml = apt1Present ? readFileSync(APT1_FILE, "utf8") : apt1LikeXml();
  generateMs = performance.now() - start;
  xmlBytes = Buffer.byteLength(xml);
  parse(apt1Present ? APT1_RELATIVE : "apt1-like.ioc", xml);
} else {
  for (let i = 0; i < GENERATED_IOCS; i++) {
    const start = performance.now();
    const xml = generatedIocXml(i);
    generateMs += performance.now() - start;
    xmlBytes += xml.length;
    parse(`generated-${i}.ioc`, xml);
  }
}
const heapAfterParseBytes = heapUsed();
log(`${iocCount} IOC(s), ${mib(xmlBytes)} of XML, each added to the plan once parsed: generate ${generateMs.toFixed(0)} ms, parse ${parseMs.toFixed(0)} ms (${parseCpuMs.toFixed(0)} ms CPU); heap ${mib(heapAfterParseBytes)}`);

// --- GC accounting -------------------------------------------------------------------------------
const gcPauses: { start: number; duration: number; major: boolean }[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as { readonly detail?: { readonly kind?: number } }).detail?.kind;
    gcPauses.push({ start: e.startTime, duration: e.duration, major: kind === constants.NODE_PERFORMANCE_GC_MAJOR });
  }
});
gcObserver.observe({ entryTypes: ["gc"] });
const flushGcEntries = () => new Promise((resolve) => setTimeout(resolve, 50));

// --- verification --------------------------------------------------------------------------------
/** IOC id -> ids of the planted records it must detect under `name`. */
function expectedFor(name: PlanName): Map<string, string[]> {
  const expected = new Map<string, string[]>();
  for (const p of planted.values()) {
    const ioc = p.expect[name];
    if (ioc === undefined || p.index >= recordCount) continue;
    const ids = expected.get(ioc) ?? [];
    ids.push(p.record.id);
    expected.set(ioc, ids);
  }
  return expected;
}

/** Every planted record is found by its IOC, nothing else is, and no IOC is UNKNOWN. */
function verify(expected: ReadonlyMap<string, readonly string[]>, detections: readonly Detection[], verdicts: readonly IocVerdict[]): string[] {
  const problems: string[] = [];
  const found = new Map(detections.map((d) => [d.iocId, d]));
  for (const [ioc, ids] of expected) {
    const d = found.get(ioc);
    if (d === undefined) {
      problems.push(`IOC ${ioc} not detected (${ids.length} planted record(s))`);
      continue;
    }
    const got = d.objects.map((o) => o.id).sort();
    const want = [...ids].sort();
    if (d.omittedObjects !== 0 || got.join("\n") !== want.join("\n")) {
      problems.push(`IOC ${ioc}: objects ${JSON.stringify(got)} (+${d.omittedObjects} omitted), expected ${JSON.stringify(want)}`);
    }
  }
  for (const d of detections) if (!expected.has(d.iocId)) problems.push(`unexpected detection of IOC ${d.iocId} (${d.objects.map((o) => o.id).join(", ")})`);
  const unknown = verdicts.filter((v) => v.verdict === "unknown").length;
  const detected = verdicts.filter((v) => v.verdict === "true").length;
  if (unknown !== 0) problems.push(`${unknown} IOC verdict(s) UNKNOWN, expected none`);
  if (detected !== expected.size) problems.push(`${detected} IOC verdict(s) TRUE, expected ${expected.size}`);
  return problems;
}

// --- compile + evaluate --------------------------------------------------------------------------
function compile(documents: readonly IocInput[] | "streamed"): { plan: EvaluationPlan; compileMs: number; compileCpuMs: number } {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const plan = documents === "streamed" ? builder.build() : compilePlan(documents, { platform: "linux", regexEngine: createRe2Engine() });
  const compileMs = performance.now() - start + (documents === "streamed" ? streamedCompile.ms : 0);
  const compileCpuMs = cpuSince(cpuStart) + (documents === "streamed" ? streamedCompile.cpuMs : 0);
  const unsupported = [...plan.items].filter((item) => item.status.kind !== "supported").length;
  if (unsupported > 0) throw new Error(`${unsupported} item(s) are not supported: the benchmark would measure UNKNOWN items`);
  log(`compiled ${plan.items.length} items in ${compileMs.toFixed(0)} ms (${compileCpuMs.toFixed(0)} ms CPU)`);
  return { plan, compileMs, compileCpuMs };
}

async function evaluate(name: PlanName, plan: EvaluationPlan, compiled: { compileMs: number; compileCpuMs: number }): Promise<EvaluationResult> {
  const expected = expectedFor(name);
  const batch: ScaleRecord[] = [];
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  const recordGenerationMs: number[] = [];
  const runIntervals: [number, number][][] = [];
  let problems: string[] = [];
  let foundDetections = 0;
  let foundObjects = 0;
  for (let run = 0; run < RUNS; run++) {
    let wall = 0;
    let cpu = 0;
    let generating = 0;
    const intervals: [number, number][] = [];
    const timed = <T>(work: () => T): T => {
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      const result = work();
      const end = performance.now();
      const used = process.cpuUsage(cpuStart);
      wall += end - start;
      cpu += (used.user + used.system) / 1000;
      intervals.push([start, end]);
      return result;
    };
    const evaluation = timed(() => createEvaluation(plan, { availableDocuments: ["FileItem"] }));
    for (let first = 0; first < recordCount; first += BATCH) {
      const start = performance.now();
      const n = Math.min(BATCH, recordCount - first);
      batch.length = n;
      for (let k = 0; k < n; k++) batch[k] = recordAt(first + k, planted);
      generating += performance.now() - start;
      timed(() => {
        for (let k = 0; k < n; k++) evaluation.addRecord(batch[k] as HostRecord);
      });
    }
    batch.length = 0;
    const detections = timed(() => evaluation.finish());
    wallMs.push(wall);
    cpuMs.push(cpu);
    recordGenerationMs.push(generating);
    runIntervals.push(intervals);
    problems = verify(expected, detections, evaluation.verdicts());
    foundDetections = detections.length;
    foundObjects = detections.reduce((n, d) => n + d.objects.length + d.omittedObjects, 0);
    log(
      `${name} run ${run + 1}: evaluation ${wall.toFixed(0)} ms wall, ${cpu.toFixed(0)} ms CPU (records generated in ${generating.toFixed(0)} ms, excluded); ` +
        `${foundDetections} detection(s), ${foundObjects} object(s)${problems.length ? `; ${problems.length} PROBLEM(S): ${problems.slice(0, 3).join("; ")}` : ""}`,
    );
    if (problems.length > 0) break;
  }
  await flushGcEntries();
  const gcIn = (spans: readonly [number, number][], majorOnly: boolean) =>
    gcPauses.filter((p) => (!majorOnly || p.major) && spans.some(([s, e]) => p.start >= s && p.start < e)).reduce((t, p) => t + p.duration, 0);
  return {
    items: plan.items.length,
    compileMs: compiled.compileMs,
    compileCpuMs: compiled.compileCpuMs,
    wallMs,
    cpuMs,
    gcMs: runIntervals.map((spans) => gcIn(spans, false)),
    majorGcMs: runIntervals.map((spans) => gcIn(spans, true)),
    recordGenerationMs,
    expectedDetections: expected.size,
    expectedObjects: [...expected.values()].reduce((n, ids) => n + ids.length, 0),
    foundDetections,
    foundObjects,
    problems,
  };
}

/**
 * (b) without its name + size ANDs: the same MD5 items, built in code (the parsed documents are
 * gone by then; reparsing would double the suite's time), with the same IOC ids.
 */
function md5OnlyInputs(): IocInput[] {
  const list: IocInput[] = [];
  for (let i = 0; i < GENERATED_IOCS; i++) {
    const items = Array.from({ length: MD5_PER_IOC }, (_, j) => item("FileItem/Md5sum", "is", generatedMd5(i, j), { contentType: "md5" }));
    list.push({ file: `generated-${i}.ioc`, document: ioc(or(...items), { id: generatedIocId(i), title: `Generated IOC ${i}`, version: "1.0" }) });
  }
  return list;
}

const streamedCompile = { ms: compileMs, cpuMs: compileCpuMs };
const compiled = compile("streamed");
let plan: EvaluationPlan | undefined = compiled.plan;
const heapAfterCompileBytes = heapUsed();
log(`heap after compile (plan alone) ${mib(heapAfterCompileBytes)}, rss ${mib(process.memoryUsage().rss)}`);
const evaluation = await evaluate(scenario, plan, compiled);
const peakRssBytes = process.resourceUsage().maxRSS * 1024;

let md5Only: EvaluationResult | undefined;
if (scenario === "b" && evaluation.problems.length === 0) {
  plan = undefined; // let the full plan go before compiling the variant
  const variant = compile(md5OnlyInputs());
  md5Only = await evaluate("b-md5", variant.plan, variant);
}
gcObserver.disconnect();

const result: WorkerResult = {
  scenario,
  source: scenario === "a" ? (apt1Present ? "APT1 Appendix E (shared corpus)" : "generated 1,020-MD5 stand-in for APT1 Appendix E") : `${GENERATED_IOCS} generated IOCs`,
  iocs: iocCount,
  records: recordCount,
  xmlBytes,
  generateMs,
  parseMs,
  parseCpuMs,
  heapAfterParseBytes,
  heapAfterCompileBytes,
  peakRssBytes,
  evaluation,
  ...(md5Only ? { md5Only } : {}),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
