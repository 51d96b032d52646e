/**
 * The action journal makes a resumed response act once per object: receipts journaled before an
 * interruption are reused; a file quarantined but not yet journaled (a crash in between) is found
 * in the quarantine store by scan and path instead of being acted on again.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listEntries, openQuarantine, quarantineFile } from "../../actions/quarantine/index.js";
import { createHostView } from "../../collectors/host-view.js";
import type { ScanReport } from "../../core/report/index.js";
import { createQuarantineResponder } from "../quarantine-response.js";
import { openActionJournal } from "./action-journal.js";

const work = mkdtempSync(join(tmpdir(), "iocscan-journal-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function reportFor(scanId: string, paths: readonly string[]): ScanReport {
  return {
    format: "iocscan-report",
    version: 1,
    scanId,
    host: { hostname: "", os: "", root: "/" },
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    iocs: [],
    detections: [{ iocId: "i", iocFile: "f.ioc", iocTitle: "T", matchedItems: ["m"], objects: paths.map((id) => ({ document: "FileItem", id, fields: {}, actionable: true })), actions: [] }],
    stats: {},
    warnings: [],
  };
}

describe("action journal", () => {
  it("keeps receipts across reopening and survives a torn last line", async () => {
    const file = join(work, "torn.jsonl");
    const journal = await openActionJournal(file);
    await journal.record("FileItem /a", [{ type: "quarantine", status: "done", detail: "x", quarantineId: "q1" }]);
    await journal.close();
    appendFileSync(file, '{"key":"FileItem /b","rece');
    const again = await openActionJournal(file);
    expect(again.get("FileItem /a")?.[0]?.quarantineId).toBe("q1");
    expect(again.get("FileItem /b")).toBeUndefined();
    await again.record("FileItem /c", []);
    await again.close();
    expect((await openActionJournal(file)).get("FileItem /c")).toEqual([]);
  });

  it("a resumed response reuses journaled receipts and finds unjournaled quarantines in the store", async () => {
    const tree = mkdtempSync(join(work, "tree-"));
    const storeDir = join(work, "store");
    const paths = ["one", "two", "three"].map((n) => join(tree, n));
    for (const p of paths) writeFileSync(p, `content ${p}`);
    const scanId = "scan-resumed-1";
    const store = await openQuarantine({ dir: storeDir });
    // Before the crash: "one" quarantined and journaled, "two" quarantined only.
    const journalFile = join(work, "resp.jsonl");
    const journal = await openActionJournal(journalFile);
    const first = await quarantineFile(store, paths[0] as string, { scanId, iocId: "i", iocTitle: "T" });
    await journal.record(`FileItem ${paths[0]}`, [{ ...first, objectId: paths[0] as string }]);
    await quarantineFile(store, paths[1] as string, { scanId, iocId: "i", iocTitle: "T" });

    await journal.close();
    // The resumed scan opens the journal again.
    const resumed = await openActionJournal(journalFile);
    expect(resumed.resumed).toBe(true);
    const respond = await createQuarantineResponder({ host: createHostView("/"), quarantineDir: storeDir });
    const report = reportFor(scanId, paths);
    await respond(report, [tree], resumed);
    await resumed.close();
    const actions = report.detections[0]?.actions ?? [];
    expect(actions.map((a) => [a.objectId, a.status])).toEqual(paths.map((p) => [p, "done"]));
    expect(actions[0]?.quarantineId).toBe(first.quarantineId);
    expect(actions[1]?.detail).toMatch(/before the scan was interrupted/);
    const entries = await listEntries(store);
    expect(entries.map((e) => e.meta.originalPath).sort()).toEqual([...paths].sort());
    for (const p of paths) expect(existsSync(p)).toBe(false);
  });
});
