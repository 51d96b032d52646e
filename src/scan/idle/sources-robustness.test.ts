/**
 * Whatever the system tools print, a source answers with a well-formed reading: tools change
 * their output between versions and locales, and a parse surprise must not crash an idle-only scan.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { CommandResult, CommandRunner } from "./command-runner.js";
import { headlessIdleSource } from "./headless-source.js";
import { logindIdleSource } from "./logind-source.js";
import { screensaverIdleSource } from "./screensaver-source.js";
import type { IdleReading } from "./types.js";

const dir = mkdtempSync(join(tmpdir(), "iocscan-idle-robust-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const utmp = join(dir, "utmp");
writeFileSync(utmp, "");

const line = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom("Type=x11", "Class=user", "Active=yes", "LockedHint=yes", "IdleHint=no", "Remote=no", "   boolean true", "2 1000 a seat0 tty2", "alice pts/0 2026-11-28 02:00 00:04 1 (x)"),
);
const output = fc.array(line, { maxLength: 8 }).map((lines) => lines.join("\n"));
const result: fc.Arbitrary<CommandResult> = fc.record({ exitCode: fc.constantFrom(0, 0, 0, 1, null), stdout: output, stderr: output });

function wellFormed(reading: IdleReading): boolean {
  if (reading.state === "unavailable") return typeof reading.reason === "string" && reading.reason.length > 0;
  return (reading.state === "idle" || reading.state === "busy") && typeof reading.detail === "string";
}

describe("idle sources on arbitrary tool output", () => {
  it("logind, screensaver and headless always answer with a well-formed reading", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(result, { minLength: 1, maxLength: 6 }), async (results) => {
        let i = 0;
        const run: CommandRunner = () => Promise.resolve(results[i++ % results.length] ?? { exitCode: null, stdout: "", stderr: "" });
        const sources = [
          logindIdleSource(run),
          screensaverIdleSource({ env: { DBUS_SESSION_BUS_ADDRESS: "unix:path=/x", DISPLAY: ":0" }, run }),
          headlessIdleSource({ run, utmpPaths: [utmp], loadavg: () => [0.1, 0, 0], cpus: 2 }),
        ];
        for (const source of sources) expect(wellFormed(await source.read())).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
