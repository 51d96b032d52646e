/**
 * The console's HTTP client: same-origin `fetch` under /api/v1 with the session cookie, and the
 * CSRF token the login (or `/auth/session` after a reload) returned on every change. Errors become
 * {@link ApiError} with the server's code, message and details, so pages can show them as given.
 */

const PREFIX = "/api/v1";

let csrfToken: string | undefined;
let onUnauthenticated: (() => void) | undefined;

/** Remembers the session's CSRF token (from login or `/auth/session`); undefined after logout. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when any request answers 401: the session ended, the app shows the sign-in page. */
export function setUnauthenticatedHandler(handler: (() => void) | undefined): void {
  onUnauthenticated = handler;
}

/** A non-2xx answer: `{ error: { code, message, details? } }` from the server. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: unknown };
}

async function toError(res: Response): Promise<ApiError> {
  const text = await res.text();
  let body: ErrorBody = {};
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    // Not JSON (a proxy's page): show the status.
  }
  return new ApiError(res.status, body.error?.code ?? `http-${res.status}`, body.error?.message ?? `${res.status} ${res.statusText}`, body.error?.details);
}

type Query = Record<string, string | number | boolean | undefined>;

/** `/tasks` + `{ limit: 50 }` -> `/api/v1/tasks?limit=50` (undefined values are left out). */
export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== "") params.set(key, String(value));
  const search = params.toString();
  return `${PREFIX}${path}${search === "" ? "" : `?${search}`}`;
}

async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken !== undefined) headers["X-CSRF-Token"] = csrfToken;
  const res = await fetch(apiUrl(path, query), { method, headers, credentials: "same-origin", ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!res.ok) {
    const error = await toError(res);
    if (res.status === 401 && path !== "/auth/login") onUnauthenticated?.();
    throw error;
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query): Promise<T> => request<T>("GET", path, undefined, query),
  post: <T>(path: string, body?: unknown): Promise<T> => request<T>("POST", path, body ?? {}),
  patch: <T>(path: string, body: unknown): Promise<T> => request<T>("PATCH", path, body),
  delete: (path: string): Promise<void> => request<undefined>("DELETE", path),
};
