/**
 * lowerPriority on this process (the test worker of this file only; vitest runs each file in its
 * own process). Reads the result back from /proc, not through the functions that set it.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { lowerPriority } from "./lower-priority.js";

/** Niceness of each thread of this process: field 19 of /proc/self/task/TID/stat. */
function threadNices(): number[] {
  return readdirSync("/proc/self/task").map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: count fields after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[19 - 3]);
  });
}

const hasIonice = (() => {
  try {
    execFileSync("ionice", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(process.platform === "linux")("lowerPriority on this machine", () => {
  it("lowerPriority renices every thread, and threads started later inherit it", async () => {
    const report = await lowerPriority({ nice: 13 });
    expect(report.cpu).toMatch(/^nice 13 on \d+ thread\(s\)|already at nice 13/);
    expect(threadNices().every((nice) => nice >= 13)).toBe(true);
    const worker = new Worker("setTimeout(() => {}, 200)", { eval: true });
    await new Promise((resolve) => worker.once("online", resolve));
    expect(threadNices().every((nice) => nice >= 13)).toBe(true);
    await worker.terminate();
  });

  it.runIf(hasIonice)("lowerPriority puts this process in the idle I/O class", async () => {
    const report = await lowerPriority();
    expect(report.io).toMatch(/^idle I\/O class \(ionice -c3\) on \d+ thread\(s\)/);
    expect(execFileSync("ionice", ["-p", String(process.pid)], { encoding: "utf8" }).trim()).toBe("idle");
  });
});
