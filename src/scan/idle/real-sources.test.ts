/**
 * The real sources on the machine the tests run on. On the project's container machines (PID 1 is
 * not systemd, no desktop, no utmp) each must say "unavailable" with its reason, and the monitor
 * must refuse to guess. On other machines the readings only have to be well formed.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createIdleMonitor, defaultIdleSources, IdleUnavailableError } from "./index.js";

const env = { ...process.env };
delete env["IOCSCAN_IDLE_FILE"];
const pid1 = existsSync("/proc/1/comm") ? readFileSync("/proc/1/comm", "utf8").trim() : "";
const container = process.platform === "linux" && pid1 !== "systemd";
const noDesktop = !env["DBUS_SESSION_BUS_ADDRESS"] && !env["DISPLAY"];
const noUtmp = !existsSync("/run/utmp") && !existsSync("/var/run/utmp");

describe("real idle sources", () => {
  it("every real source answers with a well-formed reading and never throws", async () => {
    for (const source of defaultIdleSources({ env })) {
      const reading = await source.read();
      if (reading.state === "unavailable") expect(reading.reason.length).toBeGreaterThan(0);
      else expect(reading.detail.length).toBeGreaterThan(0);
    }
  });

  it.runIf(container && noDesktop && noUtmp)("on a container without systemd, desktop or utmp every source is unavailable and the monitor refuses to guess", async () => {
    const [logind, screensaver, headless] = defaultIdleSources({ env });
    const logindReading = await logind?.read();
    expect(logindReading?.state).toBe("unavailable");
    expect(logindReading?.state === "unavailable" && logindReading.reason).toMatch(/systemd|not installed|Host is down/);
    expect(await screensaver?.read()).toEqual({ state: "unavailable", reason: "screensaver: no session D-Bus (DBUS_SESSION_BUS_ADDRESS unset); no X display (DISPLAY unset)" });
    expect(await headless?.read()).toMatchObject({ state: "unavailable", reason: expect.stringContaining("no utmp file") as string });
    const monitor = createIdleMonitor({ env });
    const error = await monitor.check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdleUnavailableError);
    expect((error as IdleUnavailableError).sources.map((s) => s.name)).toEqual(["logind", "screensaver", "headless"]);
    expect(monitor.sources().every((s) => s.status.startsWith("unavailable: "))).toBe(true);
  });
});
