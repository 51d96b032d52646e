/**
 * The agent endpoints, exactly as src/core/api/agent-protocol.ts defines them. A device sees only
 * its own runs, commands and IOC files and writes only its own results (403 otherwise).
 *
 * @module
 */
import { createHash, randomUUID } from "node:crypto";
import {
  AGENT_API_PREFIX,
  CommandResult,
  EnrollRequest,
  EnrollResponse,
  Heartbeat,
  HeartbeatResponse,
  QuarantineInventory,
  RunProgress,
  RunResult,
  RunResultResponse,
  ScanReportSchema,
  WorkResponse,
} from "../../core/api/index.js";
import type { ScanReport } from "../../core/report/index.js";
import type { RunAccess } from "../../store/fleet/index.js";
import { hashSecret, newSecret } from "../auth/secrets.js";
import type { ServerContext } from "../context.js";
import { HttpError, invalidInput, notFound } from "../http-error.js";
import { route, type AnyRoute } from "../route.js";
import { WaitQuery } from "../schemas.js";

const PREFIX = AGENT_API_PREFIX.replace(/^\/api\/v1/, "");

function allow(access: RunAccess, what: string, id: string): void {
  if (access === "not-found") throw notFound(what, id);
  if (access === "forbidden") throw new HttpError(403, "forbidden", `The ${what} "${id}" belongs to another device`);
}

