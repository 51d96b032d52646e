/**
 * A folder of small JSON records, one file per key, each written atomically and durably. The
 * run journal, the command log and the result outbox are all one of these, so each survives a
 * crash record by record and a damaged file spoils only itself.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { readdir, rename } from "node:fs/promises";
import { join } from "node:path";
import type { z } from "zod";
import { readJsonFile, removeFileDurably, writeFileAtomic } from "./atomic-file.js";
import { makeFolderSync } from "../shared/make-folder.js";

const SUFFIX = ".json";

/** Records of type `T` in `dir`, validated with `schema` when read back. */
export class RecordDir<T> {
  constructor(
    readonly dir: string,
    private readonly schema: z.ZodType<T>,
  ) {}

  /** Keys are server ids (any text); file names are their digests, so no id can escape the folder. */
  fileOf(key: string): string {
    return join(this.dir, createHash("sha256").update(key).digest("hex").slice(0, 40) + SUFFIX);
  }

  async put(key: string, record: T): Promise<void> {
    await writeFileAtomic(this.fileOf(key), `${JSON.stringify(record)}\n`);
  }

  async get(key: string): Promise<T | undefined> {
    return this.readFileRecord(this.fileOf(key));
  }

  async delete(key: string): Promise<void> {
    await removeFileDurably(this.fileOf(key));
  }

  /** Every readable record; a damaged one is moved aside (`.damaged`) and reported, not fatal. */
  async list(onDamaged?: (file: string, error: unknown) => void): Promise<T[]> {
    makeFolderSync(this.dir, 0o700);
    const records: T[] = [];
    for (const name of (await readdir(this.dir)).filter((n) => n.endsWith(SUFFIX)).sort()) {
      const file = join(this.dir, name);
      try {
        const record = await this.readFileRecord(file);
        if (record !== undefined) records.push(record);
      } catch (error) {
        onDamaged?.(file, error);
        await rename(file, `${file}.damaged`).catch(() => undefined);
      }
    }
    return records;
  }

  private readFileRecord(file: string): Promise<T | undefined> {
    return readJsonFile(file, this.schema);
  }
}
