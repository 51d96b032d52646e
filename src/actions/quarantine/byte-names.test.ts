/**
 * A file whose name is not UTF-8, given in memory form (src/shared/path-text.ts), is
 * quarantined and restored through its exact bytes; the entry records the name's text form.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pathFromBytes } from "../../shared/path-text.js";
import { openQuarantine, quarantineFile, restoreEntry, showEntry } from "./index.js";

const work = mkdtempSync(join(tmpdir(), "iocscan-byte-names-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const cause = { iocId: "ioc-1", iocTitle: "Test", scanId: "scan-1" };

describe("quarantine of a file whose name is not UTF-8", () => {
  it("quarantineFile and restoreEntry use the name's exact bytes; originalPath is its text form", async () => {
    const bytes = Buffer.concat([Buffer.from(`${work}/a\\b`), Buffer.from([0xff, 0xfe]), Buffer.from(".exe")]);
    writeFileSync(bytes, "payload");
    const store = await openQuarantine({ dir: join(work, "q"), retention: false });
    const receipt = await quarantineFile(store, pathFromBytes(bytes), cause);
    expect(receipt.status).toBe("done");
    expect(existsSync(bytes)).toBe(false);
    const id = receipt.quarantineId as string;
    expect((await showEntry(store, id))?.meta.originalPath).toBe(`${work}/a\\\\b\\xFF\\xFE.exe`);

    const restored = await restoreEntry(store, id);
    expect(restored.path).toBe(`${work}/a\\\\b\\xFF\\xFE.exe`);
    expect(readFileSync(bytes, "utf8")).toBe("payload");

    // Into a folder: the file keeps its name's bytes.
    mkdirSync(join(work, "inspect"));
    await restoreEntry(store, id, { to: join(work, "inspect/") });
    expect(readFileSync(Buffer.concat([Buffer.from(`${work}/inspect/a\\b`), Buffer.from([0xff, 0xfe]), Buffer.from(".exe")]), "utf8")).toBe("payload");
  });
});
