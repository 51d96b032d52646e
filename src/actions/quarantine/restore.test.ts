import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openQuarantine, quarantineFile, restoreEntry, showEntry, type QuarantineStore } from "./index.js";

const cause = { iocId: "ioc-1", iocTitle: "Test IOC", scanId: "scan-1" };
let work: string;
let store: QuarantineStore;
let id: string;
let original: string;

beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), "iocscan-restore-"));
  store = await openQuarantine({ dir: join(work, "q"), retention: false });
  original = join(work, "site", "shell.php");
  mkdirSync(join(work, "site"));
  writeFileSync(original, "<?php system($_GET['c']); ?>");
  id = (await quarantineFile(store, original, cause)).quarantineId ?? "";
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("restoreEntry", () => {
  it("restoreEntry never overwrites an existing file without force, and replaces it with force", async () => {
    writeFileSync(original, "a new file that took its place");
    await expect(restoreEntry(store, id)).rejects.toThrow(`Cannot restore to "${original}": a file is already there (use --force to replace it)`);
    expect(readFileSync(original, "utf8")).toBe("a new file that took its place");
    expect(await restoreEntry(store, id, { force: true })).toMatchObject({ path: original, replaced: true });
    expect(readFileSync(original, "utf8")).toBe("<?php system($_GET['c']); ?>");
    expect(readdirSync(join(work, "site"))).toEqual(["shell.php"]);
  });

  it("restoreEntry refuses relative paths, .. segments and symbolic links among the destination's folders", async () => {
    const outside = join(work, "outside");
    mkdirSync(outside);
    symlinkSync(outside, join(work, "link"));
    await expect(restoreEntry(store, id, { to: "relative/x.php" })).rejects.toThrow(/not an absolute path/);
    await expect(restoreEntry(store, id, { to: `${work}/site/../outside/x.php` })).rejects.toThrow(/contains a "\.\." segment/);
    await expect(restoreEntry(store, id, { to: join(work, "link", "x.php") })).rejects.toThrow(`"${join(work, "link")}" is a symbolic link`);
    await expect(restoreEntry(store, id, { to: join(work, "link", "deeper", "x.php") })).rejects.toThrow(/is a symbolic link/);
    await expect(restoreEntry(store, id, { to: join(work, "link") })).rejects.toThrow(/is a symbolic link/);
    expect(readdirSync(outside)).toEqual([]);
    await expect(restoreEntry(store, "../../etc/passwd")).rejects.toThrow(/no such quarantine entry/);
  });

  it("restoreEntry --to a folder restores under the original name, creating missing folders", async () => {
    const into = join(work, "inspect", "today");
    const result = await restoreEntry(store, id, { to: `${into}/` });
    expect(result.path).toBe(join(into, "shell.php"));
    expect(readFileSync(result.path, "utf8")).toBe("<?php system($_GET['c']); ?>");
    await expect(restoreEntry(store, id, { to: into })).rejects.toThrow(/a file is already there/);
    const again = await restoreEntry(store, id, { to: into, force: true });
    expect(again.path).toBe(join(into, "shell.php"));
    expect(again.replaced).toBe(true);
  });

  it("restoreEntry to another file name leaves the original path alone and marks the entry restored", async () => {
    const to = join(work, "copy.txt");
    await restoreEntry(store, id, { to });
    expect(readFileSync(to, "utf8")).toBe("<?php system($_GET['c']); ?>");
    expect(readdirSync(join(work, "site"))).toEqual([]);
    expect((await showEntry(store, id))?.restored.map((mark) => mark.to)).toEqual([to]);
  });
});
