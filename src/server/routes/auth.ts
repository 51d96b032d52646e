/**
 * `/auth`: login (session cookie + CSRF token), logout, me, and session (me without a 401). Failed logins are counted in the
 * database per user name and client address; the sixth within 15 minutes is refused with 429.
 *
 * @module
 */
import type { Context } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { SESSION_COOKIE } from "../auth/authenticate.js";
import { hashPassword, hashSecret, newSecret, verifyPassword } from "../auth/secrets.js";
import type { ServerContext } from "../context.js";
import { HttpError } from "../http-error.js";
import { route, type AnyRoute } from "../route.js";
import { LoginBody, LoginOut } from "../schemas.js";

export const LOGIN_WINDOW_MS = 15 * 60_000;
export const LOGIN_MAX_FAILURES = 5;

// Compared against when the user does not exist, so that an unknown name costs the same time.
let decoyHash: Promise<string> | undefined;

function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // app.request() in tests has no socket.
    return "local";
  }
}

export function authRoutes(ctx: ServerContext): AnyRoute[] {
  const { store } = ctx;
  return [
    route({
      method: "post",
      path: "/auth/login",
      access: "public",
      summary: "Log in: sets the HttpOnly session cookie and returns the CSRF token for X-CSRF-Token",
      body: LoginBody,
      response: { status: 200, schema: LoginOut },
      async handle({ c, body }) {
        const now = ctx.now();
        const key = `${body.name}|${clientAddress(c)}`;
        // Counted as a failure before the password is checked (and forgotten if it holds): logins
        // sent at the same time each see the others, so no more than the limit are ever tried.
        const attempt = await store.recordLoginFailure(key);
        // A failure exactly LOGIN_WINDOW_MS old no longer counts.
        const counted = await store.loginFailuresSince(key, new Date(now.getTime() - LOGIN_WINDOW_MS + 1).toISOString());
        if (counted.length > LOGIN_MAX_FAILURES) {
          // Refused untried: not a failure of its own (the lockout does not grow with each try).
          await store.forgetLoginFailure(attempt);
          const failures = counted.slice(0, -1);
          const oldest = Date.parse(failures[failures.length - LOGIN_MAX_FAILURES] ?? now.toISOString());
          const retryAfter = Math.max(1, Math.ceil((oldest + LOGIN_WINDOW_MS - now.getTime()) / 1000));
          throw new HttpError(429, "too-many-attempts", `Too many failed logins for "${body.name}": try again in ${retryAfter} s`, { headers: { "Retry-After": String(retryAfter) } });
        }
        const user = await store.findUserByName(body.name);
        decoyHash ??= hashPassword(newSecret());
        const ok = await verifyPassword(body.password, user?.passwordHash ?? (await decoyHash));
        // A failure: the attempt recorded above stays.
        if (user === undefined || !ok) throw new HttpError(401, "bad-credentials", "Wrong user name or password");
        await store.clearLoginFailures(key);
        const token = newSecret();
        const csrfToken = newSecret();
        const expiresAt = new Date(now.getTime() + ctx.sessionMs).toISOString();
        await store.createSession({ id: hashSecret(token), userId: user.id, csrfToken, expiresAt });
        await store.audit({ actor: `user:${user.name}`, action: "auth.login", target: `user:${user.id}` });
        setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/", secure: ctx.secureCookies, maxAge: Math.floor(ctx.sessionMs / 1000) });
        const { passwordHash: _hash, ...shown } = user;
        return c.json({ user: shown, csrfToken, expiresAt });
      },
    }),
    route({
      method: "post",
      path: "/auth/logout",
      access: "viewer",
      summary: "Log out: ends the session",
      response: { status: 204 },
      async handle({ c, user }) {
        const token = getCookie(c, SESSION_COOKIE);
        if (token !== undefined) await store.deleteSession(hashSecret(token));
        await store.audit({ actor: `user:${user?.name ?? ""}`, action: "auth.logout", target: `user:${user?.id ?? ""}` });
        deleteCookie(c, SESSION_COOKIE, { path: "/", secure: ctx.secureCookies });
        return c.body(null, 204);
      },
    }),
    route({
      method: "get",
      path: "/auth/session",
      access: "public",
      summary: "The session if there is one (`{ session: null }` otherwise): how the console learns whether to show its sign-in page without a 401",
      response: { status: 200, schema: z.object({ session: z.object({ user: LoginOut.shape.user, csrfToken: z.string(), expiresAt: z.string() }).nullable() }) },
      async handle({ c }) {
        const token = getCookie(c, SESSION_COOKIE);
        const session = token === undefined ? undefined : await store.getSession(hashSecret(token));
        return c.json({ session: session === undefined ? null : { user: session.user, csrfToken: session.csrfToken, expiresAt: session.expiresAt } });
      },
    }),
    route({
      method: "get",
      path: "/auth/me",
      access: "viewer",
      summary: "The logged-in user and the session's CSRF token",
      response: { status: 200, schema: z.object({ user: LoginOut.shape.user, csrfToken: z.string(), expiresAt: z.string() }) },
      async handle({ c }) {
        const token = getCookie(c, SESSION_COOKIE) ?? "";
        const session = await store.getSession(hashSecret(token));
        if (session === undefined) throw new HttpError(401, "unauthenticated", "Log in first: no valid session");
        return c.json({ user: session.user, csrfToken: session.csrfToken, expiresAt: session.expiresAt });
      },
    }),
  ];
}
