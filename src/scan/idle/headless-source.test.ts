import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { headlessIdleSource, parseWho, type HeadlessOptions } from "./headless-source.js";
import { fakeRunner } from "./test-fake-runner.js";

const dir = mkdtempSync(join(tmpdir(), "iocscan-idle-headless-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const utmp = join(dir, "utmp");
writeFileSync(utmp, "");

const WHO = `who -u ${utmp}`;
const still = (): NodeJS.CpuUsage => ({ user: 0, system: 0 });

function source(who: string, load: number, over: Partial<HeadlessOptions> = {}) {
  return headlessIdleSource({ run: fakeRunner({ [WHO]: { stdout: who } }), utmpPaths: [utmp], loadavg: () => [load, 0, 0], cpus: 2, cpuUsage: still, ...over });
}

describe("parseWho", () => {
  it("parseWho reads user, terminal and idle minutes from who -u in the C locale", () => {
    const text = [
      "alice    pts/0        2026-11-28 02:00   .          1234 (10.0.0.5)",
      "bob      pts/1        2026-11-27 09:12 01:05        2345 (10.0.0.6)",
      "carol    tty2         2026-11-20 08:00  old          345",
      "dave     :0           2026-11-28 01:00   ?           456 (:0)",
      "something unexpected",
    ].join("\n");
    expect(parseWho(text)).toEqual([
      { user: "alice", line: "pts/0", idleMinutes: 0 },
      { user: "bob", line: "pts/1", idleMinutes: 65 },
      { user: "carol", line: "tty2", idleMinutes: 1440 },
      { user: "dave", line: ":0", idleMinutes: undefined },
      { user: "something", line: "unexpected", idleMinutes: undefined },
    ]);
  });
});

describe("headlessIdleSource", () => {
  it("headlessIdleSource is idle with nobody logged in and a low load, and shows its numbers", async () => {
    expect(await source("", 0.4).read()).toEqual({
      state: "idle",
      detail: "headless: 0 login(s), 0 used within 30 min; load 0.40 (this scan ~0.00) on 2 CPU(s) = 0.20 per CPU, limit 0.5",
    });
  });

  it("headlessIdleSource is busy when the load per CPU reaches the threshold, which is configurable", async () => {
    expect((await source("", 1.2).read()).state).toBe("busy");
    expect((await source("", 1.2, { maxLoadPerCpu: 0.7 }).read()).state).toBe("idle");
    expect(() => source("", 0, { maxLoadPerCpu: 0 })).toThrow(RangeError);
  });

  it("headlessIdleSource is busy while somebody used a terminal recently; forgotten logins do not count", async () => {
    const recent = await source("alice    pts/0        2026-11-28 02:00 00:04        1234 (10.0.0.5)\n", 0).read();
    expect(recent.state).toBe("busy");
    expect(recent.state === "busy" && recent.detail).toMatch(/alice on pts\/0/);
    expect((await source("alice    pts/0        2026-11-28 02:00 01:10        1234 (10.0.0.5)\n", 0).read()).state).toBe("idle");
    expect((await source("alice    pts/0        2026-11-28 02:00 00:20        1234\n", 0, { sessionIdleMinutes: 10 }).read()).state).toBe("idle");
    // "?" means who could not tell: counted as in use.
    expect((await source("dave     :0           2026-11-28 01:00   ?           456 (:0)\n", 0).read()).state).toBe("busy");
  });

  it("headlessIdleSource leaves its own CPU use out of the load, so an idle-only scan does not pause itself", async () => {
    let fakeNow = 0;
    let cpuMicros = 0;
    const s = source("", 1.2, { now: () => fakeNow, cpuUsage: () => ({ user: cpuMicros, system: 0 }) });
    // Two minutes of one full core of our own work.
    fakeNow = 120_000;
    cpuMicros = 120_000_000;
    const reading = await s.read();
    expect(reading.state).toBe("idle");
    expect(reading.state === "idle" && reading.detail).toMatch(/this scan ~0\.86/);
    // Without our own share the same load is busy.
    expect((await source("", 1.2).read()).state).toBe("busy");
  });

  it("headlessIdleSource is unavailable without utmp (cannot tell who is logged in) or when who fails", async () => {
    const noUtmp = headlessIdleSource({ run: fakeRunner({}), utmpPaths: [join(dir, "nope")], loadavg: () => [0, 0, 0], cpus: 2 });
    expect(await noUtmp.read()).toEqual({ state: "unavailable", reason: `headless: no utmp file (${join(dir, "nope")}): cannot tell who is logged in` });
    const noWho = headlessIdleSource({ run: fakeRunner({}), utmpPaths: [utmp], loadavg: () => [0, 0, 0], cpus: 2 });
    expect(await noWho.read()).toEqual({ state: "unavailable", reason: "headless: who: not installed" });
  });
});
