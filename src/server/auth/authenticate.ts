/**
 * Who is calling: a user through the session cookie (with CSRF and Origin checks on changes),
 * a device through its bearer credential `<deviceId>.<secret>`, or a sandbox integration through
 * its bearer token (accepted by the intake route only).
 *
 * @module
 */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { Device, FleetStore, SandboxToken, Session, User } from "../../store/fleet/index.js";
import { HttpError } from "../http-error.js";
import { hashSecret, sameSecret } from "./secrets.js";

export const SESSION_COOKIE = "iocscan_session";
export const CSRF_HEADER = "X-CSRF-Token";

/** The session of the request's cookie, or a 401. */
export async function authenticateUser(c: Context, store: FleetStore): Promise<Session & { user: User }> {
  const token = getCookie(c, SESSION_COOKIE);
  const session = token === undefined ? undefined : await store.getSession(hashSecret(token));
  if (session === undefined) throw new HttpError(401, "unauthenticated", "Log in first: no valid session");
  return session;
}

/**
 * Refuses a cross-site request: an `Origin` (or, without one, `Sec-Fetch-Site: cross-site`)
 * whose host is not this server's host and that is not one of `allowedOrigins`. Hosts, not
 * origins, are compared: behind a TLS-terminating proxy the browser says https while the server
 * sees http, and a cross-site page cannot choose the host its request is sent to.
 */
export function checkOrigin(c: Context, allowedOrigins: readonly string[]): void {
  const origin = c.req.header("Origin");
  if (origin !== undefined) {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host !== new URL(c.req.url).host && !allowedOrigins.includes(origin)) throw new HttpError(403, "bad-origin", `Cross-origin request from "${origin}" refused`);
    return;
  }
  if (c.req.header("Sec-Fetch-Site") === "cross-site") throw new HttpError(403, "bad-origin", "Cross-site request refused");
}

/** Refuses a state-changing request whose CSRF header does not match the session's token. */
export function checkCsrf(c: Context, session: Session): void {
  const sent = c.req.header(CSRF_HEADER);
  if (sent === undefined || !sameSecret(sent, session.csrfToken)) {
    throw new HttpError(403, "csrf", `Missing or wrong ${CSRF_HEADER} header: send the token that login or /auth/me returned`);
  }
}

/** The device of the request's bearer credential, or a 401. */
export async function authenticateDevice(c: Context, store: FleetStore): Promise<Device> {
  const header = c.req.header("Authorization") ?? "";
  const match = /^Bearer ([^.\s]{1,100})\.(\S{1,400})$/.exec(header);
  const refuse = (): never => {
    throw new HttpError(401, "unauthenticated", "A device credential is required: Authorization: Bearer <deviceId>.<secret>", {
      headers: { "WWW-Authenticate": 'Bearer realm="iocscan-agent"' },
    });
  };
  if (match === null) return refuse();
  const [, deviceId = "", secret = ""] = match;
  const stored = await store.getDeviceCredentialHash(deviceId);
  if (stored === undefined || !sameSecret(hashSecret(secret), stored)) return refuse();
  const device = await store.getDevice(deviceId);
  return device ?? refuse();
}

/** The sandbox integration token of the request's bearer header (unrevoked; its use counted), or a 401. */
export async function authenticateSandbox(c: Context, store: FleetStore): Promise<SandboxToken> {
  const match = /^Bearer (\S{1,400})$/.exec(c.req.header("Authorization") ?? "");
  const token = match?.[1] === undefined ? undefined : await store.useSandboxToken(hashSecret(match[1]));
  if (token === undefined) {
    throw new HttpError(401, "unauthenticated", "A sandbox integration token is required: Authorization: Bearer <token> (from POST /api/v1/sandbox/tokens)", {
      headers: { "WWW-Authenticate": 'Bearer realm="iocscan-sandbox"' },
    });
  }
  return token;
}
