import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CredentialError, loadCredential, saveCredential, type StoredCredential } from "./credential.js";
import { readAgentStatus } from "./status.js";

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "iocscan-credential-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const credential: StoredCredential = {
  format: "iocscan-agent-credential",
  version: 1,
  server: "http://127.0.0.1:1",
  deviceId: "device-1",
  credential: "device-1.secret",
  groupId: "group-1",
  enrolledAt: "2026-11-28T00:00:00.000Z",
};

describe("credential file", () => {
  it("saveCredential() writes mode 0600 and loadCredential() reads it back", async () => {
    const file = join(dir, "state", "credential.json");
    await saveCredential(file, credential);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await loadCredential(file)).toEqual(credential);
  });

  it("loadCredential() is undefined before enrollment", async () => {
    expect(await loadCredential(join(dir, "none.json"))).toBeUndefined();
  });

  it.each([0o640, 0o604, 0o620])("loadCredential() refuses a file with mode %o", async (mode) => {
    const file = join(dir, "credential.json");
    await saveCredential(file, credential);
    chmodSync(file, mode);
    await expect(loadCredential(file)).rejects.toThrow(CredentialError);
    await expect(loadCredential(file)).rejects.toThrow(/group or others/);
  });

  it("loadCredential() refuses content that is not a credential", async () => {
    const file = join(dir, "credential.json");
    await saveCredential(file, { ...credential, server: "not a url" });
    await expect(loadCredential(file)).rejects.toThrow(CredentialError);
  });

  it("loadCredential() names the damaged file, the cause and the way out (garbage bytes, empty, a folder)", async () => {
    const file = join(dir, "credential.json");
    writeFileSync(file, Buffer.from([0x7b, 0xff, 0x00, 0x13, 0x37]), { mode: 0o600 });
    await expect(loadCredential(file)).rejects.toThrow(`Cannot read credential file "${file}": not valid JSON; enroll again`);
    writeFileSync(file, "", { mode: 0o600 });
    await expect(loadCredential(file)).rejects.toThrow(/not valid JSON/);
    rmSync(file);
    mkdirSync(file, { mode: 0o700 });
    await expect(loadCredential(file)).rejects.toThrow(new RegExp(`Cannot read credential file ".*credential.json": EISDIR`));
  });
});

describe("agent state files", () => {
  it("a damaged status file is an error naming the file and the cause; a missing one is no status", async () => {
    const dir = mkdtempSync(join(tmpdir(), "iocscan-agent-status-"));
    try {
      expect(await readAgentStatus(join(dir, "status.json"))).toBeUndefined();
      writeFileSync(join(dir, "status.json"), "{ half a file");
      await expect(readAgentStatus(join(dir, "status.json"))).rejects.toThrow(new RegExp(`${dir}/status.json: unreadable state \\(.*JSON`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
