/**
 * The server's one error class and the JSON error body of DESIGN.md section 5:
 * `{ "error": { "code", "message", "details" } }`.
 *
 * @module
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { quoteForTerminal } from "../shared/terminal-text.js";

/** An error with the HTTP status and the code the client sees. */
export class HttpError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(status: ContentfulStatusCode, code: string, message: string, options: { details?: unknown; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "HttpError";
    this.status = status;
    this.code = code;
    this.details = options.details ?? null;
    this.headers = options.headers ?? {};
  }
}

/** The body of an error answer. */
export function errorBody(code: string, message: string, details: unknown = null): { error: { code: string; message: string; details: unknown } } {
  return { error: { code, message, details } };
}

/** A 400 naming every field zod found wrong, e.g. `Invalid body: "settings.action": Invalid option`. */
export function invalidInput(where: "body" | "query" | "path", error: z.ZodError): HttpError {
  const issues = error.issues.map((i) => ({ path: i.path.map(String).join("."), code: i.code, message: i.message }));
  const summary = issues
    .slice(0, 5)
    .map((i) => `${i.path === "" ? "(root)" : `"${i.path}"`}: ${i.message}`)
    .join("; ");
  return new HttpError(400, "invalid-request", `Invalid ${where}: ${summary}`, { details: { issues } });
}

export const notFound = (what: string, id: string): HttpError => new HttpError(404, "not-found", `No ${what} "${id}"`);

/** The app's `onError`: known errors become their JSON body, others a logged 500. */
export function handleError(error: Error, c: Context, log: (message: string) => void): Response {
  if (error instanceof HttpError) {
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return c.json(errorBody(error.code, error.message, error.details), error.status);
  }
  // A RangeError from the store is a refused value the route did not catch first.
  if (error instanceof RangeError) return c.json(errorBody("invalid-request", error.message), 400);
  // Two requests made the same thing at once: the route's look-up passed for both, the
  // database's unique index kept one. The other is the conflict it would have been a moment later.
  if (isUniqueViolation(error)) return c.json(errorBody("exists", "It exists already (made by a request at the same time)"), 409);
  // The path is decoded (%1b is ESC): quoted, so that a request cannot write to the log's terminal.
  log(`iocscan server: ${c.req.method} ${quoteForTerminal(c.req.path)} failed: ${error.stack ?? error.message}`);
  return c.json(errorBody("internal", "Internal server error"), 500);
}

/** SQLite's (better-sqlite3) and PostgreSQL's (SQLSTATE 23505) unique-constraint violations. */
function isUniqueViolation(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "23505";
}
