/**
 * The IOC files of a run, downloaded once into the state folder and checked against the SHA-256
 * the order names: a file altered on the way (or on disk since) is never scanned with.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { IocFileRef } from "../core/api/index.js";
import { writeFileAtomic } from "./atomic-file.js";

/** A downloaded file's bytes do not have the digest the order names. */
export class IocFileDigestError extends Error {
  override readonly name = "IocFileDigestError";
}

/**
 * Local paths of `refs`, in order: reused when already stored with the right digest, downloaded
 * with `download` otherwise.
 */
export async function fetchIocFiles(refs: readonly IocFileRef[], dir: string, download: (id: string) => Promise<Buffer>): Promise<string[]> {
  const paths: string[] = [];
  for (const ref of refs) {
    // Folder per digest, file per name: reports show the name the console knows.
    const path = join(dir, ref.sha256, localName(ref.name));
    if (!(await hasDigest(path, ref.sha256))) {
      const bytes = await download(ref.id);
      const actual = sha256(bytes);
      if (actual !== ref.sha256) throw new IocFileDigestError(`IOC file "${ref.name}" (${ref.id}) has SHA-256 ${actual}, the task says ${ref.sha256}`);
      await writeFileAtomic(path, bytes, 0o600);
    }
    paths.push(path);
  }
  return paths;
}

/** A file name that cannot leave its folder and that the IOC loader accepts (.ioc or .xml). */
export function localName(name: string): string {
  const base = (name.split(/[\\/]/).pop() ?? "").replace(/[^\w.-]/g, "_").replace(/^\.+/, "");
  const safe = base === "" ? "task" : base.slice(0, 200);
  return /\.(ioc|xml)$/i.test(safe) ? safe : `${safe}.ioc`;
}

async function hasDigest(path: string, expected: string): Promise<boolean> {
  try {
    return sha256(await readFile(path)) === expected;
  } catch {
    return false;
  }
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
