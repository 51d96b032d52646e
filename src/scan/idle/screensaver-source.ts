/**
 * The desktop's screensaver, for graphical sessions that logind does not describe (no systemd,
 * or a desktop that never sets LockedHint): asked over the session D-Bus when one is reachable
 * (X11 and Wayland desktops alike), else from the X display with xscreensaver or xprintidle.
 * Only reachable from inside the user's session (its environment), not from a root service.
 *
 * @module
 */
import { describeFailure, type CommandRunner } from "./command-runner.js";
import type { IdleReading, IdleSource } from "./types.js";

export interface ScreensaverOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly run: CommandRunner;
  /** With only xprintidle to ask: idle after this long without keyboard or mouse input. Default 10 minutes. */
  readonly inputIdleMs?: number;
}

/** The D-Bus screensaver services, most common first; each answers GetActive with a boolean. */
const SERVICES = [
  { dest: "org.freedesktop.ScreenSaver", path: "/org/freedesktop/ScreenSaver", iface: "org.freedesktop.ScreenSaver" },
  { dest: "org.gnome.ScreenSaver", path: "/org/gnome/ScreenSaver", iface: "org.gnome.ScreenSaver" },
] as const;

/** `boolean true` in dbus-send's `--print-reply` output. */
export function parseDbusBoolean(text: string): boolean | undefined {
  const match = /^\s*boolean\s+(true|false)\s*$/m.exec(text);
  return match ? match[1] === "true" : undefined;
}

/** `xscreensaver-command -time`: "XScreenSaver 6.06: screen locked since ...". */
export function parseXscreensaverTime(text: string): "blanked" | "locked" | "non-blanked" | undefined {
  const match = /\bscreen (non-blanked|blanked|locked)\b/.exec(text);
  return match?.[1] as "blanked" | "locked" | "non-blanked" | undefined;
}

export function screensaverIdleSource(options: ScreensaverOptions): IdleSource {
  const { env, run } = options;
  const inputIdleMs = options.inputIdleMs ?? 10 * 60_000;
  return {
    name: "screensaver",
    async read(signal?: AbortSignal): Promise<IdleReading> {
      const tried: string[] = [];
      const bus = env["DBUS_SESSION_BUS_ADDRESS"];
      if (bus) {
        for (const service of SERVICES) {
          const args = ["--session", "--print-reply", "--reply-timeout=2000", `--dest=${service.dest}`, service.path, `${service.iface}.GetActive`];
          const result = await run("dbus-send", args, { ...(signal ? { signal } : {}), env: { DBUS_SESSION_BUS_ADDRESS: bus } });
          const active = result.exitCode === 0 ? parseDbusBoolean(result.stdout) : undefined;
          if (active !== undefined) {
            return { state: active ? "idle" : "busy", detail: `${service.dest}.GetActive = ${String(active)}` };
          }
          tried.push(result.exitCode === 0 ? `${service.dest}: unexpected reply` : describeFailure(`dbus-send ${service.dest}`, result));
        }
      } else {
        tried.push("no session D-Bus (DBUS_SESSION_BUS_ADDRESS unset)");
      }
      const display = env["DISPLAY"];
      if (!display) {
        tried.push("no X display (DISPLAY unset)");
        return { state: "unavailable", reason: `screensaver: ${tried.join("; ")}` };
      }
      const xenv: Record<string, string> = { DISPLAY: display };
      const xauthority = env["XAUTHORITY"];
      if (xauthority) xenv["XAUTHORITY"] = xauthority;
      const runOptions = { ...(signal ? { signal } : {}), env: xenv };
      const xscreensaver = await run("xscreensaver-command", ["-time"], runOptions);
      const screen = xscreensaver.exitCode === 0 ? parseXscreensaverTime(xscreensaver.stdout + xscreensaver.stderr) : undefined;
      if (screen) return { state: screen === "non-blanked" ? "busy" : "idle", detail: `xscreensaver on ${display}: screen ${screen}` };
      tried.push(describeFailure("xscreensaver-command -time", xscreensaver));
      // No screensaver daemon: the X server's own input idle time is the next best signal.
      const xprintidle = await run("xprintidle", [], runOptions);
      const idleMs = xprintidle.exitCode === 0 && /^\s*\d+\s*$/.test(xprintidle.stdout) ? Number(xprintidle.stdout.trim()) : undefined;
      if (idleMs !== undefined) {
        const state = idleMs >= inputIdleMs ? "idle" : "busy";
        return { state, detail: `xprintidle on ${display}: no input for ${Math.round(idleMs / 1000)} s (idle from ${Math.round(inputIdleMs / 1000)} s)` };
      }
      tried.push(describeFailure("xprintidle", xprintidle));
      return { state: "unavailable", reason: `screensaver: ${tried.join("; ")}` };
    },
  };
}
