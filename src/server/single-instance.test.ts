import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { claimSqliteDatabase, DatabaseInUseError } from "./single-instance.js";

const work = mkdtempSync(join(tmpdir(), "iocscan-single-instance-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function database(name: string): string {
  const file = join(work, name);
  writeFileSync(file, "");
  return file;
}

describe("claimSqliteDatabase", () => {
  it("records this process and refuses a second claim while it holds the file; release frees it", () => {
    const db = database("a.db");
    const release = claimSqliteDatabase(db);
    expect(JSON.parse(readFileSync(`${db}.lock`, "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => claimSqliteDatabase(db)).toThrow(DatabaseInUseError);
    expect(() => claimSqliteDatabase(db)).toThrow(`The SQLite database "${db}" is in use by iocscan server pid ${process.pid}`);
    release();
    claimSqliteDatabase(db)();
  });

  it("takes over the lock of a pid that no longer runs", () => {
    const db = database("b.db");
    // Pids stay far below 2^22 on Linux: this one does not run.
    writeFileSync(`${db}.lock`, JSON.stringify({ pid: 4_194_999, host: hostname(), since: "2026-01-01T00:00:00Z" }));
    const release = claimSqliteDatabase(db);
    expect(JSON.parse(readFileSync(`${db}.lock`, "utf8"))).toMatchObject({ pid: process.pid });
    release();
  });

  it.skipIf(process.platform !== "linux")("takes over the lock of a reused pid (a running process that started at another time)", () => {
    const db = database("c.db");
    writeFileSync(`${db}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), startTime: "1", since: "2026-01-01T00:00:00Z" }));
    claimSqliteDatabase(db)();
  });

  it("refuses a lock held from another host, naming it and the file to delete", () => {
    const db = database("d.db");
    writeFileSync(`${db}.lock`, JSON.stringify({ pid: 4_194_999, host: "elsewhere", since: "2026-01-01T00:00:00Z" }));
    expect(() => claimSqliteDatabase(db)).toThrow(`pid 4194999 on host "elsewhere"`);
    expect(() => claimSqliteDatabase(db)).toThrow(`delete "${db}.lock"`);
  });
});
