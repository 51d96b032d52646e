import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { runFleetConformance } from "./conformance.js";
import { openSqliteFleetStore } from "./sqlite.js";

const work = mkdtempSync(join(tmpdir(), "iocscan-fleet-"));
let counter = 0;
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

runFleetConformance((file, options) => openSqliteFleetStore(file, options), () => Promise.resolve(join(work, `db-${++counter}`, "fleet.db")));
