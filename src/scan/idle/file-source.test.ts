import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fileIdleSource } from "./file-source.js";

const dir = mkdtempSync(join(tmpdir(), "iocscan-idle-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sourceWith(name: string, content?: string) {
  const path = join(dir, name);
  if (content !== undefined) writeFileSync(path, content);
  return fileIdleSource(path);
}

describe("fileIdleSource", () => {
  it("fileIdleSource reads idle and busy, trimmed and in any case", async () => {
    expect(await sourceWith("a", "idle\n").read()).toMatchObject({ state: "idle" });
    expect(await sourceWith("b", "  BUSY \n").read()).toMatchObject({ state: "busy" });
    expect(await sourceWith("c", "Idle").read()).toMatchObject({ state: "idle" });
  });

  it("fileIdleSource takes a missing or empty file as busy and says so", async () => {
    const missing = await sourceWith("never-written").read();
    expect(missing).toMatchObject({ state: "busy" });
    expect(missing.state === "busy" && missing.detail).toMatch(/does not exist/);
    const empty = await sourceWith("empty", " \n").read();
    expect(empty).toMatchObject({ state: "busy" });
    expect(empty.state === "busy" && empty.detail).toMatch(/empty/);
  });

  it("fileIdleSource reports other content and unreadable files as unavailable, with the reason", async () => {
    const typo = sourceWith("typo", "idel");
    expect(await typo.read()).toEqual({ state: "unavailable", reason: expect.stringContaining('not "idel"') as string });
    mkdirSync(join(dir, "folder"));
    const folder = await fileIdleSource(join(dir, "folder")).read();
    expect(folder).toEqual({ state: "unavailable", reason: expect.stringContaining("EISDIR") as string });
  });

  it("fileIdleSource follows the file as it changes", async () => {
    const path = join(dir, "changing");
    const source = fileIdleSource(path);
    writeFileSync(path, "busy");
    expect((await source.read()).state).toBe("busy");
    writeFileSync(path, "idle");
    expect((await source.read()).state).toBe("idle");
  });
});
