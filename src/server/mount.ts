/**
 * Puts the route table on a Hono app: for each route, authentication by its `access`, the CSRF
 * and Origin checks on changes, and validation of path, query and body (400 naming the field).
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { authenticateDevice, authenticateSandbox, authenticateUser, checkCsrf, checkOrigin } from "./auth/authenticate.js";
import type { ServerContext } from "./context.js";
import { HttpError, invalidInput } from "./http-error.js";
import { changesState, ROLE_RANK, type AnyRoute } from "./route.js";

export const API_PREFIX = "/api/v1";

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, "invalid-json", `The body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Registers every route of `routes` on `app`. */
export function mountRoutes(app: Hono, routes: readonly AnyRoute[], ctx: ServerContext, allowedOrigins: readonly string[]): void {
  for (const spec of routes) {
    app.on(spec.method.toUpperCase(), `${API_PREFIX}${spec.path}`, async (c) => {
      let user;
      let device;
      let sandboxToken;
      if (spec.access === "device") {
        device = await authenticateDevice(c, ctx.store);
      } else if (spec.access === "sandbox") {
        sandboxToken = await authenticateSandbox(c, ctx.store);
      } else if (spec.access === "public") {
        if (changesState(spec.method)) checkOrigin(c, allowedOrigins);
      } else {
        const session = await authenticateUser(c, ctx.store);
        if (changesState(spec.method)) {
          checkOrigin(c, allowedOrigins);
          checkCsrf(c, session);
        }
        if (ROLE_RANK[session.user.role] < ROLE_RANK[spec.access]) {
          throw new HttpError(403, "forbidden", `Role "${session.user.role}" may not do this: it needs "${spec.access}"`);
        }
        user = session.user;
      }
      let query: unknown;
      if (spec.query !== undefined) {
        const parsed = spec.query.safeParse(c.req.query());
        if (!parsed.success) throw invalidInput("query", parsed.error);
        query = parsed.data;
      }
      let body: unknown;
      if (spec.body !== undefined) {
        const parsed = spec.body.safeParse(await readJson(c));
        if (!parsed.success) throw invalidInput("body", parsed.error);
        body = parsed.data;
      }
      return spec.handle({ c, body, query, params: c.req.param(), user, device, sandboxToken });
    });
  }
}
