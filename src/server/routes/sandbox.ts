/**
 * `/sandbox`: integration tokens and the response policy (administrators), the detections
 * received (viewers), and the intake itself (`POST /sandbox/detections`, a sandbox token), which
 * ./sandbox-intake.ts implements.
 *
 * @module
 */
import { z } from "zod";
import type { IocFromReport } from "../../formats/sandbox/types.js";
import { hashSecret, newSecret } from "../auth/secrets.js";
import type { ServerContext } from "../context.js";
import { HttpError, notFound } from "../http-error.js";
import { route, type AnyRoute } from "../route.js";
import { CreateSandboxTokenBody, pageOf, SandboxDetectionBody, SandboxDetectionOut, SandboxDetectionQuery, SandboxIntakeOut, SandboxPolicy, SandboxTokenOut } from "../schemas.js";
import { receiveDetection } from "./sandbox-intake.js";

export function sandboxRoutes(ctx: ServerContext, iocFromReport: IocFromReport): AnyRoute[] {
  const { store } = ctx;
  const actorOf = (user: { name: string } | undefined): string => `user:${user?.name ?? ""}`;
  return [
    route({
      method: "get",
      path: "/sandbox/tokens",
      access: "administrator",
      summary: "List sandbox integration tokens (never their secret)",
      response: { status: 200, schema: z.object({ items: z.array(SandboxTokenOut) }) },
      async handle({ c }) {
        return c.json({ items: await store.listSandboxTokens() });
      },
    }),
    route({
      method: "post",
      path: "/sandbox/tokens",
      access: "administrator",
      summary: "Create a sandbox integration token; the answer holds the token, shown this once",
      body: CreateSandboxTokenBody,
      response: { status: 201, schema: SandboxTokenOut.extend({ token: z.string() }) },
      async handle({ c, body, user }) {
        const token = newSecret();
        const created = await store.createSandboxToken({ name: body.name, tokenHash: hashSecret(token) }, actorOf(user));
        return c.json({ ...created, token }, 201);
      },
    }),
    route({
      method: "post",
      path: "/sandbox/tokens/:id/revoke",
      access: "administrator",
      summary: "Revoke a sandbox integration token",
      response: { status: 204 },
      async handle({ c, params, user }) {
        const id = params["id"] ?? "";
        if (!(await store.revokeSandboxToken(id, actorOf(user)))) throw notFound("sandbox token", id);
        return c.body(null, 204);
      },
    }),
    route({
      method: "get",
      path: "/sandbox/policy",
      access: "administrator",
      summary: "The sandbox response policy: target group, task settings, run mode, de-duplication window",
      response: { status: 200, schema: SandboxPolicy },
      async handle({ c }) {
        return c.json(await store.getSandboxPolicy());
      },
    }),
    route({
      method: "put",
      path: "/sandbox/policy",
      access: "administrator",
      summary: "Replace the sandbox response policy (absent fields take their defaults)",
      body: SandboxPolicy,
      response: { status: 200, schema: SandboxPolicy },
      async handle({ c, body, user }) {
        if (body.target.kind === "group" && (await store.getGroup(body.target.groupId)) === undefined) {
          throw new HttpError(400, "invalid-request", `Invalid body: "target.groupId": no group "${body.target.groupId}"`);
        }
        return c.json(await store.setSandboxPolicy(body, actorOf(user)));
      },
    }),
    route({
      method: "get",
      path: "/sandbox/detections",
      access: "viewer",
      summary: "Detections sandboxes posted, newest first, with the task made or reused, or why none",
      query: SandboxDetectionQuery,
      response: { status: 200, schema: pageOf(SandboxDetectionOut) },
      async handle({ c, query }) {
        const { detections, total } = await store.listSandboxDetections({ limit: query.limit, offset: query.offset, ...(query.taskId === undefined ? {} : { taskId: query.taskId }) });
        return c.json({ items: detections, total });
      },
    }),
    route({
      method: "post",
      path: "/sandbox/detections",
      access: "sandbox",
      summary:
        "Intake of a sandbox detection: generates the OpenIOC file and creates (201) or reuses (200, reused: true) the stand-alone task of the response policy; no IOC: 200 with the reason; not a report: 422",
      body: SandboxDetectionBody,
      response: { status: 201, schema: SandboxIntakeOut },
      async handle({ c, body, sandboxToken }) {
        if (sandboxToken === undefined) throw new Error("unreachable: the sandbox route is mounted with token authentication");
        const answer = await receiveDetection(ctx, iocFromReport, sandboxToken, body);
        return c.json(answer.body, answer.status);
      },
    }),
  ];
}
