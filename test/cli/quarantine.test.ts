import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openQuarantine, quarantineFile, type QuarantineEntry } from "../../src/actions/quarantine/index.js";
import { runIocscan } from "./run-cli.js";

let work: string;
let dir: string;
const ids: string[] = [];
const paths: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "iocscan-cli-quarantine-"));
  dir = join(work, "q");
  const store = await openQuarantine({ dir, retention: false });
  for (const [name, content] of [["first.sh", "#!/bin/sh\necho first\n"], ["second.bin", "second payload"]] as const) {
    const path = join(work, name);
    writeFileSync(path, content);
    chmodSync(path, 0o750);
    paths.push(path);
    const receipt = await quarantineFile(store, path, { iocId: `ioc-${name}`, iocTitle: `Title of ${name}`, scanId: "scan-cli" });
    ids.push(receipt.quarantineId ?? "");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

// Each test starts the real CLI several times (about a second each, more on a loaded machine).
describe("iocscan quarantine", { timeout: 120_000 }, () => {
  it("iocscan quarantine list prints a table, oldest first, and --json the entries", () => {
    const result = runIocscan(["quarantine", "list", "--quarantine", dir]);
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+QUARANTINED \(UTC\)\s+SIZE\s+STATE\s+IOC\s+ORIGINAL PATH$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/).filter((_, i) => i !== 1))).toEqual([
      [ids[0], "21", "quarantined", "Title of first.sh", paths[0]],
      [ids[1], "14", "quarantined", "Title of second.bin", paths[1]],
    ]);
    const json = runIocscan(["quarantine", "list", "--quarantine", dir, "--json"]);
    expect((JSON.parse(json.stdout) as QuarantineEntry[]).map((e) => e.meta.id)).toEqual(ids);
  });

  it("iocscan quarantine list of a store that does not exist says it is empty and creates nothing", () => {
    const missing = join(work, "none");
    const result = runIocscan(["quarantine", "list", "--quarantine", missing]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("The quarantine is empty.\n");
    expect(existsSync(missing)).toBe(false);
  });

  it("iocscan quarantine show prints the entry; an unknown id exits 2", () => {
    const result = runIocscan(["quarantine", "show", ids[0] ?? "", "--quarantine", dir]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Entry ${ids[0]}`);
    expect(result.stdout).toContain(`original path   ${paths[0]}`);
    expect(result.stdout).toContain("mode            0750");
    expect(result.stdout).toContain("IOC             Title of first.sh (ioc-first.sh)");
    const json = runIocscan(["quarantine", "show", ids[0] ?? "", "--quarantine", dir, "--json"]);
    expect((JSON.parse(json.stdout) as QuarantineEntry).meta.originalPath).toBe(paths[0]);
    const unknown = runIocscan(["quarantine", "show", "0123456789abcdef", "--quarantine", dir]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe('iocscan: no quarantine entry "0123456789abcdef"\n');
  });

  it("iocscan quarantine restore recreates the file, refuses to overwrite without --force, and list shows it restored", () => {
    const restored = runIocscan(["quarantine", "restore", ids[0] ?? "", "--quarantine", dir]);
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(new RegExp(`^Restored ${ids[0]} to ${paths[0]} \\(21 bytes, SHA-256 [0-9a-f]{64} verified`));
    expect(readFileSync(paths[0] ?? "", "utf8")).toBe("#!/bin/sh\necho first\n");
    expect(statSync(paths[0] ?? "").mode & 0o777).toBe(0o750);

    const again = runIocscan(["quarantine", "restore", ids[0] ?? "", "--quarantine", dir]);
    expect(again.status).toBe(2);
    expect(again.stderr).toBe(`iocscan: Cannot restore to "${paths[0]}": a file is already there (use --force to replace it)\n`);
    expect(runIocscan(["quarantine", "restore", ids[0] ?? "", "--force", "--quarantine", dir]).status).toBe(0);

    const escape = runIocscan(["quarantine", "restore", ids[1] ?? "", "--to", `${work}/x/../../etc/passwd`, "--quarantine", dir]);
    expect(escape.status).toBe(2);
    expect(escape.stderr).toContain('contains a ".." segment');
    const relative = runIocscan(["quarantine", "restore", ids[1] ?? "", "--to", "here.bin", "--quarantine", dir]);
    expect(relative.status).toBe(2);
    expect(relative.stderr).toContain("not an absolute path");

    const list = runIocscan(["quarantine", "list", "--quarantine", dir]);
    expect(list.stdout.split("\n").find((line) => line.startsWith(ids[0] ?? "-"))).toContain("restored");
  });

  it("iocscan quarantine delete and purge remove entries", () => {
    expect(runIocscan(["quarantine", "delete", ids[0] ?? "", "--quarantine", dir]).stdout).toBe(`Deleted ${ids[0]}\n`);
    const gone = runIocscan(["quarantine", "delete", ids[0] ?? "", "--quarantine", dir]);
    expect(gone.status).toBe(2);
    expect(gone.stderr).toBe(`iocscan: no quarantine entry "${ids[0]}"\n`);
    const bad = runIocscan(["quarantine", "purge", "--older-than", "-1", "--quarantine", dir]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("expected a number of days, 0 or more");
    const kept = runIocscan(["quarantine", "purge", "--quarantine", dir]);
    expect(kept.stdout).toBe("Removed 0 entries (0 bytes)\n");
    const purged = runIocscan(["quarantine", "purge", "--max-size", "0", "--quarantine", dir]);
    expect(purged.status).toBe(0);
    expect(purged.stdout).toMatch(/^Removed 1 entry \(\d+ bytes\)\n$/);
    expect(runIocscan(["quarantine", "list", "--quarantine", dir]).stdout).toBe("The quarantine is empty.\n");
  });

  it("iocscan quarantine list warns about a damaged entry and lists the others", () => {
    const other = join(work, "q2");
    mkdirSync(other, { mode: 0o700 });
    // A store (with its key: one without a key but with entries is refused), then a damaged entry.
    expect(runIocscan(["quarantine", "list", "--quarantine", other]).status).toBe(0);
    writeFileSync(join(other, "00000000000000aa.iocq"), "not an entry", { mode: 0o600 });
    const result = runIocscan(["quarantine", "list", "--quarantine", other]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("The quarantine is empty.\n");
    expect(result.stderr).toBe("iocscan: warning: damaged quarantine entry 00000000000000aa.iocq: too short\n");
  });

  it("iocscan quarantine refuses a store folder that is a file, with exit 2", () => {
    const file = join(work, "not-a-folder");
    writeFileSync(file, "");
    const result = runIocscan(["quarantine", "delete", "0123456789abcdef", "--quarantine", file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^iocscan: /);
  });
});
