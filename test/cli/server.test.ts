import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { connectTestPostgres, DROP_TIMEOUT_MS } from "../../src/store/postgres/test-postgres.js";

const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
const work = mkdtempSync(join(tmpdir(), "iocscan-cli-server-"));
const postgres = await connectTestPostgres();
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await postgres?.dropAll();
}, DROP_TIMEOUT_MS);

interface Started {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/** Starts `iocscan server ...args` and resolves once it prints its URL. */
function startServer(args: readonly string[], stdin?: string): Promise<Started> {
  const child = spawn(process.execPath, ["--import", tsxLoader, main, "server", ...args], { cwd: work, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.end(stdin ?? "");
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /^iocscan server listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
      if (m?.[1] !== undefined) resolve({ child, url: m[1], stderr: () => stderr });
    });
    child.on("exit", (code) => reject(new Error(`iocscan server exited with ${code}: ${stderr}`)));
  });
}

async function login(url: string, name: string, password: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name, password }) });
  return res.status;
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
}

describe("iocscan server", () => {
  it("iocscan server refuses a damaged database, a file as --data and an unusable TLS pair, naming each and the cause", () => {
    const damaged = mkdtempSync(join(work, "damaged-"));
    writeFileSync(join(damaged, "server.db"), Buffer.alloc(8192, 0x5a));
    const notFolder = join(work, "data-file");
    writeFileSync(notFolder, "x");
    const pem = join(work, "not.pem");
    writeFileSync(pem, "not a certificate\n");
    const cases: [string[], string][] = [
      [["--data", damaged], `Cannot open the server database "${join(damaged, "server.db")}": file is not a database`],
      [["--data", notFolder], `--data "${notFolder}": not a folder`],
      [["--data", join(work, "tls-data"), "--tls-cert", pem, "--tls-key", pem], `--tls-cert "${pem}" and --tls-key "${pem}" are not a usable PEM certificate and its private key`],
      [["--data", join(work, "tls-data"), "--tls-cert", join(work, "missing.pem"), "--tls-key", pem], `--tls-cert "${join(work, "missing.pem")}": ENOENT`],
    ];
    for (const [args, message] of cases) {
      const result = spawnSync(process.execPath, ["--import", tsxLoader, main, "server", "--listen", "127.0.0.1:0", ...args], { encoding: "utf8", timeout: 60_000, killSignal: "SIGKILL" });
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });

  it("iocscan server prints its URL, creates a first administrator with a one-time password shown once, and stops on SIGTERM", async () => {
    const data = join(work, "data");
    const first = await startServer(["--listen", "127.0.0.1:0", "--data", data]);
    const password = /one-time password (\S+)/.exec(first.stderr())?.[1] ?? "";
    expect(password).toMatch(/^[\w-]{20,}$/);
    expect(await login(first.url, "admin", "wrong password!")).toBe(401);
    expect(await login(first.url, "admin", password)).toBe(200);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    expect(await stop(first.child)).toBe(0);

    // The second start finds the administrator and prints no password; behind a TLS proxy
    // (--secure-cookies) its cookie is Secure; --metrics-token-file turns /metrics on.
    const tokenFile = join(work, "metrics-token");
    writeFileSync(tokenFile, "a-metrics-token-of-some-length\n", { mode: 0o600 });
    const second = await startServer(["--listen", "127.0.0.1:0", "--data", data, "--secure-cookies", "--metrics-token-file", tokenFile]);
    expect(second.stderr()).not.toContain("one-time password");
    const res = await fetch(`${second.url}/api/v1/auth/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "admin", password }) });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().find((c) => c.startsWith("iocscan_session="))).toMatch(/; Secure/i);
    expect((await fetch(`${second.url}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${second.url}/metrics`, { headers: { Authorization: "Bearer a-metrics-token-of-some-length" } });
    expect(await metrics.text()).toContain('iocscan_http_requests_total{method="POST",route="/api/v1/auth/login",status="200"} 1');
    expect(await stop(second.child)).toBe(0);
  }, 120_000);

  it("a second iocscan server on the same SQLite database is refused, naming the file and the running pid; a killed one's lock does not block a restart", async () => {
    const data = join(work, "single");
    const first = await startServer(["--listen", "127.0.0.1:0", "--data", data]);
    const refused = await startServer(["--listen", "127.0.0.1:0", "--data", data]).then(
      () => "started",
      (error: unknown) => (error as Error).message,
    );
    expect(refused).toContain("exited with 2");
    expect(refused).toContain(`The SQLite database "${join(data, "server.db")}" is in use by iocscan server pid ${first.child.pid}`);
    expect(refused).toContain("use PostgreSQL");
    // The first one is unharmed.
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);

    // A crash leaves the lock file behind; the next start sees its owner gone and takes over.
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));
    const restarted = await startServer(["--listen", "127.0.0.1:0", "--data", data]);
    expect((await fetch(`${restarted.url}/readyz`)).status).toBe(200);
    expect(await stop(restarted.child)).toBe(0);
    // A clean stop removes the claim: the next start needs no stale check.
    expect(existsSync(join(data, "server.db.lock"))).toBe(false);
  }, 90_000);

  it.skipIf(postgres === undefined)("iocscan server --db postgres://... --init-admin reads the password from stdin", async () => {
    const url = (await postgres?.newDatabase()) ?? "";
    const started = await startServer(["--listen", "127.0.0.1:0", "--db", url, "--init-admin", "boss"], "a password from stdin\n");
    expect(started.stderr()).not.toContain("one-time password");
    expect(await login(started.url, "boss", "a password from stdin")).toBe(200);
    expect(await stop(started.child)).toBe(0);
  });
});
