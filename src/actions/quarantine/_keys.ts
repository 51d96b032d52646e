/**
 * The per-store key: 32 random bytes in `<store>/key` (0600), created once. Two keys are derived
 * from it (HKDF-SHA256): one encrypts entry contents, one authenticates entry metadata. The keys
 * live in a WeakMap keyed by the store object, so printing or serialising a store never shows them.
 *
 * @module
 */
import { hkdfSync, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { link, open, readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { QuarantineStore } from "./types.js";
import { ENTRY_SUFFIX } from "./_entry-file.js";
import { releaseTemporaryName, temporaryName } from "./_names.js";
import { fsyncDir } from "./_sync.js";

export interface StoreKeys {
  readonly data: Buffer;
  readonly mac: Buffer;
}

const KEY_FILE = "key";
const keys = new WeakMap<QuarantineStore, StoreKeys>();

/** The keys of an open store. */
export function keysOf(store: QuarantineStore): StoreKeys {
  const found = keys.get(store);
  if (found === undefined) throw new TypeError("Cannot use a quarantine store that was not opened by openQuarantine");
  return found;
}

export function attachKeys(store: QuarantineStore, storeKeys: StoreKeys): void {
  keys.set(store, storeKeys);
}

/**
 * Reads the store's key, creating it if absent (two processes racing agree on one: link() is
 * atomic). A store that holds entries but has lost its key is refused: a new key would read none
 * of them, and every later entry would be sealed with a key the earlier ones do not share.
 */
export async function loadOrCreateKeys(dir: string): Promise<StoreKeys> {
  const file = join(dir, KEY_FILE);
  let master = await readFile(file).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  });
  if (master === undefined) {
    const entries = (await readdir(dir)).filter((name) => name.endsWith(ENTRY_SUFFIX)).length;
    if (entries > 0) {
      throw new Error(
        `Cannot use the quarantine store "${dir}": its key file "${file}" is missing, and without it none of its ${entries} entries can be restored; put the key back from a backup (or move the entries away to start an empty store)`,
      );
    }
    const tempName = temporaryName("key");
    const temp = join(dir, tempName);
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await handle.writeFile(randomBytes(32));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      await unlink(temp);
      releaseTemporaryName(tempName);
    }
    await fsyncDir(dir);
    master = await readFile(file);
  }
  if (master.length !== 32) throw new Error(`Cannot use the quarantine key "${file}": expected 32 bytes, found ${master.length}`);
  return {
    data: Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), "iocscan quarantine data v1", 32)),
    mac: Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), "iocscan quarantine metadata v1", 32)),
  };
}
