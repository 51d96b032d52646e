/**
 * For the console's end-to-end tests: the built console (rebuilt when web/ is newer than
 * dist/web), a real `iocscan server` process over SQLite in a temp folder, a small API client
 * with the session cookie and CSRF token, and headless Chromium (the Debian package, driven by
 * playwright-core) whose pages record every console error and uncaught exception.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const main = join(ROOT, "src/cli/main.ts");
const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
export const SCREENSHOTS = join(ROOT, "docs/screenshots");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds web/ into dist/web unless the build is newer than every source file. */
export function ensureConsoleBuilt(): void {
  const index = join(ROOT, "dist/web/index.html");
  if (existsSync(index) && statSync(index).mtimeMs > newestMtime(join(ROOT, "web/src"))) return;
  const build = spawnSync(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--config", "web/vite.config.ts", "--logLevel", "error"], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
  if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`);
}

export async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts `iocscan server` on a loopback port with `admin` / `password` as first administrator. */
export async function startServer(dataDir: string, password: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", tsxLoader, main, "server", "--listen", "127.0.0.1:0", "--data", dataDir, "--init-admin", "admin"], { stdio: ["pipe", "pipe", "pipe"] });
  child.stdin?.end(`${password}\n`);
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (out += c));
  const url = await until(() => Promise.resolve(/listening on (http:\/\/[^\s]+)/.exec(out)?.[1]), "the server to listen", 90_000);
  return { child, url };
}

/** Ends children this test started. */
export async function stop(children: readonly (ChildProcess | undefined)[]): Promise<void> {
  for (const child of children) {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    child.kill("SIGTERM");
    await once(child, "exit");
  }
}

/** The API as the browser uses it: session cookie plus CSRF header. */
export class ApiClient {
  private cookie = "";
  private csrf = "";
  constructor(readonly url: string) {}
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the JSON answers freely
  async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const headers: Record<string, string> = { Origin: this.url };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (this.cookie !== "") headers["Cookie"] = this.cookie;
    if (this.csrf !== "") headers["X-CSRF-Token"] = this.csrf;
    const res = await fetch(`${this.url}/api/v1${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const set = res.headers.getSetCookie().find((c) => c.startsWith("iocscan_session="));
    if (set !== undefined) this.cookie = set.split(";")[0] ?? "";
    const text = await res.text();
    const json: unknown = text === "" ? undefined : JSON.parse(text);
    if (path === "/auth/login" && res.status === 200) this.csrf = (json as { csrfToken: string }).csrfToken;
    return { status: res.status, json };
  }
}

/** Headless Chromium; `errors` collects console errors and page exceptions of every page opened with `newPage`. */
export async function launchBrowser(): Promise<{ browser: Browser; errors: string[]; newPage: (viewport?: { width: number; height: number }) => Promise<Page> }> {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"] });
  const errors: string[] = [];
  const newPage = async (viewport = { width: 1280, height: 800 }) => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`${m.text()} (${m.location().url})`);
    });
    page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
    return page;
  };
  return { browser, errors, newPage };
}

/**
 * Chromium logs every non-2xx answer as a console error. Before sign-in the console asks
 * `/auth/me` and the server answers 401 by contract (src/server/README.md): that is how the page
 * learns nobody is signed in, not a fault. Every other error counts.
 */
export const isSignedOutProbe = (error: string): boolean => /status of 401 .*\/api\/v1\/auth\/me\)$/.test(error);

/** Signs in through the sign-in form. */
export async function signIn(page: Page, url: string, name: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel("User name").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
}

/** Saves a full-page screenshot as docs/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** True when the page needs no horizontal scroll bar at its viewport width. */
// A string, evaluated in the page: the Node typings of this file have no DOM.
export const fitsWidth = async (page: Page): Promise<boolean> => (await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")) === true;
