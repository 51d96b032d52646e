/**
 * Device groups (a tree under the root group), devices and enrollment tokens.
 *
 * @module
 */
import { sql } from "kysely";
import { auditIn, newId, page, parseJson, type Db, type FleetContext } from "./_context.js";
import type { Device, DeviceGroup, EnrollmentToken, FleetStore } from "./fleet-store.js";
import { ROOT_GROUP_ID } from "./migrations.js";
import type { DeviceGroupsTable, DevicesTable, EnrollmentTokensTable } from "./schema.js";

const toGroup = (r: DeviceGroupsTable): DeviceGroup => ({ id: r.id, name: r.name, parentId: r.parent_id, createdAt: r.created_at });

const DEVICE_COLUMNS = ["id", "hostname", "os", "agent_version", "group_id", "enrolled_at", "last_seen_at", "queued_results", "active_runs"] as const;
type DeviceRow = Pick<DevicesTable, (typeof DEVICE_COLUMNS)[number]>;

export const toDevice = (r: DeviceRow): Device => ({
  id: r.id,
  hostname: r.hostname,
  os: r.os,
  agentVersion: r.agent_version,
  groupId: r.group_id,
  enrolledAt: r.enrolled_at,
  lastSeenAt: r.last_seen_at,
  queuedResults: Number(r.queued_results),
  activeRuns: parseJson<string[]>(r.active_runs),
});

const toToken = (r: EnrollmentTokensTable): EnrollmentToken => ({
  id: r.id,
  groupId: r.group_id,
  createdAt: r.created_at,
  createdBy: r.created_by,
  expiresAt: r.expires_at,
  revoked: Number(r.revoked) === 1,
  uses: Number(r.uses),
});

/** `groupId` and its descendants, walked breadth first (trees are small; no recursive SQL needed). */
export async function subtreeOf(db: Db, groupId: string): Promise<string[]> {
  const all = await db.selectFrom("device_groups").select(["id", "parent_id"]).execute();
  const children = new Map<string, string[]>();
  for (const g of all) if (g.parent_id !== null) children.set(g.parent_id, [...(children.get(g.parent_id) ?? []), g.id]);
  if (!all.some((g) => g.id === groupId)) return [];
  const out = [groupId];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i] ?? "") ?? []));
  return out;
}

type DevicePart = Pick<
  FleetStore,
  | "listGroups"
  | "getGroup"
  | "createGroup"
  | "updateGroup"
  | "deleteGroup"
  | "groupSubtree"
  | "listDevices"
  | "getDevice"
  | "findDevicesByHostname"
  | "getDeviceCredentialHash"
  | "moveDevice"
  | "deleteDevice"
  | "recordHeartbeat"
  | "touchDevice"
  | "createEnrollmentToken"
  | "listEnrollmentTokens"
  | "revokeEnrollmentToken"
  | "enrollDevice"
>;

