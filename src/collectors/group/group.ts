/**
 * GroupItem from /etc/group and /etc/passwd of the host view: one record per group, whose
 * members are its listed members plus the accounts that have it as their primary group.
 *
 * @module
 */
import { LINUX_COLLECTED } from "../../core/vocabulary/index.js";
import { readAccounts } from "../_shared/accounts.js";
import { toRecord } from "../_shared/record.js";
import { defineCollector } from "../define.js";
import type { CollectorContext, HostRecord } from "../types.js";

/** The GroupItem collector. */
export const groupCollector = defineCollector({
  name: "group",
  document: "GroupItem",
  platforms: ["linux"],
  liveOnly: false,
  // Exactly the terms the vocabulary says iocscan collects (a registry test keeps them equal).
  fields: LINUX_COLLECTED["GroupItem"] ?? [],
  permission: "fs.read",
  description: "Groups from /etc/group, with primary members from /etc/passwd",
  async *collect(context: CollectorContext): AsyncGenerator<HostRecord> {
    const { users, groups } = await readAccounts(context);
    const seen = new Set<string>();
    for (const group of groups) {
      if (context.signal?.aborted === true) return;
      if (seen.has(group.name)) continue;
      seen.add(group.name);
      const primary = users.filter((u) => u.gid === group.gid).map((u) => u.name);
      const members = [...new Set([...group.members, ...primary])];
      yield toRecord("GroupItem", { GroupName: group.name, gid: group.gid, "userlist/username": members }, group.name);
    }
  },
});
