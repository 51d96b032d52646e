/**
 * `npm run bench`: runs every benchmark suite and prints a Markdown table per suite, ready to be
 * pasted into BENCHMARKS.md. Benchmarks only touch temporary folders they create.
 *
 * Usage: npm run bench [-- SUITE_NAME_FILTER]
 */
import { arch, cpus, totalmem } from "node:os";
import { busyProcesses, busyText, environmentNote } from "./environment.js";
import type { BenchSuite } from "./measure.js";
import { parseCorpusSuite } from "./suites/parse-corpus.js";

const SUITES: readonly BenchSuite[] = [parseCorpusSuite, (await import("./suites/evaluate-scale.js")).evaluateScaleSuite, (await import("./suites/file-scan.js")).fileScanSuite, (await import("./suites/checkpoint.js")).checkpointSuite];

const filter = process.argv[2]?.toLowerCase();
const cpu = cpus()[0]?.model ?? "unknown CPU";
process.stdout.write(
  `Node ${process.version}, ${arch()}, ${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString()}\n${environmentNote === undefined ? "" : `${environmentNote}.\n`}Other processes busy at start (over 10% of a core in a 1 s sample): ${busyText(busyProcesses())}.\n\n`,
);
let failed = 0;
for (const suite of SUITES) {
  if (filter && !suite.name.toLowerCase().includes(filter)) continue;
  const rows = await suite.run();
  process.stdout.write(`### ${suite.name}\n\n| measurement | result | goal |\n|---|---|---|\n`);
  for (const row of rows) {
    const goal = row.goal ? `${row.goal.text}: ${row.goal.met ? "met" : "NOT MET"}` : "";
    if (row.goal && !row.goal.met) failed++;
    process.stdout.write(`| ${row.name} | ${row.value} | ${goal} |\n`);
  }
  process.stdout.write("\n");
}
if (failed > 0) {
  process.stdout.write(`${failed} goal(s) not met\n`);
  process.exitCode = 1;
}
