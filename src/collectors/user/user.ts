/**
 * UserItem from /etc/passwd and /etc/group of the host view: one record per account, with the
 * names of its primary and supplementary groups.
 *
 * @module
 */
import { LINUX_COLLECTED } from "../../core/vocabulary/index.js";
import { readAccounts } from "../_shared/accounts.js";
import { toRecord } from "../_shared/record.js";
import { defineCollector } from "../define.js";
import type { CollectorContext, HostRecord } from "../types.js";

/** The UserItem collector. */
export const userCollector = defineCollector({
  name: "user",
  document: "UserItem",
  platforms: ["linux"],
  liveOnly: false,
  // Exactly the terms the vocabulary says iocscan collects (a registry test keeps them equal).
  fields: LINUX_COLLECTED["UserItem"] ?? [],
  permission: "fs.read",
  description: "Accounts from /etc/passwd, with their groups from /etc/group",
  async *collect(context: CollectorContext): AsyncGenerator<HostRecord> {
    const { users, groups } = await readAccounts(context);
    const groupName = new Map<number, string>();
    for (const g of groups) if (!groupName.has(g.gid)) groupName.set(g.gid, g.name);
    const seen = new Set<string>();
    for (const user of users) {
      if (context.signal?.aborted === true) return;
      // A repeated name is one account to getpwnam: the first line wins.
      if (seen.has(user.name)) continue;
      seen.add(user.name);
      const memberOf = groups.filter((g) => g.members.includes(user.name)).map((g) => g.name);
      const primary = groupName.get(user.gid);
      const grouplist = [...new Set([...(primary === undefined ? [] : [primary]), ...memberOf])];
      yield toRecord(
        "UserItem",
        {
          Username: user.name,
          userid: user.uid,
          // GECOS is "full name,office,work phone,home phone"; the first part is the name.
          fullname: user.gecos.split(",")[0] || undefined,
          homedirectory: user.home || undefined,
          shell: user.shell || undefined,
          "grouplist/groupname": grouplist,
        },
        user.name,
      );
    }
  },
});
