/**
 * systemd-logind: the session manager knows whether each local session is locked (LockedHint,
 * set by the desktop's lock screen) or idle (IdleHint, set by the desktop, or by logind from the
 * terminal's last input for text sessions). Readable by any user, and by a root service that has
 * no access to the user's session D-Bus, which is why it is asked first.
 *
 * @module
 */
import { describeFailure, type CommandRunner } from "./command-runner.js";
import type { IdleReading, IdleSource } from "./types.js";

/** Session types a person sits in front of; "unspecified" sessions (cron, systemd --user) are not. */
const INTERACTIVE_TYPES = new Set(["x11", "wayland", "tty", "mir"]);
/** A machine with more sessions than this is not a desk; reading each one would cost too much. */
const MAX_SESSIONS = 64;

const PROPERTIES = ["Id", "Type", "Class", "Active", "State", "LockedHint", "IdleHint", "Remote", "Name"] as const;

/** `Key=value` lines of `loginctl show-session` into a map. */
export function parseProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const line of text.split("\n")) {
    const equals = line.indexOf("=");
    if (equals > 0) properties.set(line.slice(0, equals).trim(), line.slice(equals + 1).trim());
  }
  return properties;
}

/** Session ids from `loginctl list-sessions --no-legend`: the first column, whatever columns follow. */
export function parseSessionIds(text: string): string[] {
  const ids: string[] = [];
  for (const line of text.split("\n")) {
    const id = line.trim().split(/\s+/)[0];
    // Ids are short tokens ("2", "c1", "session-3"); anything else is a message, not a row.
    if (id !== undefined && /^[A-Za-z0-9_.-]{1,64}$/.test(id)) ids.push(id);
  }
  return ids;
}

/** A local person's session in the foreground of its seat or terminal. */
function isLocalInteractive(session: Map<string, string>): boolean {
  return (
    session.get("Class") === "user" &&
    INTERACTIVE_TYPES.has(session.get("Type") ?? "") &&
    session.get("Remote") !== "yes" &&
    session.get("Active") === "yes" &&
    session.get("State") !== "closing"
  );
}

/**
 * Idle when every local, active, interactive user session is locked or idle; busy when one is
 * neither; unavailable when loginctl is missing or fails (no systemd, as in containers) or when
 * there is no such session (a server reached only over SSH: the next source decides).
 */
export function logindIdleSource(run: CommandRunner): IdleSource {
  return {
    name: "logind",
    async read(signal?: AbortSignal): Promise<IdleReading> {
      const options = signal ? { signal } : {};
      const list = await run("loginctl", ["list-sessions", "--no-legend", "--no-pager"], options);
      if (list.exitCode !== 0) return { state: "unavailable", reason: describeFailure("loginctl list-sessions", list) };
      const ids = parseSessionIds(list.stdout);
      if (ids.length > MAX_SESSIONS) return { state: "unavailable", reason: `logind lists ${ids.length} sessions (more than ${MAX_SESSIONS}): not a desktop` };
      const sessions: Map<string, string>[] = [];
      for (const id of ids) {
        // One call per session: old loginctl (232) repeated the first id when given several.
        const args = ["show-session", id, "--no-pager", ...PROPERTIES.flatMap((p) => ["-p", p])];
        const shown = await run("loginctl", args, options);
        // A session that closed between the two calls is simply gone.
        if (shown.exitCode !== 0) continue;
        const session = parseProperties(shown.stdout);
        if (!session.has("Id")) session.set("Id", id);
        if (isLocalInteractive(session)) sessions.push(session);
      }
      if (sessions.length === 0) {
        return { state: "unavailable", reason: `logind: no active local interactive session among ${ids.length} session(s)` };
      }
      const describe = (s: Map<string, string>): string =>
        `session ${s.get("Id") ?? "?"} (${s.get("Type") ?? "?"}, ${s.get("Name") ?? "?"}) LockedHint=${s.get("LockedHint") ?? "?"} IdleHint=${s.get("IdleHint") ?? "?"}`;
      const inUse = sessions.filter((s) => s.get("LockedHint") !== "yes" && s.get("IdleHint") !== "yes");
      if (inUse.length > 0) return { state: "busy", detail: `logind: in use: ${inUse.map(describe).join("; ")}` };
      return { state: "idle", detail: `logind: all locked or idle: ${sessions.map(describe).join("; ")}` };
    },
  };
}
