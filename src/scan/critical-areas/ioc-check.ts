/**
 * The task's IOCs over the areas: a FileItem record for each area file (through the FileItem
 * collector: the same fields, prefilter and hash cache as a scan), records built here for what
 * is not a plain file (a deleted executable read through /proc/PID/exe, a disk's first sectors),
 * and the ProcessItem, ModuleItem, ServiceItem and TaskItem records of the collectors.
 *
 * Area files reach the FileItem collector in memory form (src/shared/path-text.ts), which opens
 * them by their exact bytes and gives each record the text form as its id, the object's `id`.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { fileCollector, type HashCache } from "../../collectors/file/index.js";
import { pathFields } from "../../collectors/file/fields.js";
import type { Collector, HostRecord } from "../../collectors/types.js";
import { fsPath } from "../../shared/fs-path.js";
import { createPrefilter, DIGEST_FIELD, digestsFor, type EvaluationPlan, type FieldValue } from "../../core/compile/index.js";
import { createEvaluation, type Detection } from "../../core/evaluate/index.js";
import type { AreaContext, AreaObject } from "./area-context.js";
import type { CriticalArea } from "./types.js";

const CHEAP_FILE_FIELDS = ["FullPath", "FilePath", "FileName", "FileExtension", "SizeInBytes"];

/** The area of each document the collectors give. */
export const DOCUMENT_AREA: Readonly<Record<string, CriticalArea>> = {
  ProcessItem: "processes",
  ModuleItem: "kernel-modules",
  ServiceItem: "startup-objects",
  TaskItem: "startup-objects",
};

/** The detections of the plan's IOCs on the area objects and the collectors' records. */
export async function checkIocs(
  ctx: AreaContext,
  plan: EvaluationPlan,
  collectors: readonly Collector<unknown>[],
  areas: ReadonlySet<CriticalArea>,
  hashCache: HashCache | undefined,
): Promise<Detection[]> {
  const run = collectors.filter((c) => {
    const area = DOCUMENT_AREA[c.document];
    return area !== undefined && areas.has(area) && plan.documents.has(c.document) && (!c.liveOnly || ctx.host.live);
  });
  const evaluation = createEvaluation(plan, { availableDocuments: ["FileItem", ...run.map((c) => c.document)] });
  const add = (record: HostRecord): void => {
    evaluation.addRecord(record);
    ctx.count("iocRecords");
  };

  for (const collector of run) {
    if (ctx.stopped()) break;
    const wanted = plan.documents.get(collector.document)?.fields.filter((f) => collector.fields.includes(f)) ?? [];
    try {
      for await (const record of collector.collect(ctx.collectorContext(wanted, collector.document), undefined)) add(record);
    } catch (error) {
      ctx.warn({ code: "collector-failed", message: `${collector.name}: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  const filePlan = plan.documents.get("FileItem");
  if (filePlan !== undefined && !ctx.stopped()) {
    const prefilter = createPrefilter(plan, "FileItem", CHEAP_FILE_FIELDS);
    const objects = [...ctx.objects.values()];
    const fileObjects = objects.filter((o) => o.source.kind === "file");
    const files = fileObjects.map((o) => o.fullPath);
    const context = ctx.collectorContext(filePlan.fields, "FileItem");
    if (files.length > 0) {
      const options = {
        scopes: files,
        maxHashBytes: ctx.limits.maxFileBytes,
        decide: (cheap: Parameters<typeof prefilter.decide>[0]) => prefilter.decide(cheap),
        ...(hashCache !== undefined ? { hashCache } : {}),
      };
      for await (const record of fileCollector.collect(context, options)) {
        add(record);
        if (ctx.stopped()) break;
      }
    }
    for (const object of objects) {
      if (object.source.kind === "file" || ctx.stopped()) continue;
      const record = await byteRecord(ctx, object, prefilter.decide.bind(prefilter));
      if (record !== undefined) add(record);
    }
  }
  return evaluation.finish();
}

type Decide = ReturnType<typeof createPrefilter>["decide"];

/**
 * The FileItem record of an object that is no plain file: path fields from its former path (in
 * text form, as pathFields writes them), size and digests from its bytes.
 */
async function byteRecord(ctx: AreaContext, object: AreaObject, decide: Decide): Promise<HostRecord | undefined> {
  const fields: Record<string, FieldValue> = pathFields(object.fullPath);
  let size: number;
  try {
    size = object.source.kind === "bytes" ? object.source.bytes.length : (await stat(fsPath(object.source.kind === "open" ? object.source.disk : ctx.host.toDisk(object.fullPath)))).size;
  } catch (error) {
    ctx.warn({ code: "vanished", message: `cannot stat ${object.id} (${(error as NodeJS.ErrnoException).code ?? "error"})`, path: object.id });
    return undefined;
  }
  fields["SizeInBytes"] = size;
  const decision = decide(fields);
  if (!decision.mayMatch) return undefined;
  const algorithms = digestsFor(decision.fields);
  if (algorithms.length > 0) {
    if (size > ctx.limits.maxFileBytes) {
      ctx.warn({ code: "too-large", message: `not hashed: ${size} bytes, over the limit of ${ctx.limits.maxFileBytes}`, path: object.id });
    } else {
      const hashes: [string, Hash][] = algorithms.map((a) => [DIGEST_FIELD[a], createHash(a)]);
      try {
        if (object.source.kind === "bytes") for (const [, hash] of hashes) hash.update(object.source.bytes);
        else if (object.source.kind === "open") {
          for await (const chunk of createReadStream(fsPath(object.source.disk), { end: ctx.limits.maxFileBytes })) for (const [, hash] of hashes) hash.update(chunk as Buffer);
        }
        for (const [field, hash] of hashes) fields[field] = hash.digest("hex");
        ctx.count("filesHashed");
      } catch (error) {
        ctx.warn({ code: "read-error", message: `cannot read ${object.id} (${(error as NodeJS.ErrnoException).code ?? "error"})`, path: object.id });
      }
    }
  }
  return { document: "FileItem", id: object.id, fields };
}
