import { describe, expect, it } from "vitest";
import { logindIdleSource, parseProperties, parseSessionIds } from "./logind-source.js";
import { fakeRunner } from "./test-fake-runner.js";

const LIST = "list-sessions --no-legend --no-pager";

function session(id: string, fields: Record<string, string>): string {
  const all = { Id: id, Type: "x11", Class: "user", Active: "yes", State: "active", LockedHint: "no", IdleHint: "no", Remote: "no", Name: "alice", ...fields };
  return Object.entries(all).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";
}

describe("logind parsing", () => {
  it("parseSessionIds takes the first column of old and new loginctl layouts and skips messages", () => {
    // systemd 252: SESSION UID USER SEAT TTY; systemd 256 adds STATE IDLE SINCE.
    expect(parseSessionIds("      2 1000 alice seat0 tty2\n     c1  120 gdm   seat0 tty1\n")).toEqual(["2", "c1"]);
    expect(parseSessionIds("3 1000 bob seat0 tty2 active no -\n\n")).toEqual(["3"]);
    expect(parseSessionIds("")).toEqual([]);
  });

  it("parseProperties reads Key=value lines, values may contain =", () => {
    const p = parseProperties("Type=wayland\nDisplay=\nName=a=b\n");
    expect(p.get("Type")).toBe("wayland");
    expect(p.get("Display")).toBe("");
    expect(p.get("Name")).toBe("a=b");
  });
});

describe("logindIdleSource", () => {
  it("logindIdleSource is idle when every local active session is locked or idle", async () => {
    const run = fakeRunner({
      [`loginctl ${LIST}`]: { stdout: "2 1000 alice seat0 tty2\n5 1001 bob seat1 tty3\n" },
      "loginctl show-session 2": { stdout: session("2", { LockedHint: "yes" }) },
      "loginctl show-session 5": { stdout: session("5", { Type: "tty", IdleHint: "yes" }) },
    });
    const reading = await logindIdleSource(run).read();
    expect(reading.state).toBe("idle");
    expect(reading.state === "idle" && reading.detail).toMatch(/session 2 .*LockedHint=yes.*session 5 .*IdleHint=yes/);
    expect(run.calls.map((c) => c.command)).toContain("loginctl show-session 5 --no-pager -p Id -p Type -p Class -p Active -p State -p LockedHint -p IdleHint -p Remote -p Name");
  });

  it("logindIdleSource is busy when one such session is neither locked nor idle", async () => {
    const run = fakeRunner({
      [`loginctl ${LIST}`]: { stdout: "2 1000 alice seat0 tty2\n5 1001 bob seat1 tty3\n" },
      "loginctl show-session 2": { stdout: session("2", { LockedHint: "yes" }) },
      "loginctl show-session 5": { stdout: session("5", { Type: "wayland", Name: "bob" }) },
    });
    const reading = await logindIdleSource(run).read();
    expect(reading.state).toBe("busy");
    expect(reading.state === "busy" && reading.detail).toMatch(/session 5 \(wayland, bob\)/);
  });

  it("logindIdleSource ignores remote, background, greeter, switched-away and vanished sessions", async () => {
    const run = fakeRunner({
      [`loginctl ${LIST}`]: { stdout: "1 0 root  pts/0\n2 1000 alice seat0 tty2\nc1 120 gdm seat0 tty1\n4 1000 alice\n9 1000 gone\n7 1001 bob seat0 tty7\n" },
      "loginctl show-session 1": { stdout: session("1", { Type: "tty", Remote: "yes" }) },
      "loginctl show-session 2": { stdout: session("2", { Type: "unspecified" }) },
      "loginctl show-session c1": { stdout: session("c1", { Class: "greeter" }) },
      "loginctl show-session 4": { stdout: session("4", { Active: "no", State: "online" }) },
      "loginctl show-session 9": { exitCode: 1, stderr: "Failed to get session: No session '9' known" },
      "loginctl show-session 7": { stdout: session("7", { LockedHint: "yes" }) },
    });
    const reading = await logindIdleSource(run).read();
    // Only session 7 counts, and it is locked; every other one would have made it busy.
    expect(reading).toMatchObject({ state: "idle" });
  });

  it("logindIdleSource is unavailable when there is no local interactive session, so the next source decides", async () => {
    const run = fakeRunner({
      [`loginctl ${LIST}`]: { stdout: "1 0 root  pts/0\n" },
      "loginctl show-session 1": { stdout: session("1", { Type: "tty", Remote: "yes" }) },
    });
    expect(await logindIdleSource(run).read()).toEqual({ state: "unavailable", reason: "logind: no active local interactive session among 1 session(s)" });
    const none = fakeRunner({ [`loginctl ${LIST}`]: { stdout: "" } });
    expect((await logindIdleSource(none).read()).state).toBe("unavailable");
  });

  it("logindIdleSource reports why loginctl gave no answer: no systemd, not installed", async () => {
    const noSystemd = fakeRunner({
      [`loginctl ${LIST}`]: { exitCode: 1, stderr: "System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n" },
    });
    expect(await logindIdleSource(noSystemd).read()).toEqual({
      state: "unavailable",
      reason: "loginctl list-sessions exited with 1: System has not been booted with systemd as init system (PID 1). Can't operate.",
    });
    expect(await logindIdleSource(fakeRunner({})).read()).toEqual({ state: "unavailable", reason: "loginctl list-sessions: not installed" });
  });
});
