import { describe, expect, it } from "vitest";
import { defaultResultsDbPath } from "./default-path.js";

describe("defaultResultsDbPath", () => {
  it("defaultResultsDbPath is under /var/lib/iocscan for root, whatever the environment", () => {
    expect(defaultResultsDbPath({ uid: 0, env: { XDG_STATE_HOME: "/home/x/.state" }, home: "/root" })).toBe("/var/lib/iocscan/results.db");
  });

  it("defaultResultsDbPath follows XDG_STATE_HOME for other users", () => {
    expect(defaultResultsDbPath({ uid: 1000, env: { XDG_STATE_HOME: "/home/ann/.state" }, home: "/home/ann" })).toBe("/home/ann/.state/iocscan/results.db");
  });

  it("defaultResultsDbPath falls back to ~/.local/state when XDG_STATE_HOME is unset or relative", () => {
    const expected = "/home/ann/.local/state/iocscan/results.db";
    expect(defaultResultsDbPath({ uid: 1000, env: {}, home: "/home/ann" })).toBe(expected);
    expect(defaultResultsDbPath({ uid: 1000, env: { XDG_STATE_HOME: "state" }, home: "/home/ann" })).toBe(expected);
  });

  it("defaultResultsDbPath is under IOCSCAN_STATE_DIR when it is absolute, for root too", () => {
    expect(defaultResultsDbPath({ uid: 0, env: { IOCSCAN_STATE_DIR: "/srv/iocscan" }, home: "/root" })).toBe("/srv/iocscan/results.db");
    expect(defaultResultsDbPath({ uid: 1000, env: { IOCSCAN_STATE_DIR: "/srv/iocscan", XDG_STATE_HOME: "/s" }, home: "/home/ann" })).toBe("/srv/iocscan/results.db");
    expect(defaultResultsDbPath({ uid: 0, env: { IOCSCAN_STATE_DIR: "relative" }, home: "/root" })).toBe("/var/lib/iocscan/results.db");
  });
});