export function devicePart({ db, write, now }: FleetContext): DevicePart {
  const getDevice = async (id: string): Promise<Device | undefined> => {
    const row = await db.selectFrom("devices").select(DEVICE_COLUMNS).where("id", "=", id).executeTakeFirst();
    return row && toDevice(row);
  };
  return {
    async listGroups() {
      return (await db.selectFrom("device_groups").selectAll().orderBy("name").orderBy("id").execute()).map(toGroup);
    },
    async getGroup(id) {
      const row = await db.selectFrom("device_groups").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toGroup(row);
    },
    createGroup(input, actor) {
      const at = now();
      const row: DeviceGroupsTable = { id: newId(), name: input.name, parent_id: input.parentId, created_at: at };
      return write(async (trx) => {
        const parent = await trx.selectFrom("device_groups").select("id").where("id", "=", input.parentId).executeTakeFirst();
        if (parent === undefined) throw new RangeError(`Cannot create group "${input.name}": no parent group "${input.parentId}"`);
        await trx.insertInto("device_groups").values(row).execute();
        await auditIn(trx, at, { actor, action: "group.create", target: `group:${row.id}`, details: { name: row.name, parentId: row.parent_id } });
        return toGroup(row);
      });
    },
    updateGroup(id, change, actor) {
      const at = now();
      return write(async (trx) => {
        const set: Partial<DeviceGroupsTable> = {};
        if (change.name !== undefined) set.name = change.name;
        if (change.parentId !== undefined) {
          if (id === ROOT_GROUP_ID) throw new RangeError("Cannot move the root group");
          // A group cannot move below itself: that would cut its subtree off the tree.
          if ((await subtreeOf(trx, id)).includes(change.parentId)) throw new RangeError(`Cannot move group "${id}" below itself`);
          if ((await trx.selectFrom("device_groups").select("id").where("id", "=", change.parentId).executeTakeFirst()) === undefined) {
            throw new RangeError(`Cannot move group "${id}": no parent group "${change.parentId}"`);
          }
          set.parent_id = change.parentId;
        }
        if (Object.keys(set).length === 0) {
          const row = await trx.selectFrom("device_groups").selectAll().where("id", "=", id).executeTakeFirst();
          return row && toGroup(row);
        }
        const row = await trx.updateTable("device_groups").set(set).where("id", "=", id).returningAll().executeTakeFirst();
        if (row === undefined) return undefined;
        await auditIn(trx, at, { actor, action: "group.update", target: `group:${id}`, details: change });
        return toGroup(row);
      });
    },
    deleteGroup(id, actor) {
      const at = now();
      return write(async (trx) => {
        if (id === ROOT_GROUP_ID) return "not-empty" as const;
        const exists = await trx.selectFrom("device_groups").select("id").where("id", "=", id).executeTakeFirst();
        if (exists === undefined) return "not-found" as const;
        const child = await trx.selectFrom("device_groups").select("id").where("parent_id", "=", id).executeTakeFirst();
        const device = await trx.selectFrom("devices").select("id").where("group_id", "=", id).executeTakeFirst();
        if (child !== undefined || device !== undefined) return "not-empty" as const;
        await trx.deleteFrom("device_groups").where("id", "=", id).execute();
        await auditIn(trx, at, { actor, action: "group.delete", target: `group:${id}` });
        return "deleted" as const;
      });
    },
    groupSubtree: (groupId) => subtreeOf(db, groupId),
    async listDevices(options = {}) {
      const { limit, offset } = page(options);
      let query = db.selectFrom("devices");
      if (options.groupId !== undefined) {
        const groups = options.recursive ? await subtreeOf(db, options.groupId) : [options.groupId];
        if (groups.length === 0) return { devices: [], total: 0 };
        query = query.where("group_id", "in", groups);
      }
      if (options.search !== undefined && options.search !== "") {
        const pattern = `%${options.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        query = query.where(sql<boolean>`lower(hostname) like ${pattern} escape '\\'`);
      }
      const total = await query.select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
      const rows = await query.select(DEVICE_COLUMNS).orderBy("hostname").orderBy("id").limit(limit).offset(offset).execute();
      return { devices: rows.map(toDevice), total: Number(total.n) };
    },
    getDevice,
    async findDevicesByHostname(hostname) {
      const rows = await db.selectFrom("devices").select(DEVICE_COLUMNS).where(sql<boolean>`lower(hostname) = ${hostname.toLowerCase()}`).orderBy("id").limit(100).execute();
      return rows.map(toDevice);
    },
    async getDeviceCredentialHash(id) {
      return (await db.selectFrom("devices").select("credential_hash").where("id", "=", id).executeTakeFirst())?.credential_hash;
    },
    moveDevice(id, groupId, actor) {
      const at = now();
      return write(async (trx) => {
        if ((await trx.selectFrom("device_groups").select("id").where("id", "=", groupId).executeTakeFirst()) === undefined) {
          throw new RangeError(`Cannot move device "${id}": no group "${groupId}"`);
        }
        const row = await trx.updateTable("devices").set({ group_id: groupId }).where("id", "=", id).returning(DEVICE_COLUMNS).executeTakeFirst();
        if (row === undefined) return undefined;
        await auditIn(trx, at, { actor, action: "device.move", target: `device:${id}`, details: { groupId } });
        return toDevice(row);
      });
    },
    deleteDevice(id, actor) {
      const at = now();
      return write(async (trx) => {
        const gone = await trx.deleteFrom("devices").where("id", "=", id).executeTakeFirst();
        if (Number(gone.numDeletedRows) === 0) return false;
        // Its credential dies with the row; its open work goes too. Finished results stay until retention.
        await trx.deleteFrom("task_runs").where("device_id", "=", id).where("finished_at", "is", null).execute();
        await trx.deleteFrom("task_targets").where("device_id", "=", id).execute();
        await trx.deleteFrom("agent_commands").where("device_id", "=", id).execute();
        await trx.deleteFrom("quarantine_entries").where("device_id", "=", id).execute();
        await auditIn(trx, at, { actor, action: "device.delete", target: `device:${id}` });
        return true;
      });
    },
    async recordHeartbeat(id, beat) {
      await db
        .updateTable("devices")
        .set({
          hostname: beat.hostname,
          os: beat.os,
          agent_version: beat.agentVersion,
          active_runs: JSON.stringify(beat.activeRuns),
          queued_results: beat.queuedResults,
          last_seen_at: now(),
        })
        .where("id", "=", id)
        .execute();
    },
    async touchDevice(id) {
      await db.updateTable("devices").set({ last_seen_at: now() }).where("id", "=", id).execute();
    },
    createEnrollmentToken(input, actor) {
      const at = now();
      const row: EnrollmentTokensTable = {
        id: newId(),
        token_hash: input.tokenHash,
        group_id: input.groupId,
        created_at: at,
        created_by: actor,
        expires_at: input.expiresAt,
        revoked: 0,
        uses: 0,
      };
      return write(async (trx) => {
        if ((await trx.selectFrom("device_groups").select("id").where("id", "=", input.groupId).executeTakeFirst()) === undefined) {
          throw new RangeError(`Cannot create an enrollment token: no group "${input.groupId}"`);
        }
        await trx.insertInto("enrollment_tokens").values(row).execute();
        await auditIn(trx, at, { actor, action: "enrollment-token.create", target: `enrollment-token:${row.id}`, details: { groupId: row.group_id, expiresAt: row.expires_at } });
        return toToken(row);
      });
    },
    async listEnrollmentTokens() {
      return (await db.selectFrom("enrollment_tokens").selectAll().orderBy("created_at", "desc").orderBy("id").execute()).map(toToken);
    },
    revokeEnrollmentToken(id, actor) {
      const at = now();
      return write(async (trx) => {
        const done = await trx.updateTable("enrollment_tokens").set({ revoked: 1 }).where("id", "=", id).executeTakeFirst();
        if (Number(done.numUpdatedRows) === 0) return false;
        await auditIn(trx, at, { actor, action: "enrollment-token.revoke", target: `enrollment-token:${id}` });
        return true;
      });
    },
    enrollDevice(input) {
      const at = now();
      return write(async (trx) => {
        const token = await trx
          .updateTable("enrollment_tokens")
          .set((eb) => ({ uses: eb("uses", "+", 1) }))
          .where("token_hash", "=", input.tokenHash)
          .where("revoked", "=", 0)
          .where("expires_at", ">", at)
          .returning(["id", "group_id"])
          .executeTakeFirst();
        if (token === undefined) return undefined;
        const row: DevicesTable = {
          id: input.deviceId,
          hostname: input.hostname,
          os: input.os,
          agent_version: input.agentVersion,
          group_id: token.group_id,
          credential_hash: input.credentialHash,
          enrolled_at: at,
          last_seen_at: at,
          queued_results: 0,
          active_runs: "[]",
        };
        await trx.insertInto("devices").values(row).execute();
        await auditIn(trx, at, { actor: `device:${row.id}`, action: "device.enroll", target: `device:${row.id}`, details: { hostname: row.hostname, tokenId: token.id, groupId: row.group_id } });
        return toDevice(row);
      });
    },
  };
}
