/**
 * The device credential written at enrollment: the server it belongs to and the bearer secret.
 * It is the device's only proof of identity, so it is written 0600 and the agent refuses to use
 * a copy others could have read.
 *
 * @module
 */
import { readFile, stat } from "node:fs/promises";
import { z } from "zod";
import { writeFileAtomic } from "./atomic-file.js";

export const StoredCredential = z.strictObject({
  format: z.literal("iocscan-agent-credential"),
  version: z.literal(1),
  server: z.url(),
  deviceId: z.string().min(1),
  /** `<deviceId>.<secret>`, sent as the bearer token. */
  credential: z.string().min(1),
  groupId: z.string().min(1),
  enrolledAt: z.iso.datetime({ offset: true }),
});
export type StoredCredential = z.infer<typeof StoredCredential>;

/** The credential file cannot be used: unsafe permissions or unreadable content. */
export class CredentialError extends Error {
  override readonly name = "CredentialError";
}

/** Writes the credential, readable by the agent's user only. */
export async function saveCredential(file: string, credential: StoredCredential): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(credential, null, 2)}\n`, 0o600);
}

/** The stored credential, or undefined before enrollment; throws CredentialError when it must not be used. */
export async function loadCredential(file: string): Promise<StoredCredential | undefined> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if ((mode & 0o077) !== 0) {
    // Someone else may already have copied the secret: using it would hide that.
    throw new CredentialError(
      `Cannot use credential file "${file}": it is readable or writable by group or others (mode ${(mode & 0o777).toString(8)}); revoke the device on the server and enroll again, or chmod 600 it if no one else could have read it`,
    );
  }
  // Damaged (a torn disk, an edit), a folder in its place: say which file and what to do.
  const damaged = (cause: string): CredentialError =>
    new CredentialError(`Cannot read credential file "${file}": ${cause}; enroll again (iocscan agent --server URL --enroll TOKEN) after moving it away`);
  let content: unknown;
  try {
    content = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw damaged(error instanceof SyntaxError ? "not valid JSON" : error instanceof Error ? error.message : String(error));
  }
  const parsed = StoredCredential.safeParse(content);
  if (!parsed.success) throw damaged(parsed.error.issues[0]?.message ?? "invalid content");
  return parsed.data;
}
