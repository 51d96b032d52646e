import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeFolderSync } from "./make-folder.js";

const root = mkdtempSync(join(tmpdir(), "iocscan-make-folder-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("makeFolderSync", () => {
  it("makes the missing folders with the mode asked and returns the highest it made", () => {
    const wanted = join(root, "a/b/c");
    expect(makeFolderSync(wanted, 0o700)).toBe(join(root, "a"));
    for (const folder of ["a", "a/b", "a/b/c"]) expect(statSync(join(root, folder)).mode & 0o777).toBe(0o700);
    // There already: nothing made.
    expect(makeFolderSync(wanted, 0o700)).toBeUndefined();
    expect(makeFolderSync(join(root, "a/b/d"))).toBe(join(root, "a/b/d"));
  });

  it("fails at once below a dangling link, naming it", () => {
    symlinkSync(join(root, "not-mounted"), join(root, "dangling"));
    expect(() => makeFolderSync(join(root, "dangling/cache/x"))).toThrow(/EEXIST.*dangling/);
    expect(() => makeFolderSync(join(root, "dangling"))).toThrow(/EEXIST/);
  });

  it("fails at once in /proc, which answers ENOENT for a folder it cannot hold (node's recursive mkdir never returns)", () => {
    expect(() => makeFolderSync("/proc/iocscan-no-such-folder/cache")).toThrow(/ENOENT|EACCES|EPERM/);
  });

  it("says EEXIST for a file where the folder should be and ENOTDIR for one on its way", () => {
    writeFileSync(join(root, "file"), "x");
    expect(() => makeFolderSync(join(root, "file"))).toThrow(/EEXIST/);
    expect(() => makeFolderSync(join(root, "file/sub"))).toThrow(/ENOTDIR/);
  });

  it.skipIf(process.getuid?.() === 0)("reports a folder it may not write in", () => {
    mkdirSync(join(root, "locked"));
    chmodSync(join(root, "locked"), 0o500);
    expect(() => makeFolderSync(join(root, "locked/sub"))).toThrow(/EACCES/);
  });
});
