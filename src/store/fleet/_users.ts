/**
 * Users, sessions and login attempts.
 *
 * @module
 */
import { auditIn, newId, type Db, type FleetContext } from "./_context.js";
import { LastAdministratorError, type FleetStore, type Role, type User, type UserWithHash } from "./fleet-store.js";
import type { UsersTable } from "./schema.js";

const toUser = (r: Pick<UsersTable, "id" | "name" | "role" | "created_at">): User => ({ id: r.id, name: r.name, role: r.role as Role, createdAt: r.created_at });

type UserPart = Pick<
  FleetStore,
  | "countAdministrators"
  | "createUser"
  | "listUsers"
  | "getUser"
  | "findUserByName"
  | "updateUser"
  | "deleteUser"
  | "createSession"
  | "getSession"
  | "deleteSession"
  | "recordLoginFailure"
  | "forgetLoginFailure"
  | "loginFailuresSince"
  | "clearLoginFailures"
  | "purgeExpiredSessions"
>;

export function userPart({ dialect, db, write, now }: FleetContext): UserPart {
  /**
   * Within a change of users: locks the administrators' rows (PostgreSQL; SQLite's write
   * transactions run one at a time), so that a concurrent change waits and then sees this one.
   */
  const lockAdministrators = async (trx: Db): Promise<void> => {
    if (dialect === "postgres") await trx.selectFrom("users").select("id").where("role", "=", "administrator").forUpdate().execute();
  };
  const stillAnAdministrator = async (trx: Db): Promise<void> => {
    const row = await trx.selectFrom("users").select((eb) => eb.fn.countAll().as("n")).where("role", "=", "administrator").executeTakeFirstOrThrow();
    if (Number(row.n) === 0) throw new LastAdministratorError("Cannot remove the last administrator");
  };
  return {
    async countAdministrators() {
      const row = await db.selectFrom("users").select((eb) => eb.fn.countAll().as("n")).where("role", "=", "administrator").executeTakeFirstOrThrow();
      return Number(row.n);
    },
    createUser(input, actor) {
      const at = now();
      const row: UsersTable = { id: newId(), name: input.name, role: input.role, password_hash: input.passwordHash, created_at: at, updated_at: at };
      return write(async (trx) => {
        await trx.insertInto("users").values(row).execute();
        await auditIn(trx, at, { actor, action: "user.create", target: `user:${row.id}`, details: { name: row.name, role: row.role } });
        return toUser(row);
      });
    },
    async listUsers() {
      return (await db.selectFrom("users").selectAll().orderBy("name").execute()).map(toUser);
    },
    async getUser(id) {
      const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toUser(row);
    },
    async findUserByName(name): Promise<UserWithHash | undefined> {
      const row = await db.selectFrom("users").selectAll().where("name", "=", name).executeTakeFirst();
      return row && { ...toUser(row), passwordHash: row.password_hash };
    },
    updateUser(id, change, actor) {
      const at = now();
      return write(async (trx) => {
        await lockAdministrators(trx);
        const set: Partial<UsersTable> = { updated_at: at };
        if (change.role !== undefined) set.role = change.role;
        if (change.passwordHash !== undefined) set.password_hash = change.passwordHash;
        const row = await trx.updateTable("users").set(set).where("id", "=", id).returningAll().executeTakeFirst();
        if (row === undefined) return undefined;
        await stillAnAdministrator(trx);
        // A changed password or role ends the user's sessions: they log in again under the new terms.
        await trx.deleteFrom("sessions").where("user_id", "=", id).execute();
        await auditIn(trx, at, { actor, action: "user.update", target: `user:${id}`, details: { role: change.role, passwordChanged: change.passwordHash !== undefined } });
        return toUser(row);
      });
    },
    deleteUser(id, actor) {
      const at = now();
      return write(async (trx) => {
        await lockAdministrators(trx);
        const gone = await trx.deleteFrom("users").where("id", "=", id).executeTakeFirst();
        if (Number(gone.numDeletedRows) === 0) return false;
        await stillAnAdministrator(trx);
        await trx.deleteFrom("sessions").where("user_id", "=", id).execute();
        await auditIn(trx, at, { actor, action: "user.delete", target: `user:${id}` });
        return true;
      });
    },
    async createSession(session) {
      await db
        .insertInto("sessions")
        .values({ id: session.id, user_id: session.userId, csrf_token: session.csrfToken, created_at: now(), expires_at: session.expiresAt })
        .execute();
    },
    async getSession(id) {
      const row = await db
        .selectFrom("sessions as s")
        .innerJoin("users as u", "u.id", "s.user_id")
        .select(["s.id", "s.user_id", "s.csrf_token", "s.expires_at", "u.name", "u.role", "u.created_at"])
        .where("s.id", "=", id)
        .where("s.expires_at", ">", now())
        .executeTakeFirst();
      if (row === undefined) return undefined;
      return { id: row.id, userId: row.user_id, csrfToken: row.csrf_token, expiresAt: row.expires_at, user: toUser({ id: row.user_id, name: row.name, role: row.role, created_at: row.created_at }) };
    },
    async deleteSession(id) {
      await db.deleteFrom("sessions").where("id", "=", id).execute();
    },
    async recordLoginFailure(key) {
      const id = newId();
      await db.insertInto("login_attempts").values({ id, key, at: now() }).execute();
      return id;
    },
    async forgetLoginFailure(id) {
      await db.deleteFrom("login_attempts").where("id", "=", id).execute();
    },
    async loginFailuresSince(key, since) {
      const rows = await db.selectFrom("login_attempts").select("at").where("key", "=", key).where("at", ">=", since).orderBy("at").execute();
      return rows.map((r) => r.at);
    },
    async clearLoginFailures(key) {
      await db.deleteFrom("login_attempts").where("key", "=", key).execute();
    },
    async purgeExpiredSessions(at) {
      const gone = await db.deleteFrom("sessions").where("expires_at", "<=", at).executeTakeFirst();
      // Login attempts older than a day no longer count towards any limit.
      await db.deleteFrom("login_attempts").where("at", "<", new Date(Date.parse(at) - 86_400_000).toISOString()).execute();
      return Number(gone.numDeletedRows);
    },
  };
}
