/**
 * The test suite every `ResultsStore` driver must pass, on a real database (SQLite now, a real
 * PostgreSQL later; issue 7). A driver's test file calls `runStoreConformance` once.
 *
 * @module
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ResultsStore, StoreOptions } from "./store.js";
import { makeTestReport } from "./test-report.js";

/** Opens a store on `database`, a name `newDatabase` returned (a file path, a schema, a URL). */
export type OpenStore = (database: string, options?: StoreOptions) => Promise<ResultsStore>;

const NOW = new Date("2026-11-28T12:00:00.000Z");
const clock = (): Date => NOW;
const daysAgo = (days: number): string => new Date(NOW.getTime() - days * 86_400_000).toISOString();

/**
 * Defines the conformance tests for a driver. `newDatabase` must give an empty database each
 * time; `openStore` may be called on it several times (reopening, two stores at once).
 */
export function runStoreConformance(openStore: OpenStore, newDatabase: () => string | Promise<string>): void {
  const opened: ResultsStore[] = [];
  const open = async (database: string, options: StoreOptions = {}): Promise<ResultsStore> => {
    const store = await openStore(database, { now: clock, ...options });
    opened.push(store);
    return store;
  };
  const fresh = async (options: StoreOptions = {}): Promise<ResultsStore> => open(await newDatabase(), options);

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  describe("ResultsStore conformance", () => {
    it("getScan returns the saved report exactly", async () => {
      const store = await fresh();
      const report = makeTestReport("scan-1", { startedAt: daysAgo(1), detections: 4, warnings: 2, snapshotFile: "/srv/web-1.json" });
      await store.saveScan(report);
      expect(await store.getScan("scan-1")).toStrictEqual(report);
      expect(await store.getScan("no-such-scan")).toBeUndefined();
    });

    it("listScans summarises each scan, with the status derived or given", async () => {
      const store = await fresh();
      const { summary } = await store.saveScan(makeTestReport("live", { startedAt: "2026-11-28T01:02:03+01:00", detections: 3 }));
      await store.saveScan(makeTestReport("snap", { startedAt: daysAgo(2), warnings: 1, snapshotFile: "/srv/s.json", detections: 0 }));
      await store.saveScan(makeTestReport("aborted", { startedAt: daysAgo(3) }), { status: "failed" });
      const list = await store.listScans();
      expect(list[0]).toStrictEqual(summary);
      expect(await store.getSummary("aborted")).toStrictEqual(list[2]);
      expect(await store.getSummary("no-such-scan")).toBeUndefined();
      expect(list).toStrictEqual([
        {
          id: "live",
          host: "web-1.example.internal",
          startedAt: "2026-11-28T00:02:03.000Z",
          finishedAt: "2026-11-28T00:03:08.000Z",
          source: { kind: "live" },
          iocCount: 2,
          detectionCount: 3,
          warningCount: 0,
          status: "finished",
        },
        expect.objectContaining({ id: "snap", source: { kind: "snapshot", file: "/srv/s.json" }, detectionCount: 0, warningCount: 1, status: "finished-with-warnings" }),
        expect.objectContaining({ id: "aborted", status: "failed" }),
      ]);
    });

    it("saveScan keeps one copy per scanId, the last one saved", async () => {
      const store = await fresh();
      await store.saveScan(makeTestReport("same", { startedAt: daysAgo(1), detections: 2 }));
      await store.saveScan(makeTestReport("same", { startedAt: daysAgo(1), detections: 2 }));
      expect((await store.listScans()).map((s) => s.id)).toEqual(["same"]);
      expect(await store.findDetections({ iocId: "ioc-1" })).toHaveLength(2);

      const changed = makeTestReport("same", { startedAt: daysAgo(1), detections: 1 });
      await store.saveScan(changed);
      expect(await store.getScan("same")).toStrictEqual(changed);
      expect(await store.findDetections({ iocId: "ioc-1" })).toEqual([]);
      expect(await store.findDetections({ iocId: "ioc-0" })).toHaveLength(2);
    });

    it("saveScan refuses a report whose times are not dates and stores nothing", async () => {
      const store = await fresh();
      const bad = { ...makeTestReport("bad"), startedAt: "yesterday-ish" };
      await expect(store.saveScan(bad)).rejects.toThrow(RangeError);
      expect(await store.listScans()).toEqual([]);
    });

    it("saveScan that fails part-way leaves the earlier copy as it was", async () => {
      const store = await fresh();
      const first = makeTestReport("partial", { startedAt: daysAgo(1), detections: 3 });
      await store.saveScan(first);
      const broken = makeTestReport("partial", { startedAt: daysAgo(1), detections: 800 });
      // A NOT NULL column left null in the second insert chunk: the failure comes after the
      // scans row and the first detections were written, and must undo them.
      (broken.detections[700] as { iocTitle: unknown }).iocTitle = null;
      await expect(store.saveScan(broken)).rejects.toThrow();
      expect(await store.getScan("partial")).toStrictEqual(first);
      expect(await store.findDetections({ iocId: "ioc-10" })).toEqual([]);
      expect(await store.findDetections({ iocId: "ioc-2" })).toHaveLength(2);
    });

    it("listScans pages newest first without gaps or repeats, and filters by since", async () => {
      const store = await fresh();
      // Pairs of scans share a start time, so the order must not depend on time alone.
      for (let i = 0; i < 25; i++) await store.saveScan(makeTestReport(`scan-${String(i).padStart(2, "0")}`, { startedAt: daysAgo(20 - Math.floor(i / 2)), detections: 0 }));
      const pages = [];
      for (let offset = 0; offset < 30; offset += 10) pages.push(await store.listScans({ limit: 10, offset }));
      expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
      const ids = pages.flat().map((s) => s.id);
      expect(new Set(ids).size).toBe(25);
      const starts = pages.flat().map((s) => s.startedAt);
      expect(starts).toEqual([...starts].sort().reverse());
      expect(await store.listScans({ offset: 25 })).toEqual([]);
      expect(await store.listScans({ since: daysAgo(9), limit: 100 })).toHaveLength(3);
      await expect(store.listScans({ limit: 0 })).rejects.toThrow(RangeError);
    });

    it("deleteScan removes the scan and its detections", async () => {
      const store = await fresh();
      await store.saveScan(makeTestReport("gone", { startedAt: daysAgo(1) }));
      await store.saveScan(makeTestReport("kept", { startedAt: daysAgo(1) }));
      expect(await store.deleteScan("gone")).toBe(true);
      expect(await store.deleteScan("gone")).toBe(false);
      expect(await store.getScan("gone")).toBeUndefined();
      expect((await store.findDetections({ iocId: "ioc-0" })).map((d) => d.scanId)).toEqual(["kept", "kept"]);
    });

    it("findDetections tells which hosts had an IOC, one row per object", async () => {
      const store = await fresh();
      await store.saveScan(makeTestReport("a", { startedAt: daysAgo(2), hostname: "alpha" }));
      const report = makeTestReport("b", { startedAt: daysAgo(1), hostname: "beta" });
      report.detections[1]?.objects.splice(0);
      await store.saveScan(report);
      expect(await store.findDetections({ iocId: "ioc-1" })).toStrictEqual([
        { scanId: "b", host: "beta", startedAt: daysAgo(1), iocId: "ioc-1", iocTitle: "IOC number 1 «ünïcode»", document: null, objectId: null, actionable: false },
        { scanId: "a", host: "alpha", startedAt: daysAgo(2), iocId: "ioc-1", iocTitle: "IOC number 1 «ünïcode»", document: "FileItem", objectId: "/tmp/.cache/evil-1", actionable: true },
        { scanId: "a", host: "alpha", startedAt: daysAgo(2), iocId: "ioc-1", iocTitle: "IOC number 1 «ünïcode»", document: "ProcessItem", objectId: "4001", actionable: false },
      ]);
    });

    it("saveScan deletes scans older than the retention, and only those", async () => {
      const store = await fresh({ retentionDays: 30 });
      for (const [id, age] of [["d40", 40], ["d31", 31], ["d29", 29]] as const) {
        await store.saveScan(makeTestReport(id, { startedAt: daysAgo(age) }), { retentionDays: 0 });
      }
      expect(await store.listScans()).toHaveLength(3);
      const { purged } = await store.saveScan(makeTestReport("today", { startedAt: daysAgo(0) }));
      expect(purged).toBe(2);
      expect((await store.listScans()).map((s) => s.id)).toEqual(["today", "d29"]);
      expect(await store.findDetections({ iocId: "ioc-0" })).toHaveLength(4);
    });

    it("purgeOlderThan deletes the oldest scans first", async () => {
      const store = await fresh({ retentionDays: 0 });
      for (const age of [50, 70, 60, 40, 10]) await store.saveScan(makeTestReport(`d${age}`, { startedAt: daysAgo(age) }));
      expect(await store.purgeOlderThan(daysAgo(30), { limit: 2 })).toBe(2);
      expect((await store.listScans()).map((s) => s.id)).toEqual(["d10", "d40", "d50"]);
      expect(await store.purgeOlderThan(new Date(daysAgo(30)))).toBe(2);
      expect((await store.listScans()).map((s) => s.id)).toEqual(["d10"]);
      expect(await store.purgeOlderThan(daysAgo(30))).toBe(0);
    });

    it("a store with retention 0 keeps every scan", async () => {
      const store = await fresh({ retentionDays: 0 });
      await store.saveScan(makeTestReport("ancient", { startedAt: "2001-01-01T00:00:00Z" }));
      await store.saveScan(makeTestReport("new", { startedAt: daysAgo(0) }));
      expect(await store.listScans()).toHaveLength(2);
    });

    it("reopening a database keeps its scans and migrates nothing again", async () => {
      const database = await newDatabase();
      const first = await open(database);
      await first.saveScan(makeTestReport("before", { startedAt: daysAgo(1) }));
      await first.close();
      const second = await open(database);
      expect(await second.getScan("before")).toStrictEqual(makeTestReport("before", { startedAt: daysAgo(1) }));
      await second.saveScan(makeTestReport("after", { startedAt: daysAgo(0) }));
      expect((await second.listScans()).map((s) => s.id)).toEqual(["after", "before"]);
    });

    it("two stores on one database write at the same time and see each other's scans", async () => {
      const database = await newDatabase();
      const [a, b] = await Promise.all([open(database), open(database)]);
      const saves = [];
      for (let i = 0; i < 20; i++) {
        const store = i % 2 === 0 ? a : b;
        saves.push(store.saveScan(makeTestReport(`s${i}`, { startedAt: daysAgo(i % 5), detections: 50 })));
      }
      // The same scan from both at once must still end as one copy.
      saves.push(a.saveScan(makeTestReport("s0", { startedAt: daysAgo(0), detections: 50 })));
      await Promise.all([...saves, a.listScans(), b.getScan("s1"), b.deleteScan("absent")]);
      expect(await a.listScans({ limit: 100 })).toHaveLength(20);
      expect(await b.listScans({ limit: 100 })).toHaveLength(20);
      expect(await b.findDetections({ iocId: "ioc-7", limit: 1000 })).toHaveLength(40);
      await Promise.all([a.deleteScan("s0"), b.deleteScan("s1"), a.purgeOlderThan(daysAgo(3))]);
      expect(await b.listScans({ limit: 100 })).toHaveLength(14);
    });

    it("a report with 10,000 detections is saved, read back and deleted", async () => {
      const store = await fresh();
      const report = makeTestReport("big", { startedAt: daysAgo(1), detections: 10_000 });
      const { summary } = await store.saveScan(report);
      expect(summary.detectionCount).toBe(10_000);
      expect(await store.getScan("big")).toStrictEqual(report);
      const rows = await store.findDetections({ iocId: "ioc-9999" });
      expect(rows.map((r) => r.objectId)).toEqual(["/tmp/.cache/evil-9999", "13999"]);
      await store.saveScan(report);
      expect(await store.findDetections({ iocId: "ioc-5000" })).toHaveLength(2);
      expect(await store.deleteScan("big")).toBe(true);
      expect(await store.findDetections({ iocId: "ioc-5000" })).toEqual([]);
    });
  });
}
