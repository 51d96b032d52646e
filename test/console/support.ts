/**
 * For the console's end-to-end tests: the console built from web/ into a temp folder, a real
 * `iocscan server` process serving it, and headless Chromium (Debian's, driven by
 * playwright-core) with every browser-console error and page error collected.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type ConsoleMessage, type Page } from "playwright-core";
import { build } from "vite";

export const CHROMIUM = "/usr/bin/chromium";
/** Without Chromium the tests skip, except in CI (CI set), where they must run and so fail. */
export const SKIP_REASON = !existsSync(CHROMIUM) && !process.env["CI"] ? `the console's end-to-end tests need ${CHROMIUM} (apt-get install -y chromium); skipped outside CI` : undefined;

/**
 * Screenshots of the pages go to docs/screenshots (linked from the README) only when
 * IOCSCAN_SCREENSHOTS=1, so that an ordinary test run leaves the checkout as it was.
 */
const SCREENSHOTS = process.env["IOCSCAN_SCREENSHOTS"] === "1" ? fileURLToPath(new URL("../../docs/screenshots/", import.meta.url)) : undefined;

const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
const viteConfig = fileURLToPath(new URL("../../web/vite.config.ts", import.meta.url));

/** Builds web/ as `npm run build:web` does, into `outDir`, so the test checks the current source. */
export async function buildConsole(outDir: string): Promise<void> {
  // Vitest sets NODE_ENV=test, which makes the JSX transform and React development builds:
  // build what ships, as `npm run build:web` does.
  const nodeEnv = process.env["NODE_ENV"];
  process.env["NODE_ENV"] = "production";
  try {
    await build({ configFile: viteConfig, mode: "production", logLevel: "warn", build: { outDir, emptyOutDir: true, sourcemap: false } });
  } finally {
    process.env["NODE_ENV"] = nodeEnv;
  }
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

/** `iocscan server` on 127.0.0.1:0 with a first administrator, serving the console in `consoleDir`. */
export async function startServerProcess(dataDir: string, consoleDir: string, admin: { name: string; password: string }): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", tsxLoader, main, "server", "--listen", "127.0.0.1:0", "--data", dataDir, "--console", consoleDir, "--init-admin", admin.name], { stdio: ["pipe", "pipe", "pipe"] });
  child.stdin?.end(`${admin.password}\n`);
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (err += c));
  const url = await until(() => {
    if (child.exitCode !== null) throw new Error(`iocscan server exited ${child.exitCode}: ${err}`);
    return Promise.resolve(/listening on (http:\/\/[^\s]+)/.exec(out)?.[1]);
  }, "the server to listen", 60_000);
  return { child, url };
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await once(child, "exit");
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Everything the page reported as an error: console errors (with their URL) and uncaught exceptions. */
export function collectErrors(page: Page, errors: string[] = []): string[] {
  page.on("console", (message: ConsoleMessage) => {
    if (message.type() === "error") errors.push(`console: ${message.text()} @ ${message.location().url}`);
  });
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/** True when the page has no horizontal scrollbar at its viewport size. */
export async function fitsWidth(page: Page): Promise<boolean> {
  // A string: this project's type-check has no DOM library; the expression runs in the page.
  return (await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")) === true;
}

/** Saves a screenshot as docs/screenshots/<name>.png when IOCSCAN_SCREENSHOTS=1 (see above). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS === undefined) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Ends the children a test started (SIGTERM, then waits for their exit). */
export async function stopAll(children: readonly (ChildProcess | undefined)[]): Promise<void> {
  for (const child of children) if (child !== undefined) await stopProcess(child);
}

/** The API as the browser uses it, for set-up and checks: session cookie plus CSRF header. */
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

/** Signs in through the sign-in form. */
export async function signIn(page: Page, url: string, name: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel("User name").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
}
