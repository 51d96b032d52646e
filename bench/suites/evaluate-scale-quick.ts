/**
 * A quick, same-process A/B of the scale benchmark's evaluation (issue 3), for engine work:
 *
 *   node --expose-gc --import tsx bench/suites/evaluate-scale-quick.ts [records] [rounds] [plans]
 *
 * Builds (a) a 1,020-MD5 OR (the APT1 Appendix E shape) and (b) the 10,000 generated IOCs of
 * evaluate-scale-data.ts (100 MD5 items plus FileName + SizeInBytes each) as documents in code (no
 * XML: parsing is not what is measured here), then evaluates the same records against each plan in
 * alternation, `rounds` times, and prints the CPU time of each run and the median (b) / (a) ratio
 * of the pairs. Alternating in one process puts both under the same machine load, so the ratio is
 * steadier than two workers run one after the other. `plans` picks plans by letter: `ab` (default),
 * `b` (for a profile of (b) alone), `abm` (m: (b) without its name + size ANDs).
 *
 * The suite proper (evaluate-scale.ts) stays the reference: real XML, one process per scenario,
 * peak memory. This script does not check its detections beyond a count.
 */
import { performance } from "node:perf_hooks";
import { createPlanBuilder, type EvaluationPlan } from "../../src/core/compile/index.js";
import { createEvaluation, type HostRecord } from "../../src/core/evaluate/index.js";
import { and, ioc, item, or } from "../../src/core/evaluate/_test-builders.js";
import { GENERATED_IOCS, MD5_PER_IOC, RECORD_COUNT, apt1LikeXml, generatedIocId, generatedMd5, generatedNameSize, md5sOf, plants, recordAt, type ScaleRecord } from "./evaluate-scale-data.js";

const records = Number(process.argv[2] ?? RECORD_COUNT);
const rounds = Number(process.argv[3] ?? 5);
const which = process.argv[4] ?? "ab";
const log = (m: string) => process.stderr.write(`${m}\n`);

const apt1 = md5sOf(apt1LikeXml());
const planted = plants(apt1);

function buildPlan(kind: "a" | "b" | "m"): EvaluationPlan {
  const builder = createPlanBuilder({ platform: "linux" });
  if (kind === "a") {
    const items = apt1.map((md5) => item("FileItem/Md5sum", "is", md5, { contentType: "md5" }));
    builder.add({ file: "apt1.ioc", document: ioc(or(...items), { version: "1.0" }) });
    return builder.build();
  }
  for (let i = 0; i < GENERATED_IOCS; i++) {
    const items = Array.from({ length: MD5_PER_IOC }, (_, j) => item("FileItem/Md5sum", "is", generatedMd5(i, j), { contentType: "md5" }));
    const { name, size } = generatedNameSize(i);
    const pair = and(item("FileItem/FileName", "is", name), item("FileItem/SizeInBytes", "is", String(size), { contentType: "int" }));
    builder.add({ file: `generated-${i}.ioc`, document: ioc(kind === "b" ? or(...items, pair) : or(...items), { id: generatedIocId(i), version: "1.0" }) });
  }
  return builder.build();
}

const plans = new Map<string, EvaluationPlan>();
for (const k of which) {
  const start = performance.now();
  plans.set(k, buildPlan(k as "a" | "b" | "m"));
  log(`plan ${k}: ${(performance.now() - start).toFixed(0)} ms`);
}

const BATCH = 1000;
const batch: ScaleRecord[] = [];

/** CPU ms of one evaluation of every record (record generation excluded), and its detections. */
function evaluateOnce(plan: EvaluationPlan): { cpu: number; detections: number } {
  let cpu = 0;
  const timed = (work: () => void) => {
    const s = process.cpuUsage();
    work();
    const u = process.cpuUsage(s);
    cpu += (u.user + u.system) / 1000;
  };
  let evaluation: ReturnType<typeof createEvaluation> | undefined;
  timed(() => (evaluation = createEvaluation(plan, { availableDocuments: ["FileItem"] })));
  const ev = evaluation as ReturnType<typeof createEvaluation>;
  for (let first = 0; first < records; first += BATCH) {
    const n = Math.min(BATCH, records - first);
    batch.length = n;
    for (let k = 0; k < n; k++) batch[k] = recordAt(first + k, planted);
    timed(() => {
      for (let k = 0; k < n; k++) ev.addRecord(batch[k] as HostRecord);
    });
  }
  let detections = 0;
  timed(() => (detections = ev.finish().length));
  return { cpu, detections };
}

const median = (v: readonly number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)] ?? 0;
const times = new Map<string, number[]>([...plans.keys()].map((k) => [k, []]));
const ratios = new Map<string, number[]>();
for (let r = 0; r < rounds; r++) {
  const round = new Map<string, number>();
  for (const [k, plan] of plans) {
    const { cpu, detections } = evaluateOnce(plan);
    times.get(k)?.push(cpu);
    round.set(k, cpu);
    log(`round ${r + 1} ${k}: ${cpu.toFixed(1)} ms CPU, ${detections} detection(s)`);
  }
  const a = round.get("a");
  if (a !== undefined) {
    for (const [k, t] of round) {
      if (k === "a") continue;
      const list = ratios.get(k) ?? [];
      list.push(t / a);
      ratios.set(k, list);
    }
  }
}
const summary = [...times].map(([k, t]) => `${k} median ${median(t).toFixed(1)} ms CPU`).join("; ");
const ratioText = [...ratios].map(([k, v]) => `${k}/a median ${median(v).toFixed(2)}x (${v.map((x) => x.toFixed(2)).join(" ")})`).join("; ");
log(`${records} records, ${rounds} rounds: ${summary}${ratioText ? `; ${ratioText}` : ""}; load ${(await import("node:os")).loadavg().map((x) => x.toFixed(2)).join(" ")}`);
