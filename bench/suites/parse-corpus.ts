/**
 * Parsing benchmark: the largest real IOC (APT1 "Appendix E", 282 KB, 1,020 items) and the whole
 * shared corpus, reader plus checker as `iocscan ioc check` runs them.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkIoc, parseIoc } from "../../src/core/ioc/index.js";
import { measure, ms, type BenchRow, type BenchSuite } from "../measure.js";

const corpus = fileURLToPath(new URL("../../../shared/corpus/openioc/real/", import.meta.url));
const ownData = fileURLToPath(new URL("../../test/data/corpus/", import.meta.url));
const LARGEST = "apt1-appendix-g/8dd23e0a-a659-45b4-a168-67e4b00944fb.ioc";

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : /\.(ioc|xml)$/i.test(name) ? [path] : [];
  });
}

export const parseCorpusSuite: BenchSuite = {
  name: "OpenIOC reader",
  async run(): Promise<BenchRow[]> {
    const root = existsSync(corpus) ? corpus : ownData;
    const files = filesUnder(root).map((file) => readFileSync(file));
    const bytes = files.reduce((n, b) => n + b.byteLength, 0);
    const rows: BenchRow[] = [];

    const largestPath = join(corpus, LARGEST);
    if (existsSync(largestPath)) {
      const largest = readFileSync(largestPath);
      const timing = await measure(() => parseIoc(largest), { runs: 21, warmup: 3 });
      rows.push({
        name: "parse APT1 Appendix E (282 KB, 1,020 items), median of 21",
        value: ms(timing.medianMs),
        goal: { text: "well under 100 ms", met: timing.medianMs < 50 },
      });
      const checked = await measure(() => {
        const { document } = parseIoc(largest);
        if (document) checkIoc(document);
      }, { runs: 21, warmup: 3 });
      rows.push({ name: "parse + check APT1 Appendix E, median of 21", value: ms(checked.medianMs) });
    }

    const all = await measure(() => {
      for (const file of files) {
        const { document } = parseIoc(file);
        if (document) checkIoc(document);
      }
    }, { runs: 5, warmup: 1 });
    rows.push({
      name: `parse + check ${files.length} files (${(bytes / 1024).toFixed(0)} KB), median of 5`,
      value: `${ms(all.medianMs)} (${(bytes / 1024 / 1024 / (all.medianMs / 1000)).toFixed(1)} MB/s)`,
    });
    return rows;
  },
};
