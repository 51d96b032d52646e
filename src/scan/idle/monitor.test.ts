import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createIdleMonitor, defaultIdleSources, IdleUnavailableError, type IdleReading, type IdleSource, type IdleState } from "./index.js";
import { pollMsFromEnv } from "./monitor.js";

const dir = mkdtempSync(join(tmpdir(), "iocscan-idle-monitor-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A source that answers from a list, repeating the last answer; counts its reads. */
function scripted(name: string, readings: IdleReading[]): IdleSource & { reads: number } {
  const source = {
    name,
    reads: 0,
    read(): Promise<IdleReading> {
      const reading = readings[Math.min(source.reads, readings.length - 1)];
      source.reads += 1;
      if (!reading) throw new Error("no reading scripted");
      return Promise.resolve(reading);
    },
  };
  return source;
}
const idle: IdleReading = { state: "idle", detail: "locked" };
const busy: IdleReading = { state: "busy", detail: "typing" };
const none = (reason: string): IdleReading => ({ state: "unavailable", reason });

describe("createIdleMonitor", () => {
  it("check lets the first source that can answer decide, and does not ask the later ones", async () => {
    const a = scripted("a", [none("no systemd")]);
    const b = scripted("b", [idle]);
    const c = scripted("c", [busy]);
    const monitor = createIdleMonitor({ sources: [a, b, c], now: () => 42 });
    expect(monitor.sources()).toEqual([
      { name: "a", status: "not asked" },
      { name: "b", status: "not asked" },
      { name: "c", status: "not asked" },
    ]);
    expect(await monitor.check()).toEqual({ idle: true, source: "b", detail: "locked", at: 42 });
    expect(c.reads).toBe(0);
    expect(monitor.sources()).toEqual([
      { name: "a", status: "unavailable: no systemd" },
      { name: "b", status: "idle: locked" },
      { name: "c", status: "not asked (b decided)" },
    ]);
  });

  it("check rejects with IdleUnavailableError naming every source and its reason when none can answer", async () => {
    const thrower: IdleSource = { name: "broken", read: () => Promise.reject(new Error("bug")) };
    const monitor = createIdleMonitor({ sources: [scripted("logind", [none("no systemd")]), thrower] });
    const error = await monitor.check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdleUnavailableError);
    expect((error as IdleUnavailableError).sources).toEqual([
      { name: "logind", reason: "no systemd" },
      { name: "broken", reason: "failed: bug" },
    ]);
    expect((error as Error).message).toBe("Cannot tell whether the computer is idle: logind: no systemd; broken: failed: bug");
  });

  it("waitUntilIdle polls until a source says idle", async () => {
    const source = scripted("s", [busy, busy, busy, idle]);
    const monitor = createIdleMonitor({ sources: [source], pollMs: 5 });
    expect(await monitor.waitUntilIdle()).toMatchObject({ idle: true, source: "s" });
    expect(source.reads).toBe(4);
  });

  it("waitUntilIdle rejects on abort and when no source can answer", async () => {
    const monitor = createIdleMonitor({ sources: [scripted("s", [busy])], pollMs: 5 });
    const controller = new AbortController();
    const waiting = monitor.waitUntilIdle(controller.signal);
    setTimeout(() => controller.abort(), 30);
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
    const blind = createIdleMonitor({ sources: [scripted("s", [none("nothing")])], pollMs: 5 });
    await expect(blind.waitUntilIdle()).rejects.toBeInstanceOf(IdleUnavailableError);
  });

  it("watch reports the first state and then only the changes, and stops when asked", async () => {
    const source = scripted("s", [busy, busy, idle, idle, busy, busy, none("gone"), busy, idle]);
    const monitor = createIdleMonitor({ sources: [source], pollMs: 2 });
    const seen: boolean[] = [];
    const errors: unknown[] = [];
    let stop = (): void => undefined;
    await new Promise<void>((resolve) => {
      stop = monitor.watch(
        (state: IdleState) => {
          seen.push(state.idle);
          if (seen.length === 4) resolve();
        },
        (error) => errors.push(error),
      );
    });
    stop();
    const reads = source.reads;
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual([false, true, false, true]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(IdleUnavailableError);
    expect(source.reads).toBe(reads);
  });

  it("IOCSCAN_IDLE_POLL_MS sets the poll interval within bounds, and a bad value is an error", () => {
    expect(pollMsFromEnv({})).toBeUndefined();
    expect(pollMsFromEnv({ IOCSCAN_IDLE_POLL_MS: "100" })).toBe(100);
    expect(() => pollMsFromEnv({ IOCSCAN_IDLE_POLL_MS: "10" })).toThrow(RangeError);
    expect(() => pollMsFromEnv({ IOCSCAN_IDLE_POLL_MS: "fast" })).toThrow(/IOCSCAN_IDLE_POLL_MS must be a whole number/);
    expect(createIdleMonitor({ sources: [], env: { IOCSCAN_IDLE_POLL_MS: "75" } }).pollMs).toBe(75);
    expect(createIdleMonitor({ sources: [], env: {} }).pollMs).toBe(1000);
  });
});

describe("defaultIdleSources", () => {
  it("defaultIdleSources asks logind, then the screensaver, then the headless rule", () => {
    expect(defaultIdleSources({ env: {} }).map((s) => s.name)).toEqual(["logind", "screensaver", "headless"]);
  });

  it("defaultIdleSources with IOCSCAN_IDLE_FILE uses that file alone, and a scan waiting on it starts when it says idle", async () => {
    const path = join(dir, "state");
    const env = { IOCSCAN_IDLE_FILE: path, IOCSCAN_IDLE_POLL_MS: "50" };
    expect(defaultIdleSources({ env }).map((s) => s.name)).toEqual(["test-file"]);
    const monitor = createIdleMonitor({ env });
    // Missing file: busy, so the wait goes on.
    expect(await monitor.check()).toMatchObject({ idle: false, source: "test-file" });
    let resolved = false;
    const waiting = monitor.waitUntilIdle().then((state) => {
      resolved = true;
      return state;
    });
    await new Promise((r) => setTimeout(r, 120));
    expect(resolved).toBe(false);
    writeFileSync(`${path}.tmp`, "idle\n");
    renameSync(`${path}.tmp`, path);
    expect(await waiting).toMatchObject({ idle: true, source: "test-file" });
  });
});
