/**
 * `/enrollment-tokens`: administrators create (the token is shown once), list and revoke them.
 *
 * @module
 */
import { z } from "zod";
import { hashSecret, newSecret } from "../auth/secrets.js";
import type { ServerContext } from "../context.js";
import { HttpError, notFound } from "../http-error.js";
import { route, type AnyRoute } from "../route.js";
import { CreateTokenBody, TokenOut } from "../schemas.js";

export function enrollmentRoutes(ctx: ServerContext): AnyRoute[] {
  const { store } = ctx;
  return [
    route({
      method: "get",
      path: "/enrollment-tokens",
      access: "administrator",
      summary: "List enrollment tokens (never their secret)",
      response: { status: 200, schema: z.object({ items: z.array(TokenOut) }) },
      async handle({ c }) {
        return c.json({ items: await store.listEnrollmentTokens() });
      },
    }),
    route({
      method: "post",
      path: "/enrollment-tokens",
      access: "administrator",
      summary: "Create an enrollment token for a group; the answer holds the token, shown this once",
      body: CreateTokenBody,
      response: { status: 201, schema: TokenOut.extend({ token: z.string() }) },
      async handle({ c, body, user }) {
        if ((await store.getGroup(body.groupId)) === undefined) throw new HttpError(400, "invalid-request", `Invalid body: "groupId": no group "${body.groupId}"`);
        const token = newSecret();
        const expiresAt = new Date(ctx.now().getTime() + body.expiresInHours * 3_600_000).toISOString();
        const created = await store.createEnrollmentToken({ tokenHash: hashSecret(token), groupId: body.groupId, expiresAt }, `user:${user?.name ?? ""}`);
        return c.json({ ...created, token }, 201);
      },
    }),
    route({
      method: "post",
      path: "/enrollment-tokens/:id/revoke",
      access: "administrator",
      summary: "Revoke an enrollment token",
      response: { status: 204 },
      async handle({ c, params, user }) {
        const id = params["id"] ?? "";
        if (!(await store.revokeEnrollmentToken(id, `user:${user?.name ?? ""}`))) throw notFound("enrollment token", id);
        return c.body(null, 204);
      },
    }),
  ];
}
