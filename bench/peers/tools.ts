/**
 * The tools `bench:peers` times, as steps of a round: each step runs once per round on the same
 * tree and IOC list and yields one measurement per row it owns (iocscan's hash cache and clamd
 * each give a cold and a warm row). A step whose program is missing is skipped, with the command
 * that installs it.
 *
 * @module
 */
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { copyUserState, runScan } from "../suites/file-scan-cli.js";
import { startClamd } from "./clamd.js";
import type { Converted } from "./convert.js";
import type { BenchTree } from "./data.js";
import { findExecutable, runTimed, type Timed } from "./timed.js";

/** One timed run of one row, with the paths it reported (undefined: the row matches nothing). */
export interface Measurement extends Timed {
  readonly hits: readonly string[] | undefined;
  /** Files the tool says it saw, when it says (iocscan). */
  readonly filesSeen?: number;
  readonly filesHashed?: number;
}

/** A row of the results table. */
export interface RowSpec {
  readonly id: string;
  readonly label: string;
  /** "floor", "iocscan" or "peer": what the goals compare. */
  readonly kind: "floor" | "iocscan" | "peer";
  /** The peer keeps a cache between runs (compared with iocscan's warm run, not its cold one). */
  readonly warm?: boolean;
  /** A peer whose input carries the file sizes (size-guarded rules): it races iocscan's size-carrying IOCs. */
  readonly sized?: boolean;
}

export interface RunContext {
  readonly tree: BenchTree;
  readonly conv: Converted;
  readonly work: string;
  /** The compiled iocscan CLI (compileScanner). */
  readonly cli: string;
  /** A folder with a results database made by a warm-up scan, copied for every scan. */
  readonly dbTemplate: string;
}

export interface Step {
  /** Programs the step needs; the first missing one skips it. */
  readonly programs: readonly string[];
  readonly install: string;
  readonly rows: readonly RowSpec[];
  run(ctx: RunContext, programs: readonly string[]): Measurement[] | Promise<Measurement[]>;
}

/** Thrown by a step that cannot run on this machine (not a wrong result): its rows are skipped. */
export class SkipStep extends Error {
  override readonly name = "SkipStep";
}

/** Which digest a case's IOC list is matched by. */
export type HashKind = "sha256" | "md5";

/** A fresh results folder: the template's database and IOC cache, no hash cache yet. */
export function freshDbFolder(ctx: RunContext): string {
  return copyUserState(ctx.work, ctx.dbTemplate);
}

function scanOnce(ctx: RunContext, iocs: string, dbFolder: string): Measurement {
  const run = runScan({ cli: ctx.cli, iocs, scope: ctx.tree.root, dbFolder, hashCache: true });
  return { ...run, hits: run.found, filesSeen: run.stats["filesSeen"] ?? 0, filesHashed: run.stats["filesHashed"] ?? 0 };
}

/** `clamscan`/`clamdscan -i` lines: `PATH: NAME FOUND`. */
const clamHits = (stdout: string): string[] =>
  stdout
    .split("\n")
    .filter((l) => l.endsWith(" FOUND"))
    .map((l) => l.slice(0, l.lastIndexOf(": ")));

/** `yara` lines: `RULE PATH` (one per matching rule). */
const yaraHits = (stdout: string): string[] => [...new Set(stdout.split("\n").filter((l) => l !== "").map((l) => l.slice(l.indexOf(" ") + 1)))];

const lines = (stdout: string): string[] => stdout.split("\n").filter((l) => l !== "");

/** Throws unless `status` is one of `ok` (tools exit 1 for "found" and 0 for "clean"). */
function expectStatus(what: string, r: { status: number | null; stderr: string }, ok: readonly number[]): void {
  if (r.status === null || !ok.includes(r.status)) throw new Error(`${what} failed (exit ${r.status}): ${r.stderr.slice(0, 1000)}`);
}

const APT = "apt-get install -y";

