import { describe, expect, it } from "vitest";
import { DEFAULT_TASK_SETTINGS, type RunOrder } from "../core/api/index.js";
import { localName } from "./ioc-files.js";
import { estimatePercent, scopeKey } from "./progress.js";
import { checkpointId, taskScanOptions } from "./run-scan.js";
import { defaultAgentStateDir } from "./state-dir.js";

const order: RunOrder = {
  runId: "run-1",
  taskId: "task-1",
  taskName: "Task",
  order: "start",
  settings: { ...DEFAULT_TASK_SETTINGS, action: "quarantine", criticalAreas: true, scopes: ["/srv"], excludes: ["/srv/cache/**"], switches: { ProcessItem: "off" }, idleOnly: true, maxCpu: 25 },
  iocFiles: [{ id: "f", name: "a.ioc", sha256: "0".repeat(64) }],
};

describe("taskScanOptions", () => {
  it("taskScanOptions() maps a task's settings onto scanHost's options", () => {
    const signal = new AbortController().signal;
    const onProgress = (): void => undefined;
    const options = taskScanOptions(order, ["/state/a.ioc"], { signal, onProgress, attempt: 1 }, { quarantineDir: "/q", hashCacheFile: "/state/hash-cache", checkpointRoot: "/state/checkpoints" });
    expect(options).toEqual({
      iocPaths: ["/state/a.ioc"],
      action: "quarantine",
      criticalAreas: true,
      scopes: ["/srv"],
      excludes: ["/srv/cache/**"],
      switches: { ProcessItem: "off" },
      quarantineDir: "/q",
      hashCacheFile: "/state/hash-cache",
      onProgress,
      signal,
      background: true,
      idleOnly: true,
      maxCpu: 25,
      checkpointDir: "/state/checkpoints",
      scanId: "run-1",
    });
  });

  it("checkpointId() keeps safe run ids and digests the others", () => {
    expect(checkpointId("0b4c9d2e-run")).toBe("0b4c9d2e-run");
    expect(checkpointId("a/b")).toBe("a_b");
    expect(checkpointId("../x")).toMatch(/^run-[0-9a-f]{32}$/);
  });
});

describe("progress estimate", () => {
  it("estimatePercent() follows an earlier run's file count, else a curve, and never reaches 100", () => {
    expect(estimatePercent(50, 100)).toBe(50);
    expect(estimatePercent(500, 100)).toBe(99);
    expect(estimatePercent(0, undefined)).toBe(0);
    const early = estimatePercent(1000, undefined);
    const late = estimatePercent(100_000, undefined);
    expect(early).toBeGreaterThan(0);
    expect(late).toBeGreaterThan(early);
    expect(late).toBeLessThan(100);
  });

  it("scopeKey() ignores the order of scopes and excludes", () => {
    expect(scopeKey({ scopes: ["/a", "/b"], excludes: [] })).toBe(scopeKey({ scopes: ["/b", "/a"], excludes: [] }));
    expect(scopeKey({ scopes: ["/a"], excludes: [] })).not.toBe(scopeKey({ scopes: ["/a"], excludes: ["x"] }));
  });
});

describe("paths", () => {
  it("defaultAgentStateDir() is /var/lib for root, else XDG state", () => {
    expect(defaultAgentStateDir({ uid: 0, env: {} })).toBe("/var/lib/iocscan/agent");
    expect(defaultAgentStateDir({ uid: 0, env: { IOCSCAN_STATE_DIR: "/srv/state" } })).toBe("/srv/state/agent");
    expect(defaultAgentStateDir({ uid: 1000, env: { XDG_STATE_HOME: "/x" } })).toBe("/x/iocscan/agent");
    expect(defaultAgentStateDir({ uid: 1000, env: { XDG_STATE_HOME: "rel" }, home: "/home/ann" })).toBe("/home/ann/.local/state/iocscan/agent");
  });

  it("localName() keeps an IOC file inside its folder and loadable", () => {
    expect(localName("../../etc/passwd")).toBe("passwd.ioc");
    expect(localName("APT 1.xml")).toBe("APT_1.xml");
    expect(localName("..")).toBe("task.ioc");
    expect(localName("a\\b.ioc")).toBe("b.ioc");
  });
});
