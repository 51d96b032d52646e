import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { terminateProcess } from "./terminate.js";

describe("terminateProcess", () => {
  it("terminateProcess ends a process with SIGTERM", async () => {
    const child = spawn("sleep", ["100"], { stdio: "ignore" });
    const exited = once(child, "exit");
    const receipt = await terminateProcess(child.pid ?? -1, { graceMs: 5000 });
    expect(receipt).toMatchObject({ type: "terminate", status: "done", objectId: String(child.pid) });
    expect((await exited)[1]).toBe("SIGTERM");
  });

  it("terminateProcess kills a process that ignores SIGTERM once the grace period is over", async () => {
    // bash says "ready" once the trap is installed, so SIGTERM can only arrive after it.
    const child = spawn("bash", ["-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done"], { stdio: ["ignore", "pipe", "ignore"] });
    await once(child.stdout ?? child, "data");
    const exited = once(child, "exit");
    const receipt = await terminateProcess(child.pid ?? -1, { graceMs: 300 });
    expect(receipt).toMatchObject({ status: "done", detail: "killed by SIGKILL after 300 ms" });
    expect((await exited)[1]).toBe("SIGKILL");
  });

  it("terminateProcess never signals pid 1, iocscan itself or its parent", async () => {
    expect(await terminateProcess(1)).toMatchObject({ status: "skipped", detail: "protected: pid 1 (init) is never signalled" });
    expect(await terminateProcess(process.pid)).toMatchObject({ status: "skipped", detail: "protected: iocscan's own process" });
    expect(await terminateProcess(process.ppid)).toMatchObject({ status: "skipped", detail: "protected: iocscan's parent process" });
  });

  it("terminateProcess reports a process that is already gone as done", async () => {
    const child = spawn("true", { stdio: "ignore" });
    await once(child, "exit");
    expect(await terminateProcess(child.pid ?? -1, { graceMs: 100 })).toMatchObject({ status: "done" });
  });
});