/** The steps of one round on a tree for a list matched by `kind`. */
export function stepsFor(kind: HashKind): Step[] {
  const sha = kind === "sha256";
  const floorTool = sha ? "sha256sum" : "md5sum";
  const steps: Step[] = [
    {
      programs: ["find", "xargs", floorTool],
      install: `${APT} findutils coreutils`,
      rows: [{ id: "floor", label: `floor: find | xargs -P2 ${floorTool}`, kind: "floor" }],
      run: (ctx) => {
        const r = runTimed("sh", ["-c", `find "$1" -type f -print0 | xargs -0 -P2 ${floorTool} > /dev/null`, "sh", ctx.tree.root]);
        expectStatus("floor", r, [0]);
        return [{ ...r, hits: undefined }];
      },
    },
    {
      programs: [],
      install: "npm run build",
      rows: [
        { id: "iocscan-cold", label: `iocscan, ${kind} only, fresh hash cache`, kind: "iocscan" },
        { id: "iocscan-warm", label: `iocscan, ${kind} only, warm hash cache`, kind: "iocscan", warm: true },
      ],
      run: (ctx) => {
        const db = freshDbFolder(ctx);
        const iocs = sha ? ctx.conv.openiocSha256 : ctx.conv.openiocMd5;
        const cold = scanOnce(ctx, iocs, db);
        const warm = scanOnce(ctx, iocs, db);
        return [cold, warm];
      },
    },
  ];
  if (sha) {
    steps.push({
      programs: [],
      install: "npm run build",
      rows: [{ id: "iocscan-sized", label: "iocscan, sha256 AND size, fresh hash cache", kind: "iocscan" }],
      run: (ctx) => [scanOnce(ctx, ctx.conv.openiocSized, freshDbFolder(ctx))],
    });
  }
  const deep = sha ? "sha256deep" : "md5deep";
  steps.push({
    programs: [deep],
    install: `${APT} hashdeep`,
    rows: [{ id: "hashdeep", label: `${deep} -j2 -m`, kind: "peer" }],
    run: (ctx, [bin]) => {
      const r = runTimed(bin as string, ["-j2", "-r", "-m", sha ? ctx.conv.knownSha256 : ctx.conv.knownMd5, ctx.tree.root]);
      // Exit 1 in matching mode: some known hashes matched no file (always so here).
      expectStatus(deep, r, [0, 1]);
      return [{ ...r, hits: lines(r.stdout) }];
    },
  });
  if (sha) {
    for (const [id, label, rules] of [
      ["yara-sized", "yara -p 2, size-guarded rules", (c: Converted) => c.yaraSized],
      ["yara-unsized", "yara -p 2, unguarded rules", (c: Converted) => c.yaraUnsized],
    ] as const) {
      steps.push({
        programs: ["yara"],
        install: `${APT} yara`,
        rows: [{ id, label, kind: "peer", sized: id === "yara-sized" }],
        run: (ctx, [bin]) => {
          const r = runTimed(bin as string, ["-r", "-p", "2", rules(ctx.conv), ctx.tree.root]);
          expectStatus("yara", r, [0]);
          return [{ ...r, hits: yaraHits(r.stdout) }];
        },
      });
    }
  }
  steps.push({
    programs: ["clamscan"],
    install: `${APT} clamav`,
    rows: [{ id: "clamscan", label: `clamscan -d ${sha ? ".hsb" : ".hdb"} (1 thread)`, kind: "peer" }],
    run: (ctx, [bin]) => {
      const r = runTimed(bin as string, ["--no-summary", "-i", "-r", "-d", sha ? ctx.conv.hsb : ctx.conv.hdb, ctx.tree.root]);
      expectStatus("clamscan", r, [0, 1]);
      return [{ ...r, hits: clamHits(r.stdout) }];
    },
  });
  if (sha) {
    steps.push({
      programs: ["clamd", "clamdscan"],
      install: `${APT} clamav-daemon clamdscan`,
      rows: [
        { id: "clamd-cold", label: "clamdscan --multiscan, fresh clamd (2 threads)", kind: "peer" },
        { id: "clamd-warm", label: "clamdscan --multiscan, 2nd pass (clean cache)", kind: "peer", warm: true },
      ],
      run: async (ctx, [clamd, clamdscan]) => {
        let server: Awaited<ReturnType<typeof startClamd>>;
        try {
          server = await startClamd(clamd as string, clamdscan as string, ctx.conv.clamdDb, mkdtempSync(join(ctx.work, "clamd-")));
        } catch (error) {
          throw new SkipStep(`skipped: clamd could not be started here (${(error as Error).message})`);
        }
        try {
          const pass = (): Measurement => {
            const r = runTimed(clamdscan as string, [`--config-file=${server.config}`, "--no-summary", "-i", "--multiscan", ctx.tree.root]);
            expectStatus("clamdscan", r, [0, 1]);
            // The client's RSS says nothing: report the daemon's high-water mark instead.
            return { ...r, maxRssBytes: server.peakRss(), hits: clamHits(r.stdout) };
          };
          return [pass(), pass()];
        } finally {
          await server.stop();
        }
      },
    });
  }
  return steps;
}

/** The programs of `step` resolved on PATH, or the first missing one's name. */
export function resolvePrograms(step: Step): { found: string[] } | { missing: string } {
  const found: string[] = [];
  for (const name of step.programs) {
    const path = findExecutable(name);
    if (path === undefined) return { missing: name };
    found.push(path);
  }
  return { found };
}
