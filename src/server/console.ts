/**
 * Serves the web console (web/, built by `npm run build:web` into dist/web) at `/`: the hashed
 * files under /assets for a year, index.html for every other path outside /api so the console's
 * own routes survive a reload, and, when the console was not built, a page saying how to build it.
 *
 * @module
 */
import { serveStatic } from "@hono/node-server/serve-static";
import type { Context, Hono, Next } from "hono";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { API_PREFIX } from "./mount.js";

/** dist/web of this package: two levels above both src/server/console.ts and dist/server/console.js. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL("../../dist/web/", import.meta.url));

// The console loads only its own files; no frames, no foreign forms. Inline styles set through
// the DOM (React's style prop) are not inline markup, so 'self' suffices.
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
};

const IMMUTABLE = "public, max-age=31536000, immutable";

const isApi = (path: string): boolean => path === API_PREFIX || path.startsWith(`${API_PREFIX}/`);

function notBuiltPage(dir: string): string {
  const escaped = dir.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>iocscan: console not built</title></head>
<body style="font-family:system-ui,sans-serif;max-width:640px;margin:48px auto;line-height:1.5">
<h1>The web console is not built</h1>
<p>This server has no console files in <code>${escaped}</code>. Build them in the iocscan folder with
<code>npm run build</code> (or only the console: <code>npm run build:web</code>); <code>npm ci</code> does this too.
Then restart <code>iocscan server</code>.</p>
<p>The REST API answers under <code>${API_PREFIX}</code> meanwhile (<a href="${API_PREFIX}/openapi.json">OpenAPI document</a>).</p>
</body></html>`;
}

/** Adds the console's routes to `app`; call after the API routes. `dir` holds index.html and assets/. */
export function mountConsole(app: Hono, dir: string = DEFAULT_CONSOLE_DIR, log: (message: string) => void = () => {}): void {
  if (!existsSync(join(dir, "index.html"))) {
    log(`iocscan server: the web console is not built (no ${join(dir, "index.html")}): run "npm run build" to serve it at /`);
    app.get("*", (c, next) => (isApi(c.req.path) ? next() : Promise.resolve(c.html(notBuiltPage(dir), 503, { "Cache-Control": "no-store" }))));
    return;
  }
  const headers = (c: Context, cache: string): void => {
    c.header("Cache-Control", cache);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
  };
  const assets = serveStatic({ root: dir, onFound: (_path, c) => headers(c, IMMUTABLE) });
  const files = serveStatic({ root: dir, onFound: (_path, c) => headers(c, "no-cache") });
  const index = serveStatic({ root: dir, path: "index.html", onFound: (_path, c) => headers(c, "no-cache") });

  // Console routes only: the API keeps its own answers (and its JSON 404), and a missing hashed
  // asset is a 404 rather than index.html (a stale page would try to run it).
  const outsideApi =
    (handler: (c: Context, next: Next) => Promise<Response | void>) =>
    (c: Context, next: Next): Promise<Response | void> =>
      isApi(c.req.path) || c.req.path.startsWith("/assets/") ? next() : handler(c, next);

  app.get("/assets/*", assets);
  app.get("*", outsideApi(files));
  // Not a file: a console route like /tasks/42, answered by index.html.
  app.get("*", outsideApi(index));
}
