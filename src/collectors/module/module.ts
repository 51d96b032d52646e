/**
 * ModuleItem: the loaded kernel modules (/proc/modules), each with its .ko file under
 * /lib/modules/$(uname -r) and, only when asked, the hashes of that file as it lies on disk
 * (compressed modules are hashed compressed, as `sha256sum` would).
 *
 * @module
 */
import { LINUX_COLLECTED } from "../../core/vocabulary/index.js";
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { release } from "node:os";
import { fsPath } from "../../shared/fs-path.js";
import { pathText } from "../../shared/path-text.js";
import { readWarning } from "../_shared/errors.js";
import { linesOf, readHostText } from "../_shared/read.js";
import { toRecord, type DraftFields } from "../_shared/record.js";
import { defineCollector } from "../define.js";
import type { CollectorContext, HostRecord } from "../types.js";
import { indexModuleFiles } from "./module-files.js";

const DIGESTS = [
  ["Md5sum", "md5"],
  ["Sha1sum", "sha1"],
  ["Sha256sum", "sha256"],
] as const;

/** Names of the loaded modules: the first column of /proc/modules. */
export function parseModules(text: string): string[] {
  return linesOf(text)
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name !== "");
}

/** The requested digests of a file, computed in one read. */
async function hashFile(diskPath: string, wanted: readonly (typeof DIGESTS)[number][]): Promise<DraftFields> {
  const hashes: [string, Hash][] = wanted.map(([field, algorithm]) => [field, createHash(algorithm)]);
  for await (const chunk of createReadStream(fsPath(diskPath))) for (const [, hash] of hashes) hash.update(chunk as Buffer);
  return Object.fromEntries(hashes.map(([field, hash]) => [field, hash.digest("hex")]));
}

/** The ModuleItem collector. */
export const moduleCollector = defineCollector({
  name: "module",
  document: "ModuleItem",
  platforms: ["linux"],
  liveOnly: true,
  // Exactly the terms the vocabulary says iocscan collects (a registry test keeps them equal).
  fields: LINUX_COLLECTED["ModuleItem"] ?? [],
  permission: "fs.read",
  description: "Loaded kernel modules from /proc/modules, with their files under /lib/modules and hashes on request",
  async *collect(context: CollectorContext): AsyncGenerator<HostRecord> {
    const text = await readHostText(context, "/proc/modules");
    // A kernel built without module support has no /proc/modules: nothing is loaded.
    if (text === undefined) return;
    const files = await indexModuleFiles(context, release(), () => context.signal?.aborted === true);
    const wanted = DIGESTS.filter(([field]) => context.fields.has(field));
    for (const name of parseModules(text)) {
      if (context.signal?.aborted === true) return;
      // Out-of-tree modules loaded with insmod from elsewhere have no file here: worth a look,
      // but not a read error.
      const file = files.get(name);
      let digests: DraftFields = {};
      if (file !== undefined && wanted.length > 0) {
        try {
          digests = await hashFile(context.host.toDisk(file), wanted);
          context.count("modulesHashed");
        } catch (error) {
          context.warn(readWarning(error, "hash module file", pathText(file)));
        }
      }
      yield toRecord("ModuleItem", { Module: name, Filename: file === undefined ? undefined : pathText(file), ...digests }, name);
    }
  },
});
