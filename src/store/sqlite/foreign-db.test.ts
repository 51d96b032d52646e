/**
 * `iocscan results` pointed (--db) at another program's SQLite database: refused, and the file is
 * left exactly as it was (no iocscan tables, no journal mode change). Files are made here.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIocscan } from "../../../test/cli/run-cli.js";

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-foreign-db-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("a results database that is another program's", () => {
  it("iocscan results list refuses another program's SQLite database and leaves it untouched", () => {
    const file = join(work, "customers.db");
    const other = new Database(file);
    other.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('Ada')");
    other.close();
    const before = readFileSync(file);
    const result = runIocscan(["results", "list", "--db", file]);
    expect([result.status, result.stderr]).toEqual([2, `iocscan: Cannot read the results database "${file}": "${file}" is not an iocscan database: it holds other tables ("customers"); it was left untouched\n`]);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});
