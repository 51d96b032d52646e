import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runStoreConformance } from "../conformance.js";
import { RESULTS_MIGRATIONS } from "../migrations.js";
import { makeTestReport } from "../test-report.js";
import { openSqliteStore } from "./driver.js";

let work: string;
let counter = 0;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-store-"));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const newDatabase = (): string => join(work, `db-${++counter}`, "results.db");

runStoreConformance(openSqliteStore, newDatabase);

const tsxLoader = new URL("../../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
const driverUrl = new URL("./driver.ts", import.meta.url).href;
const reportUrl = new URL("../test-report.ts", import.meta.url).href;

/** Saves `count` scans named `<prefix>-<n>` from another process; resolves to its exit status. */
function saveInChildProcess(file: string, prefix: string, count: number, startedAt: string): Promise<number | null> {
  const script = `
    const { openSqliteStore } = await import(${JSON.stringify(driverUrl)});
    const { makeTestReport } = await import(${JSON.stringify(reportUrl)});
    const store = await openSqliteStore(${JSON.stringify(file)});
    for (let i = 0; i < ${count}; i++) {
      await store.saveScan(makeTestReport(${JSON.stringify(prefix)} + "-" + i, { startedAt: ${JSON.stringify(startedAt)}, detections: 200 }));
    }
    await store.close();`;
  const child = spawn(process.execPath, ["--import", tsxLoader, "--input-type=module", "-e", script], { stdio: ["ignore", "ignore", "inherit"] });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => resolve(code));
  });
}

const mode = (path: string): number => statSync(path).mode & 0o777;

describe("openSqliteStore", () => {
  it("openSqliteStore creates the folder 0700 and the database 0600, in WAL mode", async () => {
    const file = join(work, "fresh", "nested", "results.db");
    const store = await openSqliteStore(file);
    try {
      await store.saveScan(makeTestReport("one", { startedAt: new Date().toISOString() }));
      expect(mode(join(work, "fresh", "nested"))).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      expect(mode(`${file}-wal`)).toBe(0o600);
      const raw = new Database(file, { readonly: true });
      expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
      raw.close();
    } finally {
      await store.close();
    }
  });

  it("openSqliteStore leaves the mode of an existing folder alone", async () => {
    const folder = join(work, "existing");
    mkdirSync(folder, { mode: 0o755 });
    const store = await openSqliteStore(join(folder, "results.db"));
    await store.close();
    expect(mode(folder)).toBe(0o755);
  });

  it("openSqliteStore runs each migration once however often the file is opened", async () => {
    const file = newDatabase();
    for (let i = 0; i < 3; i++) await (await openSqliteStore(file)).close();
    const raw = new Database(file, { readonly: true });
    const names = raw.prepare("select name from kysely_migration order by name").pluck().all();
    raw.close();
    expect(names).toEqual(Object.keys(RESULTS_MIGRATIONS));
  });

  it("openSqliteStore migrates a database whose migration table lacks a migration", async () => {
    const file = newDatabase();
    mkdirSync(join(file, ".."), { recursive: true });
    const raw = new Database(file);
    // What Kysely creates before the first migration runs: the table, no row.
    raw.exec('create table "kysely_migration" ("name" varchar(255) not null primary key, "timestamp" varchar(255) not null)');
    raw.close();
    const store = await openSqliteStore(file);
    await store.saveScan(makeTestReport("after-migration"));
    expect((await store.getScan("after-migration"))?.scanId).toBe("after-migration");
    await store.close();
  });

  it("openSqliteStore shares one write queue between names of the same file", async () => {
    const file = newDatabase();
    const first = await openSqliteStore(file);
    const link = join(work, `link-${counter}.db`);
    symlinkSync(file, link);
    const second = await openSqliteStore(link);
    try {
      const started = new Date().toISOString();
      await Promise.all([
        first.saveScan(makeTestReport("x", { startedAt: started, detections: 600 })),
        second.saveScan(makeTestReport("y", { startedAt: started, detections: 600 })),
      ]);
      expect((await first.listScans()).map((s) => s.id).sort()).toEqual(["x", "y"]);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("openSqliteStore lets another process write to the same file at the same time", async () => {
    const file = newDatabase();
    const store = await openSqliteStore(file);
    try {
      const started = new Date().toISOString();
      let exited = false;
      const child = saveInChildProcess(file, "other", 20, started).finally(() => {
        exited = true;
      });
      // Start once the child is writing, so that the two overlap (its start-up takes a while).
      while (!exited && (await store.listScans()).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      for (let i = 0; i < 20; i++) await store.saveScan(makeTestReport(`mine-${i}`, { startedAt: started, detections: 200 }));
      expect(await child).toBe(0);
      const ids = (await store.listScans({ limit: 100 })).map((s) => s.id);
      expect(ids).toHaveLength(40);
      expect(ids.filter((id) => id.startsWith("other-"))).toHaveLength(20);
    } finally {
      await store.close();
    }
  });

  it("openSqliteStore refuses a file that is not a database", async () => {
    const folder = join(work, "not-a-db");
    mkdirSync(folder);
    const file = join(folder, "results.db");
    writeFileSync(file, "this is not SQLite, just a text file that is long enough to have a header....");
    await expect(openSqliteStore(file)).rejects.toThrow();
  });
});
