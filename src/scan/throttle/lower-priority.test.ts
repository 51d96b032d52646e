import { describe, expect, it } from "vitest";
import { fakeRunner } from "../idle/test-fake-runner.js";
import { lowerPriority, type LowerPriorityOptions } from "./lower-priority.js";

/** Threads with their niceness, as the kernel would keep them. */
function fakeThreads(nices: Record<number, number>): Pick<LowerPriorityOptions, "threads" | "getPriority" | "setPriority"> & { nices: Record<number, number> } {
  return {
    nices,
    threads: () => Promise.resolve(Object.keys(nices).map(Number)),
    getPriority: (id) => {
      const nice = nices[id];
      if (nice === undefined) throw Object.assign(new Error("ESRCH: no such process"), { code: "ESRCH" });
      return nice;
    },
    setPriority: (id, nice) => {
      nices[id] = nice;
    },
  };
}

describe("lowerPriority", () => {
  it("lowerPriority renices every thread and sets the idle I/O class on all of them", async () => {
    const threads = fakeThreads({ 100: 0, 101: 0, 102: 0 });
    const run = fakeRunner({ ionice: {} });
    const report = await lowerPriority({ pid: 100, platform: "linux", run, ...threads, ioSchedulers: () => Promise.resolve(["bfq"]) });
    expect(threads.nices).toEqual({ 100: 10, 101: 10, 102: 10 });
    expect(run.calls.map((c) => c.command)).toEqual(["ionice -c3 -p 100 101 102"]);
    expect(report).toEqual({ cpu: "nice 10 on 3 thread(s) (was 0)", io: "idle I/O class (ionice -c3) on 3 thread(s) (I/O scheduler bfq)" });
  });

  it("lowerPriority never raises a priority that is already lower, and skips threads that ended", async () => {
    const threads = fakeThreads({ 100: 19, 101: 5 });
    const listed = threads.threads;
    const report = await lowerPriority({
      pid: 100,
      platform: "linux",
      nice: 12,
      run: fakeRunner({ ionice: {} }),
      ...threads,
      threads: async (pid) => [...(await listed!(pid)), 999],
      ioSchedulers: () => Promise.resolve(["none", "mq-deadline"]),
    });
    expect(threads.nices).toEqual({ 100: 19, 101: 12 });
    expect(report.cpu).toBe("nice 12 on 1 thread(s) (was 5); 1 thread(s) already at nice 12 or lower priority");
    expect(report.io).toBe("idle I/O class (ionice -c3) on 3 thread(s) (no effect with the none, mq-deadline I/O scheduler; only BFQ honours it)");
  });

  it("lowerPriority reports what it could not do instead of throwing", async () => {
    const denied = { ...fakeThreads({ 100: 0 }), setPriority: () => { throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" }); } };
    const report = await lowerPriority({ pid: 100, platform: "linux", run: fakeRunner({}), ...denied });
    expect(report).toEqual({ cpu: "not lowered on 1 thread(s): thread 100: EACCES: permission denied", io: "not lowered: ionice is not installed (util-linux)" });
    const failing = await lowerPriority({ pid: 100, platform: "linux", run: fakeRunner({ ionice: { exitCode: 1, stderr: "ionice: ioprio_set failed: Operation not permitted" } }), ...fakeThreads({ 100: 0 }) });
    expect(failing.io).toBe("not lowered: ionice exited with 1: ionice: ioprio_set failed: Operation not permitted");
  });

  it("lowerPriority sets the process priority elsewhere and says I/O priority is Linux-only", async () => {
    const threads = fakeThreads({ 7: 0 });
    expect(await lowerPriority({ pid: 7, platform: "darwin", ...threads })).toEqual({ cpu: "nice 10 (was 0)", io: "not lowered: I/O priority is set only on Linux (this is darwin)" });
    expect(threads.nices[7]).toBe(10);
  });

  it("lowerPriority accepts nice 1 to 19 only", async () => {
    await expect(lowerPriority({ nice: 0 })).rejects.toThrow(RangeError);
    await expect(lowerPriority({ nice: 20 })).rejects.toThrow(/from 1 to 19/);
  });
});
