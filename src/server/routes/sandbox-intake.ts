/**
 * The sandbox intake (issue 9): a report in, the OpenIOC file generated from it, and the
 * stand-alone task of the response policy created for the detecting device's group (or the
 * policy's group), or reused when the same sample came for the same group within the
 * de-duplication window. Every detection is recorded, whatever came of it.
 *
 * Answers: 201 task created; 200 task reused (`reused: true`); 200 no IOC (a clean or empty
 * report: not the sandbox's fault, so not an error), with the reason; 422 when the body is not a
 * report of a known format, the device is unknown, or the generated file is unusable.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { SandboxReportError, type IocFromReport, type IocFromReportResult, type SandboxReportSummary } from "../../formats/sandbox/index.js";
import type { Device, NewSandboxDetection, SandboxDetection, SandboxToken, TaskOrigin } from "../../store/fleet/index.js";
import type { ServerContext } from "../context.js";
import { HttpError } from "../http-error.js";
import type { SandboxDetectionBody, SandboxIntakeOut } from "../schemas.js";
import { createStandaloneTaskOnce } from "../standalone.js";

type Body = z.infer<typeof SandboxDetectionBody>;
type Answer = { status: 200 | 201; body: z.input<typeof SandboxIntakeOut> };

const HOUR_MS = 3_600_000;

/** The device the detection names (body first, then the report), or why it cannot be used. */
async function findDevice(ctx: ServerContext, named: { id?: string | undefined; hostname?: string | undefined } | undefined): Promise<{ device?: Device; problem?: string }> {
  if (named?.id !== undefined) {
    const device = await ctx.store.getDevice(named.id);
    return device === undefined ? { problem: `no device "${named.id}"` } : { device };
  }
  if (named?.hostname !== undefined) {
    const exact = await ctx.store.findDevicesByHostname(named.hostname);
    if (exact.length === 1 && exact[0] !== undefined) return { device: exact[0] };
    return { problem: exact.length === 0 ? `no device with host name "${named.hostname}"` : `${exact.length} devices have host name "${named.hostname}": name the device by id` };
  }
  return { problem: "the detection names no device (send device.id or device.hostname)" };
}

/**
 * What makes two detections the same sample: `sha256:<hex>`, else md5, else sha1, else the
 * sandbox's report id; a report with none of them is never de-duplicated.
 */
function sampleKey(summary: SandboxReportSummary): string {
  const { sha256, md5, sha1 } = summary.sample;
  if (sha256 !== undefined) return `sha256:${sha256.toLowerCase()}`;
  if (md5 !== undefined) return `md5:${md5.toLowerCase()}`;
  if (sha1 !== undefined) return `sha1:${sha1.toLowerCase()}`;
  if (summary.reportId !== undefined) return `report:${summary.format}:${summary.reportId}`;
  return `unique:${randomUUID()}`;
}

function originOf(summary: SandboxReportSummary): TaskOrigin {
  return {
    kind: "sandbox",
    sample: { ...summary.sample },
    verdict: summary.verdict,
    format: summary.format,
    ...(summary.score === undefined ? {} : { score: summary.score }),
    ...(summary.reportId === undefined ? {} : { reportId: summary.reportId }),
    ...(summary.detectedOn === undefined ? {} : { detectedOn: { ...summary.detectedOn } }),
  };
}

/** Handles one posted detection; throws an HttpError (after recording it) for a 422. */
export async function receiveDetection(ctx: ServerContext, iocFromReport: IocFromReport, token: SandboxToken, body: Body): Promise<Answer> {
  const { store } = ctx;
  const record = (result: IocFromReportResult | undefined, change: Partial<NewSandboxDetection>): Promise<SandboxDetection> => {
    const summary = result?.summary;
    return store.recordSandboxDetection({
      tokenId: token.id,
      format: summary?.format ?? null,
      verdict: summary?.verdict ?? null,
      score: summary?.score ?? null,
      sample: { name: summary?.sample.name ?? null, md5: summary?.sample.md5 ?? null, sha1: summary?.sample.sha1 ?? null, sha256: summary?.sample.sha256 ?? null },
      reportId: summary?.reportId ?? null,
      deviceId: null,
      hostname: body.device?.hostname ?? summary?.detectedOn?.hostname ?? null,
      taskId: null,
      reused: false,
      generated: result?.generated ?? false,
      reason: null,
      items: result?.generated === true ? result.items : null,
      dropped: result?.dropped.length ?? 0,
      ...change,
    });
  };
  const refuse = async (result: IocFromReportResult | undefined, code: string, reason: string): Promise<never> => {
    const detection = await record(result, { reason });
    throw new HttpError(422, code, reason, { details: { detection } });
  };

  let result: IocFromReportResult;
  try {
    result = iocFromReport(body.report, { format: body.format, now: ctx.now() });
  } catch (error) {
    // Thrown (naming the JSON path) for a report that claims a format and breaks it.
    if (error instanceof SandboxReportError) return refuse(undefined, "invalid-report", `The report is not valid: ${error.message}`);
    throw error;
  }
  if (result.summary === undefined) return refuse(result, "invalid-report", result.generated ? "The report has no summary" : result.reason);
  const summary = result.summary;
  if (!result.generated) {
    const detection = await record(result, { reason: result.reason });
    return { status: 200, body: { generated: false, reused: false, task: null, reason: result.reason, ioc: null, dropped: [...result.dropped], detection } };
  }

  const policy = await store.getSandboxPolicy();
  const named = body.device ?? (summary.detectedOn === undefined ? undefined : { id: summary.detectedOn.deviceId, hostname: summary.detectedOn.hostname });
  const found = await findDevice(ctx, named);
  let groupId: string;
  if (policy.target.kind === "group") {
    groupId = policy.target.groupId;
    if ((await store.getGroup(groupId)) === undefined) return refuse(result, "no-target-group", `The sandbox policy's group "${groupId}" no longer exists: change the policy`);
  } else {
    if (found.device === undefined) return refuse(result, "unknown-device", `Cannot target the detecting device's group: ${found.problem ?? "no device"}`);
    groupId = found.device.groupId;
  }
  const deviceFields = { deviceId: found.device?.id ?? null, hostname: found.device?.hostname ?? named?.hostname ?? null };

  let outcome;
  try {
    outcome = await createStandaloneTaskOnce(store, ctx.notifier, {
      name: `Sandbox: ${summary.sample.name ?? summary.sample.sha256 ?? summary.sample.md5 ?? result.fileName}`,
      ioc: { name: result.fileName, content: new TextEncoder().encode(result.xml) },
      target: { kind: "group", groupId },
      settings: policy.settings,
      runMode: policy.runMode,
      ...(policy.window === null ? {} : { window: policy.window }),
      actor: `sandbox:${token.name}`,
      origin: originOf(summary),
      // dedupHours 0: a key of its own, so nothing is reused.
      reuse: { key: `${groupId}|${policy.dedupHours === 0 ? `unique:${randomUUID()}` : sampleKey(summary)}`, since: new Date(ctx.now().getTime() - policy.dedupHours * HOUR_MS).toISOString() },
    });
  } catch (error) {
    if (error instanceof RangeError) return refuse(result, "unusable-ioc", error.message);
    throw error;
  }
  const detection = await record(result, { ...deviceFields, taskId: outcome.task.id, reused: outcome.reused });
  return {
    status: outcome.reused ? 200 : 201,
    body: { generated: true, reused: outcome.reused, task: outcome.task, reason: null, ioc: { fileName: result.fileName, items: result.items }, dropped: [...result.dropped], detection },
  };
}
