/**
 * `npm run bench:peers`: iocscan side by side with the tools users would pick instead (issue 10,
 * ../shared/docs/benchmark-peers.md), on the same generated trees and IOC lists, in alternating
 * runs; then iocscan's scaling curves. Prints Markdown; with --write (the default of a full run)
 * also updates BENCHMARKS.md's peers section and docs/bench-peers*.svg.
 *
 * Everything is generated in one temporary folder (mkdtemp), removed at the end unless --keep.
 * Exit 1 when any tool misses a planted file, reports an unexpected one or fails to run; goals
 * that are not met are reported, not failed.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { compileScanner, runScan, warmCache } from "../suites/file-scan-cli.js";
import { TREE_A, TREE_B, type TreeSpec } from "../suites/file-scan-data.js";
import { convertList } from "./convert.js";
import { expectedHits, makeIocList, makeTree, writeTsv, type BenchTree } from "./data.js";
import { describeMachine, machineText } from "./machine.js";
import { parseOptions } from "./options.js";
import { caseGoals, failures, loadText, type Goal } from "./report.js";
import { runCase, type CaseResult, type CaseSpec } from "./run-case.js";
import { filesTable, iocGoal, iocsTable, scaleFiles, scaleIocs, type ScalingPoint } from "./scaling.js";
import { renderSection, replaceSection, peersChart, scalingChart } from "./write.js";
import type { RunContext } from "./tools.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const options = parseOptions(process.argv.slice(2));
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const started = performance.now();
const startedAt = new Date();
const machine = describeMachine(repo);
const loadStart = loadavg();
log(`bench:peers ${options.quick ? "(quick) " : ""}${options.runs} run(s) per tool; ${machineText(machine)}\nload average at start ${loadText(loadStart)}`);

/**
 * Renders the section from what has been measured so far and, with --write, writes it and the
 * charts: called after every stage, so a run stopped early still leaves its figures.
 */
function publish(final: boolean): Goal[] {
  const goals: Goal[] = [];
  for (const result of results) if (result.spec.id === "A" || result.spec.id === "B") goals.push(...caseGoals(result, result.spec.id));
  const ioc = iocGoal(iocPoints);
  if (ioc !== undefined) goals.push(ioc);
  const section = renderSection({
    machine,
    options,
    startedAt,
    minutes: (performance.now() - started) / 60_000,
    loadStart,
    loadEnd: loadavg(),
    results,
    goals,
    filesTable: filesPoints.length > 0 ? filesTable(filesPoints) : undefined,
    iocsTable: iocPoints.length > 0 ? iocsTable(iocPoints, iocPoints.find((p) => p.n === 1000)?.wallMs ?? NaN) : undefined,
    final,
  });
  if (final) process.stdout.write(`${section}\n`);
  if (options.write) {
    mkdirSync(join(repo, "docs"), { recursive: true });
    writeFileSync(join(repo, "docs/bench-peers.svg"), peersChart(results, startedAt, loadStart));
    if (filesPoints.length > 0 || iocPoints.length > 0) writeFileSync(join(repo, "docs/bench-peers-scaling.svg"), scalingChart(filesPoints, iocPoints));
    replaceSection(join(repo, "BENCHMARKS.md"), section);
    log(`wrote BENCHMARKS.md (peers section) and docs/bench-peers*.svg${final ? "" : " (partial)"}`);
  }
  return goals;
}

