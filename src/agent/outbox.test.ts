import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";
import { CredentialRevokedError, ServerRefusedError, ServerUnreachableError } from "./http-client.js";
import { Outbox, type OutboxEntry } from "./outbox.js";

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "iocscan-outbox-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const result = (id: string, queuedAt: string): OutboxEntry => ({
  kind: "run-result",
  id,
  queuedAt,
  body: { state: "finished", startedAt: queuedAt, finishedAt: queuedAt, report: { detections: [] } },
});

describe("Outbox", () => {
  it("Outbox.put() keeps entries on disk, and a new Outbox over the same folder lists them oldest first", async () => {
    const outbox = new Outbox(join(dir, "outbox"), join(dir, "rejected"));
    await outbox.put(result("run-b", "2026-11-28T00:00:02.000Z"));
    await outbox.put(result("run-a", "2026-11-28T00:00:01.000Z"));
    const reopened = new Outbox(join(dir, "outbox"), join(dir, "rejected"));
    expect((await reopened.entries()).map((e) => e.id)).toEqual(["run-a", "run-b"]);
    expect(reopened.size).toBe(2);
    expect(await reopened.has("run-result", "run-a")).toBe(true);
    expect(await reopened.has("command-result", "run-a")).toBe(false);
  });

  it("Outbox.deliver() retries unreachable and 5xx, sets aside 4xx, removes what was acknowledged", async () => {
    const outbox = new Outbox(join(dir, "outbox"), join(dir, "rejected"));
    await outbox.put(result("run-ok", "2026-11-28T00:00:01.000Z"));
    await outbox.put(result("run-400", "2026-11-28T00:00:02.000Z"));
    const failures = [new ServerUnreachableError("down"), new ServerRefusedError("busy", 503)];
    const sent: string[] = [];
    const delivered: string[] = [];
    const controller = new AbortController();
    const errors: [string, boolean][] = [];
    await outbox.deliver({
      send: async (entry) => {
        await Promise.resolve();
        const failure = entry.id === "run-ok" ? failures.shift() : undefined;
        if (failure) throw failure;
        if (entry.id === "run-400") throw new ServerRefusedError("bad", 400);
        sent.push(entry.id);
      },
      onDelivered: async (entry) => {
        await Promise.resolve();
        delivered.push(entry.id);
      },
      onError: (entry, _error, willRetry) => {
        errors.push([entry.id, willRetry]);
        // run-400 comes after run-ok: once it is set aside, everything was handled.
        if (!willRetry) controller.abort();
      },
      backoff: { baseMs: 5, maxMs: 20 },
      signal: controller.signal,
    });
    expect(sent).toEqual(["run-ok"]);
    expect(delivered).toEqual(["run-ok"]);
    expect(errors).toEqual([
      ["run-ok", true],
      ["run-ok", true],
      ["run-400", false],
    ]);
    expect(await outbox.entries()).toEqual([]);
    expect(readdirSync(join(dir, "rejected"))).toHaveLength(1);
  });

  it("Outbox.deliver() rejects with CredentialRevokedError and keeps the entry", async () => {
    const outbox = new Outbox(join(dir, "outbox"), join(dir, "rejected"));
    await outbox.put(result("run-1", "2026-11-28T00:00:01.000Z"));
    const signal = new AbortController().signal;
    await expect(
      outbox.deliver({
        send: () => Promise.reject(new CredentialRevokedError("revoked", 401)),
        signal,
      }),
    ).rejects.toBeInstanceOf(CredentialRevokedError);
    expect(await outbox.has("run-result", "run-1")).toBe(true);
    expect(existsSync(join(dir, "rejected"))).toBe(false);
  });
});

describe("backoffDelay", () => {
  it("backoffDelay() grows exponentially between half and all of its ceiling, capped at maxMs", () => {
    const options = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(0, options, () => 0)).toBe(50);
    expect(backoffDelay(0, options, () => 1)).toBe(100);
    expect(backoffDelay(2, options, () => 0.5)).toBe(300);
    expect(backoffDelay(50, options, () => 1)).toBe(1000);
    expect(backoffDelay(50, options, () => 0)).toBe(500);
  });
});
