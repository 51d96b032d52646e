import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { STEPS, type Step } from "./_steps.js";
import { listEntries, openQuarantine, quarantineFile, restoreEntry } from "./index.js";

const child = fileURLToPath(new URL("./_test-child.ts", import.meta.url));
const repo = fileURLToPath(new URL("../../..", import.meta.url));
const tsxLoader = new URL("../../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const cause = { iocId: "ioc-1", iocTitle: "Test IOC", scanId: "scan-1" };
let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-crash-"));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

interface ChildRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runChild(args: readonly string[], options: { crashAt?: Step; uid?: number; shellPrefix?: string } = {}): ChildRun {
  const env = { ...process.env, ...(options.crashAt === undefined ? {} : { IOCSCAN_TEST_CRASH_AT: options.crashAt }) };
  const command = [process.execPath, "--import", tsxLoader, child, ...args];
  const result =
    options.shellPrefix === undefined
      ? spawnSync(command[0] ?? "", command.slice(1), { cwd: repo, env, encoding: "utf8", timeout: 60_000, ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }) })
      : spawnSync("sh", ["-c", `${options.shellPrefix}; exec "$@"`, "sh", ...command], { cwd: repo, env, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** Restores every entry of the store to a scratch file and returns their bytes. */
async function copiesIn(dir: string): Promise<Buffer[]> {
  const store = await openQuarantine({ dir, retention: false });
  const copies: Buffer[] = [];
  for (const entry of await listEntries(store)) {
    const to = join(work, `check-${entry.meta.id}`);
    await restoreEntry(store, entry.meta.id, { to });
    copies.push(readFileSync(to));
  }
  return copies;
}

const QUARANTINE_STEPS = STEPS.filter((step) => !step.startsWith("restore-"));
// Steps before the entry is renamed into place leave only a temporary file, which repair removes.
const BEFORE_RENAME = new Set<Step>(["copy-written", "copy-synced"]);
const AFTER_UNLINK = new Set<Step>(["unlinked", "done"]);

describe("quarantineFile killed (SIGKILL) at each step", () => {
  it.each(QUARANTINE_STEPS)("killed at %s: the original or a verified copy exists and the reopened store is consistent", async (step) => {
    const dir = join(work, "q");
    const path = join(work, "evil.bin");
    const content = randomBytes(2 * 1024 * 1024 + 17);
    writeFileSync(path, content);
    const run = runChild(["quarantine", dir, path], { crashAt: step });
    expect(run.signal, run.stderr).toBe("SIGKILL");

    const reopened = await openQuarantine({ dir, retention: false });
    expect(reopened.repair.damaged).toEqual([]);
    expect(reopened.repair.removedTemporary.length).toBe(BEFORE_RENAME.has(step) ? 1 : 0);
    expect(readdirSync(dir).filter((name) => name.startsWith(".tmp-"))).toEqual([]);
    const copies = await copiesIn(dir);
    const originalThere = existsSync(path);
    expect(originalThere).toBe(!AFTER_UNLINK.has(step));
    if (originalThere) expect(readFileSync(path).equals(content)).toBe(true);
    expect(copies.length).toBe(BEFORE_RENAME.has(step) ? 0 : 1);
    for (const copy of copies) expect(copy.equals(content)).toBe(true);
    expect(originalThere || copies.length === 1).toBe(true);
  });

  it.each(["restore-written", "restore-renamed"] as const)("restoreEntry killed at %s: the entry stays and the destination is whole or absent", async (step) => {
    const dir = join(work, "q");
    const path = join(work, "evil.bin");
    const content = randomBytes(300_000);
    writeFileSync(path, content);
    const store = await openQuarantine({ dir, retention: false });
    const id = (await quarantineFile(store, path, cause)).quarantineId ?? "";
    const run = runChild(["restore", dir, id], { crashAt: step });
    expect(run.signal, run.stderr).toBe("SIGKILL");
    if (step === "restore-written") expect(existsSync(path)).toBe(false);
    else expect(readFileSync(path).equals(content)).toBe(true);
    const reopened = await openQuarantine({ dir, retention: false });
    expect((await listEntries(reopened)).map((e) => e.meta.id)).toEqual([id]);
    // Repair also removed the half-restored file beside the destination.
    expect(readdirSync(work).filter((name) => name.includes("iocscan-restore"))).toEqual([]);
    expect(readdirSync(dir).filter((name) => name.startsWith(".tmp-"))).toEqual([]);
  });
});

describe("quarantineFile when the disk is full", () => {
  it("quarantineFile on a full file system (tmpfs of 64 KiB) fails clearly and deletes nothing", async (context) => {
    const small = join(work, "small");
    mkdirSync(small);
    const mount = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", small]);
    if (mount.status !== 0) context.skip();
    try {
      const path = join(work, "big.bin");
      const content = randomBytes(512 * 1024);
      writeFileSync(path, content);
      const store = await openQuarantine({ dir: join(small, "q"), retention: false });
      const receipt = await quarantineFile(store, path, cause);
      expect(receipt).toMatchObject({ status: "failed", detail: `disk full while copying "${path}" into the quarantine: nothing deleted` });
      expect(readFileSync(path).equals(content)).toBe(true);
      expect(readdirSync(store.dir).sort()).toEqual(["key"]);
    } finally {
      spawnSync("umount", [small]);
    }
  });

  it("quarantineFile past the file size limit (ulimit -f, EFBIG) fails clearly and deletes nothing", () => {
    const dir = join(work, "q");
    const path = join(work, "big.bin");
    const content = randomBytes(1024 * 1024);
    writeFileSync(path, content);
    const run = runChild(["quarantine", dir, path], { shellPrefix: "ulimit -f 256" });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "failed", detail: `disk full while copying "${path}" into the quarantine: nothing deleted` });
    expect(readFileSync(path).equals(content)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["key"]);
  });
});

// Real denial needs a real unprivileged process: root may delete anything.
describe.skipIf(!asRoot)("quarantineFile as an unprivileged user", () => {
  it("quarantineFile as nobody fails with permission denied reading or deleting, and the original stays", () => {
    chmodSync(work, 0o755);
    const dir = join(work, "q");
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, NOBODY, NOBODY);
    const readable = join(work, "readable.bin");
    writeFileSync(readable, "readable, not deletable", { mode: 0o644 });
    const secret = join(work, "secret.bin");
    writeFileSync(secret, "not even readable", { mode: 0o600 });

    const denied = runChild(["quarantine", dir, readable], { uid: NOBODY });
    const receipt = JSON.parse(denied.stdout || "{}") as { status: string; detail: string; quarantineId: string };
    expect(receipt.status, denied.stderr).toBe("failed");
    expect(receipt.detail).toBe(`permission denied deleting "${readable}": the original is still there (the copy is kept as entry ${receipt.quarantineId})`);
    expect(readFileSync(readable, "utf8")).toBe("readable, not deletable");

    const unreadable = runChild(["quarantine", dir, secret], { uid: NOBODY });
    expect(JSON.parse(unreadable.stdout || "{}")).toMatchObject({ status: "failed", detail: `permission denied reading "${secret}": nothing deleted` });
    expect(readFileSync(secret, "utf8")).toBe("not even readable");
  });
});
