/**
 * Owner names from the scanned host's /etc/passwd and /etc/group (read through the HostView by
 * the shared account parser), so an image under `--root` shows its own users, not this machine's.
 *
 * @module
 */
import { readAccounts } from "../_shared/accounts.js";
import type { CollectorContext } from "../types.js";
import type { OwnerNames } from "./fields.js";

/** Loads both tables once; unknown ids fall back to the number as text, as `ls -l` shows them. */
export async function loadOwnerNames(context: CollectorContext): Promise<OwnerNames> {
  const { users, groups } = await readAccounts(context);
  const userNames = new Map<number, string>();
  const groupNames = new Map<number, string>();
  // The first entry of an id wins, as getpwuid and getgrgid do.
  for (const user of users) if (!userNames.has(user.uid)) userNames.set(user.uid, user.name);
  for (const group of groups) if (!groupNames.has(group.gid)) groupNames.set(group.gid, group.name);
  return {
    user: (uid) => userNames.get(uid) ?? String(uid),
    group: (gid) => groupNames.get(gid) ?? String(gid),
  };
}
