import { describe, expect, it } from "vitest";
import { parseDbusBoolean, parseXscreensaverTime, screensaverIdleSource } from "./screensaver-source.js";
import { fakeRunner } from "./test-fake-runner.js";

const FREEDESKTOP = "dbus-send --session --print-reply --reply-timeout=2000 --dest=org.freedesktop.ScreenSaver";
const GNOME = "dbus-send --session --print-reply --reply-timeout=2000 --dest=org.gnome.ScreenSaver";
const reply = (value: boolean): string => `method return time=1764300000.1 sender=:1.21 -> destination=:1.99 serial=7 reply_serial=2\n   boolean ${String(value)}\n`;
const BUS = { DBUS_SESSION_BUS_ADDRESS: "unix:path=/run/user/1000/bus" };

describe("screensaver parsing", () => {
  it("parseDbusBoolean reads the boolean of a dbus-send reply, and nothing else", () => {
    expect(parseDbusBoolean(reply(true))).toBe(true);
    expect(parseDbusBoolean(reply(false))).toBe(false);
    expect(parseDbusBoolean("   uint32 0\n")).toBeUndefined();
  });

  it("parseXscreensaverTime reads blanked, locked and non-blanked", () => {
    expect(parseXscreensaverTime("XScreenSaver 6.06: screen locked since Sat Nov 28 02:00:00 2026\n")).toBe("locked");
    expect(parseXscreensaverTime("XScreenSaver 5.45: screen blanked since Sat Nov 28 02:00:00 2026\n")).toBe("blanked");
    expect(parseXscreensaverTime("XScreenSaver 5.45: screen non-blanked since Sat Nov 28 02:00:00 2026\n")).toBe("non-blanked");
    expect(parseXscreensaverTime("xscreensaver-command: no screensaver is running on display :0\n")).toBeUndefined();
  });
});

describe("screensaverIdleSource", () => {
  it("screensaverIdleSource asks org.freedesktop.ScreenSaver on the session bus it was given", async () => {
    const run = fakeRunner({ [FREEDESKTOP]: { stdout: reply(true) } });
    expect(await screensaverIdleSource({ env: BUS, run }).read()).toEqual({ state: "idle", detail: "org.freedesktop.ScreenSaver.GetActive = true" });
    expect(run.calls).toEqual([
      { command: `${FREEDESKTOP} /org/freedesktop/ScreenSaver org.freedesktop.ScreenSaver.GetActive`, env: BUS },
    ]);
    const busy = fakeRunner({ [FREEDESKTOP]: { stdout: reply(false) } });
    expect((await screensaverIdleSource({ env: BUS, run: busy }).read()).state).toBe("busy");
  });

  it("screensaverIdleSource falls back to org.gnome.ScreenSaver when the freedesktop name is not there", async () => {
    const run = fakeRunner({
      [FREEDESKTOP]: { exitCode: 1, stderr: "Error org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.ScreenSaver was not provided by any .service files\n" },
      [GNOME]: { stdout: reply(true) },
    });
    expect(await screensaverIdleSource({ env: BUS, run }).read()).toEqual({ state: "idle", detail: "org.gnome.ScreenSaver.GetActive = true" });
  });

  it("screensaverIdleSource asks xscreensaver on the X display when there is no session bus", async () => {
    const locked = fakeRunner({ "xscreensaver-command -time": { stdout: "XScreenSaver 6.06: screen locked since Sat Nov 28 02:00:00 2026\n" } });
    expect(await screensaverIdleSource({ env: { DISPLAY: ":0", XAUTHORITY: "/home/a/.Xauthority" }, run: locked }).read()).toEqual({
      state: "idle",
      detail: "xscreensaver on :0: screen locked",
    });
    expect(locked.calls[0]?.env).toEqual({ DISPLAY: ":0", XAUTHORITY: "/home/a/.Xauthority" });
    const working = fakeRunner({ "xscreensaver-command -time": { stdout: "XScreenSaver 6.06: screen non-blanked since Sat Nov 28 02:00:00 2026\n" } });
    expect((await screensaverIdleSource({ env: { DISPLAY: ":0" }, run: working }).read()).state).toBe("busy");
  });

  it("screensaverIdleSource uses the X input idle time when no screensaver daemon runs", async () => {
    const noDaemon = { exitCode: 255, stderr: "xscreensaver-command: no screensaver is running on display :0\n" };
    const away = fakeRunner({ "xscreensaver-command -time": noDaemon, xprintidle: { stdout: "700000\n" } });
    expect((await screensaverIdleSource({ env: { DISPLAY: ":0" }, run: away, inputIdleMs: 600_000 }).read()).state).toBe("idle");
    const typing = fakeRunner({ "xscreensaver-command -time": noDaemon, xprintidle: { stdout: "1200\n" } });
    const reading = await screensaverIdleSource({ env: { DISPLAY: ":0" }, run: typing, inputIdleMs: 600_000 }).read();
    expect(reading).toEqual({ state: "busy", detail: "xprintidle on :0: no input for 1 s (idle from 600 s)" });
  });

  it("screensaverIdleSource lists every way it tried when none answers", async () => {
    expect(await screensaverIdleSource({ env: {}, run: fakeRunner({}) }).read()).toEqual({
      state: "unavailable",
      reason: "screensaver: no session D-Bus (DBUS_SESSION_BUS_ADDRESS unset); no X display (DISPLAY unset)",
    });
    const reading = await screensaverIdleSource({ env: { ...BUS, DISPLAY: ":1" }, run: fakeRunner({}) }).read();
    expect(reading.state === "unavailable" && reading.reason.split("; ")).toEqual([
      "screensaver: dbus-send org.freedesktop.ScreenSaver: not installed",
      "dbus-send org.gnome.ScreenSaver: not installed",
      "xscreensaver-command -time: not installed",
      "xprintidle: not installed",
    ]);
  });
});
