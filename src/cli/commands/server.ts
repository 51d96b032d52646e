/**
 * `iocscan server`: the management server. Prints `iocscan server listening on URL` on stdout once
 * listening; stops gracefully on SIGTERM and SIGINT.
 *
 * @module
 */
import { readFileSync, statSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { dirname, join } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { startServer } from "../../server/index.js";
import { defaultResultsDbPath } from "../../store/default-path.js";
import type { CliRun } from "../program.js";
import { VERSION } from "../version.js";
import { escapeForTerminal } from "../../shared/terminal-text.js";

interface ServerFlags {
  listen: { host: string; port: number };
  db?: string;
  data: string;
  tlsCert?: string;
  tlsKey?: string;
  initAdmin?: string;
  console?: string;
  metricsTokenFile?: string;
  secureCookies?: boolean;
}

function parseListen(value: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (m === null || port > 65535) throw new InvalidArgumentError(`expected HOST:PORT, got "${value}"`);
  return { host: (m[1] ?? "").replace(/^\[|\]$/g, ""), port };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

const MIN_METRICS_TOKEN = 16;

/**
 * The metrics token: from a file (not a flag's value, which every local user sees in `ps`) or
 * the environment; an Error names what is wrong.
 */
function readMetricsToken(file: string | undefined): string | undefined | Error {
  let token: string | undefined;
  let source = "IOCSCAN_METRICS_TOKEN";
  if (file !== undefined) {
    source = `"${file}"`;
    try {
      token = readFileSync(file, "utf8").split(/\r?\n/)[0]?.trim() ?? "";
    } catch (error) {
      return new Error(`cannot read the metrics token file "${file}": ${error instanceof Error ? error.message : String(error)}`);
    }
  } else {
    token = process.env["IOCSCAN_METRICS_TOKEN"];
    if (token === undefined || token === "") return undefined;
  }
  if (token.length < MIN_METRICS_TOKEN) return new Error(`the metrics token in ${source} must have at least ${MIN_METRICS_TOKEN} characters`);
  return token;
}

/** Registers `server`. */
export function registerServerCommand(program: Command, run: CliRun): void {
  const defaultData = join(dirname(defaultResultsDbPath()), "server");
  program
    .command("server")
    .description("Run the management server (REST API under /api/v1 for the console and the agents)")
    .option("--listen <host:port>", "address to listen on", parseListen, { host: "127.0.0.1", port: 8080 })
    .option("--db <url>", "postgres://... for PostgreSQL, or a SQLite file (default <data>/server.db)")
    .option("--data <dir>", "data folder", defaultData)
    .option("--tls-cert <file>", "TLS certificate (PEM); needs --tls-key")
    .option("--tls-key <file>", "TLS private key (PEM)")
    .option("--init-admin <name>", "create the first administrator with this name; the password is read from stdin")
    .option("--console <dir>", "serve the web console built in DIR (npm run build:web) instead of the one built into the package")
    .option("--secure-cookies", "mark the session cookie Secure although this server speaks plain HTTP (a TLS reverse proxy in front)")
    .option("--metrics-token-file <file>", "turn on GET /metrics (Prometheus text format) for Authorization: Bearer <the file's first line>; or set IOCSCAN_METRICS_TOKEN")
    .action(async (flags: ServerFlags) => {
      if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
        process.stderr.write("iocscan: --tls-cert and --tls-key go together\n");
        run.exitCode = 2;
        return;
      }
      let initAdmin: { name: string; password: string } | undefined;
      if (flags.initAdmin !== undefined) {
        const password = await readStdin();
        if (password.length < 12) {
          process.stderr.write("iocscan: the administrator's password (read from stdin) must have at least 12 characters\n");
          run.exitCode = 2;
          return;
        }
        initAdmin = { name: flags.initAdmin, password };
      }
      const setupProblem = dataFolderProblem(flags.data) ?? tlsProblem(flags.tlsCert, flags.tlsKey);
      if (setupProblem !== undefined) {
        process.stderr.write(`iocscan: ${escapeForTerminal(setupProblem)}\n`);
        run.exitCode = 2;
        return;
      }
      const metricsToken = readMetricsToken(flags.metricsTokenFile);
      if (metricsToken instanceof Error) {
        process.stderr.write(`iocscan: ${escapeForTerminal(metricsToken.message)}\n`);
        run.exitCode = 2;
        return;
      }
      // One entry a line: a request path, user name or error in a message cannot start another (a stack
      // trace shows as one line with \n in it).
      const log = (message: string): void => void process.stderr.write(`${escapeForTerminal(message)}\n`);
      const server = await startServer({
        listen: { ...flags.listen, ...(flags.tlsCert !== undefined && flags.tlsKey !== undefined ? { tls: { certFile: flags.tlsCert, keyFile: flags.tlsKey } } : {}) },
        ...(flags.db === undefined ? {} : { db: flags.db }),
        dataDir: flags.data,
        ...(initAdmin === undefined ? {} : { initAdmin }),
        ...(flags.console === undefined ? {} : { consoleDir: flags.console }),
        version: VERSION,
        log,
        ...(metricsToken === undefined ? {} : { metricsToken }),
        ...(flags.secureCookies === true ? { secureCookies: true } : {}),
      });
      if (server.oneTimePassword !== undefined) {
        const { name, password } = server.oneTimePassword;
        log(`iocscan server: created administrator "${name}" with the one-time password ${password} (shown once: log in and change it)`);
      }
      process.stdout.write(`iocscan server listening on ${server.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off("SIGTERM", stop);
          process.off("SIGINT", stop);
          log("iocscan server: shutting down");
          void server.close().then(resolve, (error: unknown) => {
            log(`iocscan server: shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
            run.exitCode = 2;
            resolve();
          });
        };
        process.on("SIGTERM", stop);
        process.on("SIGINT", stop);
      });
    });
}

/** Why `--data` cannot hold the server's files: something other than a folder is there. */
function dataFolderProblem(dir: string): string | undefined {
  try {
    return statSync(dir).isDirectory() ? undefined : `--data "${dir}": not a folder`;
  } catch {
    // Missing: made when the database opens.
    return undefined;
  }
}

/** Why the TLS certificate and key cannot serve HTTPS, checked before the server starts: each file named. */
function tlsProblem(certFile: string | undefined, keyFile: string | undefined): string | undefined {
  if (certFile === undefined || keyFile === undefined) return undefined;
  const read = (option: string, file: string): Buffer | string => {
    try {
      return readFileSync(file);
    } catch (error) {
      return `${option} "${file}": ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  const cert = read("--tls-cert", certFile);
  if (typeof cert === "string") return cert;
  const key = read("--tls-key", keyFile);
  if (typeof key === "string") return key;
  try {
    createSecureContext({ cert, key });
    return undefined;
  } catch (error) {
    return `--tls-cert "${certFile}" and --tls-key "${keyFile}" are not a usable PEM certificate and its private key (${error instanceof Error ? error.message : String(error)})`;
  }
}