const work = mkdtempSync(join(tmpdir(), "iocscan-peers-"));
log(`working in ${work}`);
const extraFailures: string[] = [];
const results: CaseResult[] = [];
let filesPoints: ScalingPoint[] = [];
let iocPoints: ScalingPoint[] = [];
let exitCode = 0;
try {
  const cli = compileScanner(join(work, "build"));
  const allSpecs: TreeSpec[] = options.filesOnly ? [] : options.quick ? [{ ...TREE_A, files: 200 }, { ...TREE_B, files: 2000 }] : [TREE_A, TREE_B];
  const specs = options.iocsOnly ? allSpecs.filter((s) => s.label === "A") : allSpecs;
  const trees: BenchTree[] = [];
  for (const spec of specs) {
    const t0 = performance.now();
    const tree = makeTree(spec, join(work, `tree-${spec.label}`), join(work, "scratch"));
    trees.push(tree);
    const entries = makeIocList(tree, 1010, 1000 + spec.seed);
    const conv = convertList(entries, join(work, `conv-${spec.label}`));
    writeTsv(join(work, `iocs-${spec.label}.tsv`), entries);
    log(`tree ${spec.label}: ${tree.files} files, ${(tree.bytes / 1e6).toFixed(0)} MB, written in ${((performance.now() - t0) / 1000).toFixed(1)} s; warming the page cache`);
    // Warm cache: dropping the page cache needs root outside a container; every tool reads a cached tree.
    warmCache(tree.root);
    const dbTemplate = mkdtempSync(join(work, "db-template-"));
    runScan({ cli, iocs: conv.openiocSha256, scope: tree.root, dbFolder: dbTemplate, hashCache: false });
    // Every IOC variant loaded once (IOC cache warm), as a user scanning with these lists again.
    const empty = mkdtempSync(join(work, "empty-"));
    for (const iocs of [conv.openiocSized, conv.openiocMd5]) runScan({ cli, iocs, scope: empty, dbFolder: dbTemplate, hashCache: false });
    const base: Omit<RunContext, "tree" | "conv"> = { work, cli, dbTemplate };
    const caseOf = (id: string, title: string, c = conv, list = entries, kind: CaseSpec["kind"] = "sha256", runs = options.runs): CaseSpec => ({
      id,
      title,
      tree,
      conv: c,
      kind,
      expected: expectedHits(list),
      runs,
    });
    if (!options.iocsOnly) results.push(await runCase(caseOf(spec.label, `Tree ${spec.label}: ${tree.files.toLocaleString("en-US")} files, ${(tree.bytes / 1e6).toFixed(0)} MB; 1,010 SHA-256 IOCs (10 planted)`), base, log));
    if (spec.label === "A" && options.extras && !options.quick && !options.iocsOnly) {
      const extraRuns = Math.min(options.runs, 3);
      results.push(await runCase(caseOf("A-md5", `Tree A, the same 1,010 IOCs as MD5`, conv, entries, "md5", extraRuns), base, log));
      const big = options.quick ? 10_000 : 100_000;
      const bigList = makeIocList(tree, big, 2000 + spec.seed);
      const bigConv = convertList(bigList, join(work, `conv-${spec.label}-big`));
      results.push(await runCase(caseOf("A-big", `Tree A, ${big.toLocaleString("en-US")} SHA-256 IOCs (10 planted)`, bigConv, bigList, "sha256", extraRuns), base, log));
      rmSync(bigConv.folder, { recursive: true, force: true });
    }
    publish(false);
    if (spec.label === "A" && options.scaling) {
      const counts = (options.quick ? [1, 1000] : [1, 1000, 10_000, 100_000, 1_000_000]).filter((n) => n <= options.maxIocs);
      log(`IOC-count scaling on tree A: ${counts.join(", ")}`);
      iocPoints = scaleIocs(tree, counts, { work, cli, runs: Math.min(options.runs, 3), progress: log, failures: extraFailures });
      publish(false);
    }
    if (!options.keep) rmSync(tree.root, { recursive: true, force: true });
  }
  if ((options.scaling && !options.iocsOnly) || options.filesOnly) {
    const sizes = (options.quick ? [1000] : [1000, 10_000, 100_000, 1_000_000]).filter((n) => n <= options.maxFiles);
    if (!sizes.includes(options.maxFiles)) sizes.push(options.maxFiles);
    log(`files scaling (metadata only): ${sizes.join(", ")}`);
    filesPoints = scaleFiles(sizes, { work, cli, runs: Math.min(options.runs, 3), progress: log, failures: extraFailures });
  }

  const goals = publish(true);
  const wrong = [...failures(results), ...extraFailures];
  if (wrong.length > 0) {
    log(`\nFAILED: ${wrong.length} wrong run(s):\n${wrong.map((w) => `  ${w}`).join("\n")}`);
    exitCode = 1;
  }
  log(`${goals.filter((g) => !g.met).length} of ${goals.length} goals not met; ${((performance.now() - started) / 60_000).toFixed(1)} min in all`);
} finally {
  if (options.keep) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
process.exitCode = exitCode;
