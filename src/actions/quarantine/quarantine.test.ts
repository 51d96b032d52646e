import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setStepHookForTests } from "./_steps.js";
import { deleteEntry, defaultQuarantineDir, isInsideStore, listEntries, openQuarantine, purge, quarantineFile, restoreEntry, showEntry } from "./index.js";
import { networkFsName } from "./_network-fs.js";

const cause = { iocId: "ioc-1", iocTitle: "Test IOC", scanId: "scan-1" };
const asRoot = process.getuid?.() === 0;
let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "iocscan-quarantine-"));
});
afterEach(() => {
  setStepHookForTests(undefined);
  rmSync(work, { recursive: true, force: true });
});

function plant(name: string, content: Buffer | string, mode = 0o640): string {
  const path = join(work, name);
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
  return path;
}

describe("quarantineFile", () => {
  it("quarantineFile moves a file into a 0700 store as a 0600 encrypted entry and restoreEntry brings back bytes, mode, owner and times", async () => {
    const store = await openQuarantine({ dir: join(work, "q"), retention: false });
    const content = Buffer.concat([Buffer.from("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"), randomBytes(3 * 1024 * 1024)]);
    const path = plant("evil.bin", content, 0o4750);
    if (asRoot) chownSync(path, 1234, 5678);
    utimesSync(path, new Date("2021-03-04T05:06:07.123Z"), new Date("2020-01-02T03:04:05.678Z"));
    const before = statSync(path);

    const receipt = await quarantineFile(store, path, cause);
    expect(receipt).toMatchObject({ type: "quarantine", status: "done", objectId: path });
    expect(receipt.detail).toContain("original deleted");
    expect(() => lstatSync(path)).toThrow();
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(store.dir)) expect(statSync(join(store.dir, name)).mode & 0o777).toBe(0o600);

    const id = receipt.quarantineId ?? "";
    const entry = await showEntry(store, id);
    expect(entry?.meta).toMatchObject({ id, originalPath: path, size: content.length, mode: before.mode, uid: before.uid, gid: before.gid, cause });
    expect(entry?.meta.mtimeMs).toBeCloseTo(before.mtimeMs, 3);

    const result = await restoreEntry(store, id);
    expect(result).toMatchObject({ path, size: content.length, ownerRestored: asRoot, replaced: false });
    const after = statSync(path);
    expect(readFileSync(path).equals(content)).toBe(true);
    expect(after.mode).toBe(before.mode);
    expect(Math.round(after.mtimeMs)).toBe(Math.round(before.mtimeMs));
    expect(Math.round(after.atimeMs)).toBe(Math.round(before.atimeMs));
    if (asRoot) expect([after.uid, after.gid]).toEqual([1234, 5678]);
    // The entry is kept after a restore, marked restored.
    expect((await listEntries(store)).map((e) => [e.meta.id, e.restored.map((r) => r.to)])).toEqual([[id, [path]]]);
  });

  it("quarantineFile stores no plaintext: the entry holds neither the content nor a recognisable chunk of it", async () => {
    const store = await openQuarantine({ dir: join(work, "q"), retention: false });
    const marker = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    const receipt = await quarantineFile(store, plant("eicar.com", marker.repeat(100)), cause);
    const blob = readFileSync(join(store.dir, `${receipt.quarantineId ?? ""}.iocq`));
    expect(blob.includes(Buffer.from("EICAR"))).toBe(false);
    expect(blob.includes(Buffer.from("X5O!P"))).toBe(false);
    // The key file is never part of what list or show return.
    expect(JSON.stringify(await listEntries(store))).not.toContain(readFileSync(join(store.dir, "key")).toString("hex"));
    expect(JSON.stringify(store)).not.toContain(readFileSync(join(store.dir, "key")).toString("hex"));
  });

  it("restoreEntry detects tampered content and showEntry tampered metadata; nothing is restored", async () => {
    const store = await openQuarantine({ dir: join(work, "q"), retention: false });
    const path = plant("a.txt", "some content that will be tampered with");
    const id = (await quarantineFile(store, path, cause)).quarantineId ?? "";
    const file = join(store.dir, `${id}.iocq`);
    const original = readFileSync(file);
    const flipped = Buffer.from(original);
    flipped[12] = (flipped[12] ?? 0) ^ 0x01;
    writeFileSync(file, flipped);
    await expect(restoreEntry(store, id)).rejects.toThrow(/fails authentication/);
    expect(() => lstatSync(path)).toThrow();
    expect(readdirSync(work).filter((n) => n.includes("iocscan-restore"))).toEqual([]);

    // Change one character of the recorded path (never to itself: mkdtemp names may end in "Z").
    const tampered = work.replace(/.$/, work.endsWith("Z") ? "Y" : "Z");
    const text = original.toString("latin1").replace(work, tampered);
    writeFileSync(file, Buffer.from(text, "latin1"));
    await expect(showEntry(store, id)).rejects.toThrow(/metadata fails authentication/);
    const reopened = await openQuarantine({ dir: store.dir, retention: false });
    expect(reopened.repair.damaged).toEqual([`${id}.iocq: metadata fails authentication`]);
  });

  it("quarantineFile refuses to delete an original that changed after it was copied, and keeps the copy", async () => {
    const store = await openQuarantine({ dir: join(work, "q"), retention: false });
    const path = plant("moving.log", "first version");
    setStepHookForTests((step) => {
      if (step === "verified") writeFileSync(path, "second version, longer");
    });
    const receipt = await quarantineFile(store, path, cause);
    expect(receipt.status).toBe("failed");
    expect(receipt.detail).toContain("changed or was replaced after it was copied: not deleted");
    expect(readFileSync(path, "utf8")).toBe("second version, longer");
    expect((await listEntries(store)).map((e) => e.meta.id)).toEqual([receipt.quarantineId]);
  });

  it("quarantineFile does not delete the original when its verified entry vanished meanwhile (another process's purge)", async () => {
    const store = await openQuarantine({ dir: join(work, "q"), retention: false });
    const path = plant("victim", "content");
    setStepHookForTests(async (step) => {
      if (step === "verified") for (const entry of await listEntries(store)) await deleteEntry(store, entry.meta.id);
    });
    const receipt = await quarantineFile(store, path, cause);
    expect(receipt).toMatchObject({ status: "failed", detail: `the quarantine copy of "${path}" was removed before the original was deleted: not deleted` });
    expect(readFileSync(path, "utf8")).toBe("content");
  });

  it("quarantineFile bounds an oversized IOC title so the entry stays readable", async () => {
    const store = await openQuarantine({ dir: join(work, "q"), retention: false });
    const receipt = await quarantineFile(store, plant("t", "x"), { ...cause, iocTitle: "T".repeat(200_000) });
    expect(receipt.status).toBe("done");
    const entry = await showEntry(store, receipt.quarantineId ?? "");
    expect(entry?.meta.cause.iocTitle.length).toBe(1024);
  });

  it("quarantineFile skips symbolic links, folders and relative paths, and fails clearly for a missing file", async () => {
    const store = await openQuarantine({ dir: join(work, "q"), retention: false });
    const target = plant("target", "x");
    symlinkSync(target, join(work, "link"));
    expect(await quarantineFile(store, join(work, "link"), cause)).toMatchObject({ status: "skipped", detail: `not a regular file: "${join(work, "link")}"` });
    expect((await quarantineFile(store, work, cause)).status).toBe("skipped");
    expect((await quarantineFile(store, "relative/x", cause)).status).toBe("skipped");
    expect(await quarantineFile(store, join(work, "nope"), cause)).toMatchObject({ status: "failed", detail: `no such file reading "${join(work, "nope")}": nothing deleted` });
    expect(readFileSync(target, "utf8")).toBe("x");
    expect(await listEntries(store)).toEqual([]);
  });
});

