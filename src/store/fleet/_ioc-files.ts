/**
 * IOC files: their bytes and the validation result the server computed on upload.
 *
 * @module
 */
import { auditIn, newId, parseJson, type Db, type FleetContext } from "./_context.js";
import type { Actor, FleetStore, IocDiagnosticRecord, IocFile, NewIocFile } from "./fleet-store.js";
import type { IocFilesTable } from "./schema.js";

const FILE_COLUMNS = [
  "id",
  "name",
  "sha256",
  "size",
  "uploaded_at",
  "uploaded_by",
  "usable",
  "generated",
  "ioc_id",
  "title",
  "openioc_version",
  "items",
  "supported_items",
  "diagnostics",
] as const;

const toFile = (r: Omit<IocFilesTable, "content">): IocFile => ({
  id: r.id,
  name: r.name,
  sha256: r.sha256,
  size: Number(r.size),
  uploadedAt: r.uploaded_at,
  uploadedBy: r.uploaded_by,
  usable: Number(r.usable) === 1,
  generated: Number(r.generated) === 1,
  iocId: r.ioc_id,
  title: r.title,
  openiocVersion: r.openioc_version,
  items: Number(r.items),
  supportedItems: Number(r.supported_items),
  diagnostics: parseJson<IocDiagnosticRecord[]>(r.diagnostics),
});

/** Stores an IOC file with its audit entry inside the caller's write transaction. */
export async function insertIocFile(trx: Db, input: NewIocFile, actor: Actor, at: string): Promise<IocFile> {
  const v = input.validation;
  const row: IocFilesTable = {
    id: newId(),
    name: input.name,
    sha256: input.sha256,
    size: input.content.byteLength,
    content: input.content,
    uploaded_at: at,
    uploaded_by: actor,
    usable: v.usable ? 1 : 0,
    generated: input.generated ? 1 : 0,
    ioc_id: v.iocId,
    title: v.title,
    openioc_version: v.openiocVersion,
    items: v.items,
    supported_items: v.supportedItems,
    diagnostics: JSON.stringify(v.diagnostics),
  };
  await trx.insertInto("ioc_files").values(row).execute();
  await auditIn(trx, at, { actor, action: "ioc-file.add", target: `ioc-file:${row.id}`, details: { name: row.name, sha256: row.sha256, usable: v.usable } });
  const { content: _content, ...rest } = row;
  return toFile(rest);
}

type IocFilePart = Pick<FleetStore, "addIocFile" | "listIocFiles" | "getIocFile" | "getIocFileContent" | "deleteIocFile" | "deviceMayReadIocFile">;

export function iocFilePart({ db, write, now }: FleetContext): IocFilePart {
  return {
    addIocFile(input, actor) {
      const at = now();
      return write((trx) => insertIocFile(trx, input, actor, at));
    },
    async listIocFiles() {
      return (await db.selectFrom("ioc_files").select(FILE_COLUMNS).orderBy("uploaded_at", "desc").orderBy("id").execute()).map(toFile);
    },
    async getIocFile(id) {
      const row = await db.selectFrom("ioc_files").select(FILE_COLUMNS).where("id", "=", id).executeTakeFirst();
      return row && toFile(row);
    },
    async getIocFileContent(id) {
      const row = await db.selectFrom("ioc_files").select("content").where("id", "=", id).executeTakeFirst();
      return row && new Uint8Array(row.content);
    },
    deleteIocFile(id, actor) {
      const at = now();
      return write(async (trx) => {
        const used = await trx.selectFrom("task_ioc_files").select("task_id").where("ioc_file_id", "=", id).executeTakeFirst();
        if (used !== undefined) return "in-use" as const;
        const gone = await trx.deleteFrom("ioc_files").where("id", "=", id).executeTakeFirst();
        if (Number(gone.numDeletedRows) === 0) return "not-found" as const;
        await auditIn(trx, at, { actor, action: "ioc-file.delete", target: `ioc-file:${id}` });
        return "deleted" as const;
      });
    },
    async deviceMayReadIocFile(deviceId, iocFileId) {
      const row = await db
        .selectFrom("task_runs as r")
        .innerJoin("task_ioc_files as f", "f.task_id", "r.task_id")
        .select("r.id")
        .where("r.device_id", "=", deviceId)
        .where("f.ioc_file_id", "=", iocFileId)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