export function agentRoutes(ctx: ServerContext): AnyRoute[] {
  const { store, notifier } = ctx;

  /** Waits until the device is notified, `ms` pass, the client leaves or the server closes. */
  const waitForWork = (deviceId: string, ms: number, signal: AbortSignal): { woken: Promise<void>; cancel: () => void } => {
    let cancel = (): void => {};
    const woken = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      const unsubscribe = notifier.subscribe(deviceId, resolve);
      const onAbort = (): void => resolve();
      signal.addEventListener("abort", onAbort);
      cancel = () => {
        clearTimeout(timer);
        unsubscribe();
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      void ctx.closing.then(resolve);
    });
    return { woken, cancel };
  };

  return [
    route({
      method: "post",
      path: `${PREFIX}/enroll`,
      access: "public",
      summary: "Agent: enroll with an enrollment token; answers the device credential (shown once)",
      body: EnrollRequest,
      response: { status: 201, schema: EnrollResponse },
      async handle({ c, body }) {
        const deviceId = randomUUID();
        const secret = newSecret();
        const device = await store.enrollDevice({
          tokenHash: hashSecret(body.token),
          deviceId,
          credentialHash: hashSecret(secret),
          hostname: body.hostname,
          os: body.os,
          agentVersion: body.agentVersion,
        });
        if (device === undefined) throw new HttpError(401, "bad-token", "The enrollment token is unknown, revoked or expired");
        return c.json({ deviceId, credential: `${deviceId}.${secret}`, groupId: device.groupId } satisfies EnrollResponse, 201);
      },
    }),
    route({
      method: "post",
      path: `${PREFIX}/heartbeat`,
      access: "device",
      summary: "Agent: report what the agent is doing",
      body: Heartbeat,
      response: { status: 200, schema: HeartbeatResponse },
      async handle({ c, body, device }) {
        await store.recordHeartbeat(device?.id ?? "", body);
        return c.json({ serverTime: ctx.now().toISOString() } satisfies HeartbeatResponse);
      },
    }),
    route({
      method: "get",
      path: `${PREFIX}/work`,
      access: "device",
      summary: "Agent: long poll (wait 0..60 s) for run orders and commands",
      query: WaitQuery,
      response: { status: 200, schema: WorkResponse },
      async handle({ c, query, device }) {
        const deviceId = device?.id ?? "";
        await store.touchDevice(deviceId);
        await store.joinGroupTasks(deviceId);
        const deadline = Date.now() + query.wait * 1000;
        const closePoll = ctx.metrics.longPollOpened();
        try {
          for (;;) {
            // Subscribe before reading, so that work arriving in between still wakes this poll.
            const wait = waitForWork(deviceId, Math.max(0, deadline - Date.now()), c.req.raw.signal);
            try {
              const work = await store.claimWork(deviceId, ctx.orderLeaseMs);
              const done = work.runs.length > 0 || work.commands.length > 0 || Date.now() >= deadline || c.req.raw.signal.aborted;
              if (done) {
                const answer: WorkResponse = { runs: work.runs, commands: work.commands.map((k) => ({ id: k.id, kind: k.kind, quarantineId: k.quarantineId })) };
                return c.json(answer);
              }
              await wait.woken;
            } finally {
              wait.cancel();
            }
            if (ctx.isClosing()) return c.json({ runs: [], commands: [] } satisfies WorkResponse);
          }
        } finally {
          closePoll();
        }
      },
    }),
    route({
      method: "get",
      path: `${PREFIX}/ioc-files/:id`,
      access: "device",
      summary: "Agent: the bytes of an IOC file of one of the device's runs",
      response: { status: 200, contentType: "application/xml" },
      async handle({ c, params, device }) {
        const id = params["id"] ?? "";
        const content = await store.getIocFileContent(id);
        if (content === undefined) throw notFound("IOC file", id);
        if (!(await store.deviceMayReadIocFile(device?.id ?? "", id))) throw new HttpError(403, "forbidden", `IOC file "${id}" belongs to no run of this device`);
        return c.body(new Uint8Array(content), 200, { "Content-Type": "application/xml" });
      },
    }),
    route({
      method: "post",
      path: `${PREFIX}/runs/:runId/progress`,
      access: "device",
      summary: "Agent: a run's state and percent",
      body: RunProgress,
      response: { status: 204 },
      async handle({ c, body, params, device }) {
        const runId = params["runId"] ?? "";
        allow(await store.runAccess(runId, device?.id ?? ""), "run", runId);
        await store.recordProgress(runId, { state: body.state, percent: body.percent, at: body.at, ...(body.detail === undefined ? {} : { detail: body.detail }) });
        return c.body(null, 204);
      },
    }),
    route({
      method: "post",
      path: `${PREFIX}/runs/:runId/result`,
      access: "device",
      summary: "Agent: a run's final result with its scan report; idempotent",
      body: RunResult,
      response: { status: 200, schema: RunResultResponse },
      async handle({ c, body, params, device }) {
        const runId = params["runId"] ?? "";
        allow(await store.runAccess(runId, device?.id ?? ""), "run", runId);
        let report: ScanReport | undefined;
        if (body.report !== undefined) {
          const parsed = ScanReportSchema.safeParse(body.report);
          if (!parsed.success) {
            for (const issue of parsed.error.issues) issue.path.unshift("report");
            throw invalidInput("body", parsed.error);
          }
          report = parsed.data;
        }
        const digest = createHash("sha256").update(JSON.stringify(body)).digest("hex");
        const outcome = await store.recordResult(runId, {
          state: body.state,
          startedAt: body.startedAt,
          finishedAt: body.finishedAt,
          digest,
          ...(body.reason === undefined ? {} : { reason: body.reason }),
          ...(report === undefined ? {} : { report }),
        });
        ctx.metrics.resultRecorded(outcome.stored);
        return c.json(outcome satisfies RunResultResponse);
      },
    }),
    route({
      method: "post",
      path: `${PREFIX}/quarantine`,
      access: "device",
      summary: "Agent: the device's whole quarantine store, replacing what the server knew",
      body: QuarantineInventory,
      response: { status: 204 },
      async handle({ c, body, device }) {
        await store.replaceQuarantine(
          device?.id ?? "",
          body.entries.map((e) => ({ ...e, scanId: e.scanId ?? null, iocId: e.iocId ?? null })),
        );
        return c.body(null, 204);
      },
    }),
    route({
      method: "post",
      path: `${PREFIX}/commands/:id/result`,
      access: "device",
      summary: "Agent: the result of a console command",
      body: CommandResult,
      response: { status: 204 },
      async handle({ c, body, params, device }) {
        const id = params["id"] ?? "";
        allow(await store.commandAccess(id, device?.id ?? ""), "command", id);
        await store.recordCommandResult(id, body);
        return c.body(null, 204);
      },
    }),
  ];
}