describe("retention", () => {
  it("purge removes entries older than the limit, then the oldest until the size fits; deleteEntry removes one", async () => {
    const store = await openQuarantine({ dir: join(work, "q"), retention: false });
    const ids: string[] = [];
    for (const name of ["one", "two", "three", "four"]) {
      ids.push((await quarantineFile(store, plant(name, randomBytes(10_000)), cause)).quarantineId ?? "");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const sizes = (await listEntries(store)).map((e) => e.storedBytes);
    expect((await listEntries(store)).map((e) => e.meta.id)).toEqual(ids);
    // Nothing is older than 30 days; the size limit keeps the newest two.
    const bySize = await purge(store, { maxBytes: (sizes[2] ?? 0) + (sizes[3] ?? 0) });
    expect(bySize.removed).toEqual([ids[0], ids[1]]);
    const byAge = await purge(store, { olderThanDays: 1, now: new Date(Date.now() + 2 * 86_400_000) });
    expect(byAge.removed).toEqual([ids[2], ids[3]]);
    expect(await listEntries(store)).toEqual([]);
    expect(await deleteEntry(store, ids[0] ?? "")).toBe(false);
  });

  it("openQuarantine applies retention on open, and quarantineFile refuses a file larger than the size limit", async () => {
    const dir = join(work, "q");
    const store = await openQuarantine({ dir, retention: false });
    await quarantineFile(store, plant("old", "old bytes"), cause);
    const small = await openQuarantine({ dir, retention: { maxBytes: 50 } });
    expect(await listEntries(small)).toEqual([]);
    const path = plant("big", randomBytes(100));
    const receipt = await quarantineFile(small, path, cause);
    expect(receipt).toMatchObject({ status: "failed", detail: `"${path}" is larger than the quarantine size limit (50 bytes): nothing deleted` });
    expect(statSync(path).size).toBe(100);
  });
});

describe("store", () => {
  it("isInsideStore is true for the store folder and what is inside it only", async () => {
    const store = await openQuarantine({ dir: join(work, "q"), retention: false });
    expect(isInsideStore(store, store.dir)).toBe(true);
    expect(isInsideStore(store, join(store.dir, "x.iocq"))).toBe(true);
    expect(isInsideStore(store, `${store.dir}-other/x`)).toBe(false);
    expect(isInsideStore(store, work)).toBe(false);
    symlinkSync(store.dir, join(work, "alias"));
    expect(isInsideStore(store, join(work, "alias"))).toBe(true);
  });

  it("defaultQuarantineDir is /var/lib for root, else XDG_STATE_HOME or ~/.local/state", () => {
    expect(defaultQuarantineDir({}, 0)).toBe("/var/lib/iocscan/quarantine");
    expect(defaultQuarantineDir({ IOCSCAN_STATE_DIR: "/srv/state" }, 0)).toBe("/srv/state/quarantine");
    expect(defaultQuarantineDir({ IOCSCAN_STATE_DIR: "relative" }, 0)).toBe("/var/lib/iocscan/quarantine");
    expect(defaultQuarantineDir({ XDG_STATE_HOME: "/s" }, 1000)).toBe("/s/iocscan/quarantine");
    expect(defaultQuarantineDir({ XDG_STATE_HOME: "relative" }, 1000)).toMatch(/\/\.local\/state\/iocscan\/quarantine$/);
  });

  it("networkFsName names NFS, SMB, 9p and sshfs and accepts local file systems", () => {
    expect(networkFsName(0x6969)).toBe("nfs");
    expect(networkFsName(0xfe534d42)).toBe("smb2");
    expect(networkFsName(0xff534d42)).toBe("cifs");
    expect(networkFsName(0x01021997)).toBe("9p");
    expect(networkFsName(0x65735546, "fuse.sshfs")).toBe("fuse.sshfs");
    expect(networkFsName(0x65735546, "fuse.ntfs-3g")).toBeUndefined();
    expect(networkFsName(0xef53, "ext4")).toBeUndefined();
    expect(networkFsName(0x01021994, "tmpfs")).toBeUndefined();
  });

  it("openQuarantine refuses a store whose key is gone while it holds entries, and makes no new key", async () => {
    const dir = join(work, "q");
    const store = await openQuarantine({ dir, retention: false });
    await quarantineFile(store, plant("evil.bin", "evil"), cause);
    rmSync(join(dir, "key"));
    await expect(openQuarantine({ dir, retention: false })).rejects.toThrow(/key file .* is missing, and without it none of its 1 entries can be restored/);
    expect(readdirSync(dir)).not.toContain("key");
    // An empty store gets a key as before.
    const empty = join(work, "empty");
    await openQuarantine({ dir: empty, retention: false });
    rmSync(join(empty, "key"));
    await openQuarantine({ dir: empty, retention: false });
    expect(readdirSync(empty)).toContain("key");
  });

  it("openQuarantine tightens a loose store folder to 0700 and refuses a file in its place", async () => {
    const dir = join(work, "q");
    await openQuarantine({ dir, retention: false });
    chmodSync(dir, 0o755);
    await openQuarantine({ dir, retention: false });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    writeFileSync(join(work, "file"), "");
    await expect(openQuarantine({ dir: join(work, "file"), retention: false })).rejects.toThrow();
  });
});
