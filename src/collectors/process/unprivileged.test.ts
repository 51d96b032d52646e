import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const NOBODY = 65534;
const child = fileURLToPath(new URL("./_test-unprivileged-child.ts", import.meta.url));
const repo = fileURLToPath(new URL("../../..", import.meta.url));
const isRoot = process.getuid?.() === 0;

describe("processCollector as an ordinary user", () => {
  it.skipIf(!isRoot)("processCollector reports another user's process with what is readable and a permission warning", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", child, String(process.pid)], {
      cwd: repo,
      uid: NOBODY,
      gid: NOBODY,
      env: { ...process.env, HOME: "/tmp" },
      encoding: "utf8",
    });
    const result = JSON.parse(out) as {
      record?: { fields: Record<string, unknown> };
      warnings: { code: string; message: string }[];
      ownHandles?: unknown[];
      processesSeen: number;
      records: number;
    };
    // This root-owned test process: pid, name and command line are world-readable; exe and fd are not.
    expect(result.record?.fields).toMatchObject({ pid: process.pid, Username: "root" });
    expect(result.record?.fields["arguments"]).toContain("vitest");
    expect(result.record?.fields["path"]).toBeUndefined();
    expect(result.record?.fields["HandleList/Handle/Name"]).toBeUndefined();
    expect(result.warnings.map((w) => w.code)).toEqual(["permission-denied"]);
    expect(result.warnings[0]?.message).toMatch(/^Cannot read exe, .*fd of process \d+ \("node"\): permission denied$/);
    // Its own process stays fully readable.
    expect(result.ownHandles?.length).toBeGreaterThan(0);
    expect(result.processesSeen).toBe(result.records);
  });
});
