/**
 * Durable file writes for the agent's state: a reader (or a restart after a crash) sees the old
 * content or the new one, never half of one, and a write that returned survives a power cut.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { makeFolderSync } from "../shared/make-folder.js";

/** Writes `data` to `file` through a flushed temporary file and a rename, then flushes the folder. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(file);
  makeFolderSync(dir, 0o700);
  const temporary = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(temporary, "wx", mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDir(dir);
}

/**
 * Reads a JSON state file checked by `schema`; undefined when it does not exist. A file that is
 * not JSON or not of the schema throws an error naming the file and the cause.
 */
export async function readJsonFile<T>(file: string, schema: { parse(value: unknown): T }): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return schema.parse(JSON.parse(text));
  } catch (error) {
    throw new Error(`${file}: unreadable state (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/** Flushes a folder, so a rename or unlink inside it is on disk. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes a file and flushes its folder; a file already gone is fine. */
export async function removeFileDurably(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  await syncDir(dirname(file));
}
