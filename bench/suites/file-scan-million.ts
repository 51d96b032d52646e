/**
 * The opt-in memory measurement of the file-scan benchmark (`IOCSCAN_BENCH_MILLION=1`): peak RSS
 * of `iocscan scan` over a tree of 1,000,000 tiny files (goal of issue 4: under 200 MB).
 *
 * The tree: 1,000 leaf folders (10 x 10 x 10 nested) of 1,000 files each, 7 in 8 empty and the
 * rest 1-64 bytes (about 0.5 GB of blocks, 1.0 M inodes), plus 10 planted files; the IOC set is
 * the usual 1,010 SHA-256 with sizes known. Writing and deleting the tree takes minutes, so it is
 * skipped, with the reason, when the temp file system is short of space or inodes.
 *
 * @module
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { BenchRow } from "../measure.js";
import { checkRun, runScan } from "./file-scan-cli.js";
import { plantWithIocs, Prng } from "./file-scan-data.js";

const FANOUT = 10;
const FILES_PER_FOLDER = 1000;
const FILES = FANOUT ** 3 * FILES_PER_FOLDER;
const GOAL_BYTES = 200 * 1e6;
/** Free space and inodes asked for before writing: the tree's needs with a good margin. */
const NEED_BYTES = 4 * 2 ** 30;
const NEED_INODES = 1_500_000;

const int = (n: number): string => Math.round(n).toLocaleString("en-US");

export function millionFileRows(work: string, cli: string): BenchRow[] {
  const fs = statfsSync(work);
  const freeBytes = fs.bavail * fs.bsize;
  const freeInodes = fs.ffree;
  const name = `1,000,010-file tree (1,000 folders, 7/8 empty files, the rest 1-64 bytes), IOC sizes known: peak RSS`;
  if (freeBytes < NEED_BYTES || freeInodes < NEED_INODES) {
    return [
      {
        name,
        value: `skipped: ${(freeBytes / 2 ** 30).toFixed(1)} GiB and ${int(freeInodes)} inodes free under ${work}, need ${NEED_BYTES / 2 ** 30} GiB and ${int(NEED_INODES)}`,
      },
    ];
  }

  const root = join(work, "tree-M");
  const started = performance.now();
  const folders: string[] = [];
  const rng = new Prng(11);
  const content = Buffer.alloc(64);
  for (let a = 0; a < FANOUT; a++) {
    for (let b = 0; b < FANOUT; b++) {
      for (let c = 0; c < FANOUT; c++) {
        const folder = join(`a${a}`, `b${b}`, `c${c}`);
        folders.push(folder);
        const disk = join(root, folder);
        mkdirSync(disk, { recursive: true });
        for (let f = 0; f < FILES_PER_FOLDER; f++) {
          const fd = openSync(join(disk, `f${f}.dat`), "w");
          if ((rng.u32() & 7) === 0) {
            const size = rng.int(1, content.length);
            content.writeUInt32LE(rng.u32(), 0);
            writeSync(fd, content, 0, size);
          }
          closeSync(fd);
        }
      }
    }
  }
  const { planted, iocs } = plantWithIocs("M", root, folders, 12, join(work, "iocs"));
  const generatedMs = performance.now() - started;

  try {
    const scan = runScan({ cli, iocs: iocs.iocsSized, scope: root, dbFolder: mkdtempSync(join(work, "db-m-")), hashCache: true });
    checkRun("file-scan million-file tree", scan, planted.map((p) => p.path), FILES + planted.length);
    const rss = scan.maxRssBytes;
    return [
      {
        name,
        value:
          rss === undefined
            ? "no figure (neither /usr/bin/time nor the resource-usage hook reported one)"
            : `${(rss / 1e6).toFixed(0)} MB (${(rss / 2 ** 20).toFixed(0)} MiB); scan ${(scan.wallMs / 1000).toFixed(1)} s wall, ${int((FILES + planted.length) / (scan.wallMs / 1000))} files/s, ` +
              `${int(scan.stats["filesHashed"] ?? 0)} files hashed; tree written in ${(generatedMs / 1000).toFixed(0)} s`,
        goal: { text: "under 200 MB", met: rss !== undefined && rss < GOAL_BYTES },
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
