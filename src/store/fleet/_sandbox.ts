/**
 * The sandbox intake's tables (issue 9): integration tokens, the response policy (a row of the
 * settings table), the detections received, and the de-duplication of stand-alone tasks.
 *
 * @module
 */
import { auditIn, newId, page, parseJson, type FleetContext } from "./_context.js";
import { insertIocFile } from "./_ioc-files.js";
import { insertTask, loadTask } from "./_tasks.js";
import { DEFAULT_SANDBOX_POLICY, type FleetStore, type SandboxDetection, type SandboxPolicy, type SandboxToken } from "./fleet-store.js";
import type { SandboxDetectionsTable, SandboxTokensTable } from "./schema.js";

/** The settings-table key of the policy (`getSettings` reads only its own keys, so they never mix). */
const POLICY_KEY = "sandboxPolicy";

const toToken = (r: Omit<SandboxTokensTable, "token_hash">): SandboxToken => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  createdBy: r.created_by,
  revoked: Number(r.revoked) === 1,
  lastUsedAt: r.last_used_at,
  uses: Number(r.uses),
});

const TOKEN_COLUMNS = ["id", "name", "created_at", "created_by", "revoked", "last_used_at", "uses"] as const;

const toDetection = (r: SandboxDetectionsTable): SandboxDetection => ({
  id: r.id,
  receivedAt: r.received_at,
  tokenId: r.token_id,
  format: r.format,
  verdict: r.verdict,
  score: r.score === null ? null : Number(r.score),
  sample: { name: r.sample_name, md5: r.sample_md5, sha1: r.sample_sha1, sha256: r.sample_sha256 },
  reportId: r.report_id,
  deviceId: r.device_id,
  hostname: r.hostname,
  taskId: r.task_id,
  reused: Number(r.reused) === 1,
  generated: Number(r.generated) === 1,
  reason: r.reason,
  items: r.items === null ? null : Number(r.items),
  dropped: Number(r.dropped),
});

type SandboxPart = Pick<
  FleetStore,
  | "createSandboxToken"
  | "listSandboxTokens"
  | "revokeSandboxToken"
  | "useSandboxToken"
  | "getSandboxPolicy"
  | "setSandboxPolicy"
  | "createStandaloneTaskOnce"
  | "recordSandboxDetection"
  | "listSandboxDetections"
  | "purgeSandboxDetectionsBefore"
>;

export function sandboxPart({ db, write, now }: FleetContext, settings: () => Promise<{ standaloneTaskDays: number }>): SandboxPart {
  return {
    createSandboxToken(input, actor) {
      const at = now();
      const row: SandboxTokensTable = { id: newId(), name: input.name, token_hash: input.tokenHash, created_at: at, created_by: actor, revoked: 0, last_used_at: null, uses: 0 };
      return write(async (trx) => {
        await trx.insertInto("sandbox_tokens").values(row).execute();
        await auditIn(trx, at, { actor, action: "sandbox-token.create", target: `sandbox-token:${row.id}`, details: { name: row.name } });
        const { token_hash: _hash, ...rest } = row;
        return toToken(rest);
      });
    },
    async listSandboxTokens() {
      return (await db.selectFrom("sandbox_tokens").select(TOKEN_COLUMNS).orderBy("created_at", "desc").orderBy("id").execute()).map(toToken);
    },
    revokeSandboxToken(id, actor) {
      const at = now();
      return write(async (trx) => {
        const done = await trx.updateTable("sandbox_tokens").set({ revoked: 1 }).where("id", "=", id).executeTakeFirst();
        if (Number(done.numUpdatedRows) === 0) return false;
        await auditIn(trx, at, { actor, action: "sandbox-token.revoke", target: `sandbox-token:${id}` });
        return true;
      });
    },
    useSandboxToken(tokenHash) {
      const at = now();
      return write(async (trx) => {
        const row = await trx
          .updateTable("sandbox_tokens")
          .set((eb) => ({ uses: eb("uses", "+", 1), last_used_at: at }))
          .where("token_hash", "=", tokenHash)
          .where("revoked", "=", 0)
          .returning(TOKEN_COLUMNS)
          .executeTakeFirst();
        return row && toToken(row);
      });
    },
    async getSandboxPolicy() {
      const row = await db.selectFrom("settings").select("value").where("key", "=", POLICY_KEY).executeTakeFirst();
      return row === undefined ? DEFAULT_SANDBOX_POLICY : { ...DEFAULT_SANDBOX_POLICY, ...parseJson<Partial<SandboxPolicy>>(row.value) };
    },
    setSandboxPolicy(policy, actor) {
      const at = now();
      const value = JSON.stringify(policy);
      return write(async (trx) => {
        await trx
          .insertInto("settings")
          .values({ key: POLICY_KEY, value })
          .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
          .execute();
        await auditIn(trx, at, { actor, action: "sandbox-policy.update", target: "sandbox-policy", details: policy });
        return policy;
      });
    },
    async createStandaloneTaskOnce(input, actor) {
      const at = now();
      const days = (await settings()).standaloneTaskDays;
      return write(async (trx) => {
        // The upsert takes the key row's lock (PostgreSQL waits here for a concurrent intake of the
        // same key to commit; SQLite serialises write transactions anyway), so the check below and
        // the creation are one step for each key.
        await trx
          .insertInto("standalone_task_keys")
          .values({ key: input.key, task_id: null, updated_at: at })
          .onConflict((oc) => oc.column("key").doUpdateSet({ updated_at: at }))
          .execute();
        const held = await trx.selectFrom("standalone_task_keys").select("task_id").where("key", "=", input.key).executeTakeFirstOrThrow();
        const previous = held.task_id === null ? undefined : await loadTask(trx, held.task_id);
        if (previous !== undefined && previous.createdAt >= input.since) return { task: previous, reused: true };
        const file = await insertIocFile(trx, { ...input.iocFile, generated: true }, actor, at);
        const task = await insertTask(trx, { ...input.task, iocFileIds: [file.id], standalone: true }, actor, at, days);
        await trx.updateTable("standalone_task_keys").set({ task_id: task.id }).where("key", "=", input.key).execute();
        return { task, reused: false };
      });
    },
    async recordSandboxDetection(input) {
      const row: SandboxDetectionsTable = {
        id: newId(),
        received_at: now(),
        token_id: input.tokenId,
        format: input.format,
        verdict: input.verdict,
        score: input.score,
        sample_name: input.sample.name,
        sample_md5: input.sample.md5,
        sample_sha1: input.sample.sha1,
        sample_sha256: input.sample.sha256,
        report_id: input.reportId,
        device_id: input.deviceId,
        hostname: input.hostname,
        task_id: input.taskId,
        reused: input.reused ? 1 : 0,
        generated: input.generated ? 1 : 0,
        reason: input.reason,
        items: input.items,
        dropped: input.dropped,
      };
      await write((trx) => trx.insertInto("sandbox_detections").values(row).execute());
      return toDetection(row);
    },
    async purgeSandboxDetectionsBefore(before) {
      const gone = await write((trx) => trx.deleteFrom("sandbox_detections").where("received_at", "<", before).executeTakeFirst());
      return Number(gone.numDeletedRows);
    },
    async listSandboxDetections(options = {}) {
      const { limit, offset } = page(options);
      let query = db.selectFrom("sandbox_detections");
      if (options.taskId !== undefined) query = query.where("task_id", "=", options.taskId);
      const total = await query.select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
      const rows = await query.selectAll().orderBy("received_at", "desc").orderBy("id", "desc").limit(limit).offset(offset).execute();
      return { detections: rows.map(toDetection), total: Number(total.n) };
    },
  };
}
