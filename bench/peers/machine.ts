/**
 * The machine and tool description printed with the results (CPU, cores, RAM, kernel, OS, Node,
 * each tool's version, the date, the load average and the iocscan commit measured).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { busyProcesses, busyText, environmentNote, type BusyProcess } from "../environment.js";
import { findExecutable, versionOf } from "./timed.js";
import { scannerLister } from "../suites/file-scan-cli.js";

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly ramGiB: number;
  readonly kernel: string;
  readonly os: string;
  readonly node: string;
  readonly commit: string;
  readonly tools: readonly { name: string; version: string }[];
  /** Other processes using the CPU when the run started. */
  readonly busy: readonly BusyProcess[];
}

const TOOLS: readonly [string, string, readonly string[]][] = [
  ["yara", "yara", ["--version"]],
  ["clamscan", "clamscan", ["--version"]],
  ["clamd", "clamd", ["--version"]],
  ["hashdeep (sha256deep, md5deep)", "hashdeep", ["-V"]],
  ["GNU coreutils (sha256sum)", "sha256sum", ["--version"]],
  ["GNU findutils", "find", ["--version"]],
];

export function describeMachine(repo: string): Machine {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const osRelease = existsSync("/etc/os-release") ? readFileSync("/etc/os-release", "utf8") : "";
  const git = spawnSync("git", ["-C", repo, "rev-parse", "--short", "HEAD"], { encoding: "utf8" });
  const dirty = spawnSync("git", ["-C", repo, "status", "--porcelain", "src"], { encoding: "utf8" }).stdout.trim() !== "";
  return {
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? "unknown CPU",
    cores: cpus().length,
    ramGiB: totalmem() / 2 ** 30,
    kernel: `Linux ${release()}`,
    os: /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(osRelease)?.[1] ?? "unknown OS",
    node: process.version,
    commit: `${git.stdout.trim() || "unknown"}${dirty ? " (src/ with uncommitted changes)" : ""}`,
    busy: busyProcesses(),
    tools: TOOLS.map(([name, bin, args]) => {
      const path = findExecutable(bin);
      return { name, version: path === undefined ? "not installed" : versionOf(path, args) };
    }),
  };
}

export function machineText(m: Machine): string {
  return (
    `${m.cores} x ${m.cpu}, ${m.ramGiB.toFixed(0)} GiB RAM, ${m.kernel}, ${m.os}, Node ${m.node}; iocscan at ${m.commit}, listing folders with ${scannerLister()}.\n` +
    `Tools: ${m.tools.map((t) => `${t.name} ${t.version}`).join("; ")}.` +
    (environmentNote === undefined ? "" : `\n${environmentNote}.`) +
    `\nOther processes busy at start (over 10% of a core in a 1 s sample): ${busyText(m.busy)}.`
  );
}
