/**
 * `iocscan agent`: the endpoint agent of a management server; `iocscan agent status`: what the
 * agent running with the same state folder is doing.
 *
 * @module
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import {
  agentPaths,
  CredentialError,
  CredentialRevokedError,
  defaultAgentStateDir,
  EnrollmentError,
  formatAgentStatus,
  isAlive,
  readAgentStatus,
  runAgent,
  type AgentStatus,
} from "../../agent/index.js";
import type { CliRun } from "../program.js";
import { VERSION } from "../version.js";
import { interruptOnSignals } from "../interrupt-signals.js";
import { escapeForTerminal } from "../../shared/terminal-text.js";

interface AgentFlags {
  server?: string[];
  allowInsecureHttp?: boolean;
  enroll?: string;
  stateDir?: string;
  quarantine?: string;
  heartbeat: number;
  pollWait: number;
}

interface StatusFlags {
  stateDir?: string;
  format: "text" | "json";
}

/** Registers `agent` and `agent status`. */
export function registerAgentCommand(program: Command, run: CliRun): void {
  const stateDirHelp = `agent state folder: credential, run journal, result queue, status (default ${defaultAgentStateDir()})`;
  const agent = program
    .command("agent")
    .description("Run as the endpoint agent of an iocscan server: enroll once, then execute the server's IOC scan tasks and report results")
    .option(
      "--server <url>",
      "server URL, e.g. https://iocscan.example:8443 (default: the one enrolled with); several instances of one cluster: repeat it or separate with commas, tried in order when one cannot be reached",
      parseUrls,
    )
    .option("--allow-insecure-http", "accept an http:// server URL that is not on this computer (the credential, tasks and results then travel unencrypted)")
    .option("--enroll <token>", "enrollment token from the server's administrator (first start only)")
    .option("--state-dir <dir>", stateDirHelp)
    .option("--quarantine <dir>", "quarantine store folder for task actions and console commands (default /var/lib/iocscan/quarantine as root)")
    .option("--heartbeat <seconds>", "seconds between heartbeats", parseSeconds(1, 3600), 30)
    .option("--poll-wait <seconds>", "seconds the server may hold a request for work (long poll)", parseSeconds(1, 60), 30)
    .action(async (flags: AgentFlags) => {
      // SIGTERM/SIGINT: finish writing state, abort the scan, keep the run resumable.
      const insecure = flags.allowInsecureHttp === true ? undefined : flags.server?.find(isRemotePlainHttp);
      if (insecure !== undefined) {
        process.stderr.write(
          `iocscan: refusing "${escapeForTerminal(insecure)}": over plain http:// the enrollment token, the device credential, the tasks and the results travel unencrypted, and anyone in between can read or change them; use https://, or --allow-insecure-http on a network you trust\n`,
        );
        run.exitCode = 2;
        return;
      }
      const interrupt = interruptOnSignals();
      try {
        await runAgent({
          stateDir: flags.stateDir ?? defaultAgentStateDir(),
          ...(flags.server !== undefined ? { server: flags.server } : {}),
          ...(flags.enroll !== undefined ? { enrollToken: flags.enroll } : {}),
          ...(flags.quarantine !== undefined ? { quarantineDir: flags.quarantine } : {}),
          heartbeatSeconds: flags.heartbeat,
          pollWaitSeconds: flags.pollWait,
          agentVersion: VERSION,
          signal: interrupt.signal,
          // One entry a line: a task name, path or server message in `message` cannot start another.
          log: (message) => process.stderr.write(`${new Date().toISOString()} iocscan agent: ${escapeForTerminal(message)}\n`),
        });
      } catch (error) {
        if (!(error instanceof EnrollmentError || error instanceof CredentialError || error instanceof CredentialRevokedError)) throw error;
        process.stderr.write(`iocscan: ${escapeForTerminal(error.message)}\n`);
        run.exitCode = 2;
      } finally {
        interrupt.release();
      }
    });
  agent
    .command("status")
    .description("Show what the agent is doing: server and device, connection, current run, queued results, last error")
    .option("--state-dir <dir>", stateDirHelp)
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (flags: StatusFlags, command: Command) => {
      // `--state-dir` given before `status` lands on the parent command.
      const stateDir = flags.stateDir ?? command.parent?.opts<AgentFlags>().stateDir ?? defaultAgentStateDir();
      const status = await readAgentStatus(agentPaths(stateDir).status).catch((error: unknown) => {
        process.stderr.write(`${escapeForTerminal(`iocscan: cannot read the agent status in "${stateDir}": ${error instanceof Error ? error.message : String(error)}`)}\n`);
        run.exitCode = 2;
        return null;
      });
      if (status === null) return;
      if (status === undefined) {
        process.stderr.write(`${escapeForTerminal(`iocscan: no agent has run with state folder "${stateDir}"`)}\n`);
        run.exitCode = 2;
        return;
      }
      const alive = isAlive(status.pid);
      process.stdout.write(flags.format === "json" ? `${JSON.stringify({ ...status, running: status.state !== "stopped" && alive }, null, 2)}\n` : formatAgentStatus(escapeStrings(status), alive));
    });
}

/**
 * `status` with each string escaped by {@link escapeForTerminal}: task names, the server's address
 * and the last error come from the server and the network, and the text form prints them raw.
 */
function escapeStrings(status: AgentStatus): AgentStatus {
  return JSON.parse(JSON.stringify(status), (_key, value: unknown) => (typeof value === "string" ? escapeForTerminal(value) : value)) as AgentStatus;
}

function parseUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.protocol === "http:" || url.protocol === "https:") return text;
  } catch {
    // Reported below.
  }
  throw new InvalidArgumentError(`expected an http:// or https:// URL, got "${text}"`);
}

/** An http:// URL whose host is not this computer (localhost, 127.0.0.0/8, ::1): its traffic crosses a network unencrypted. */
export function isRemotePlainHttp(text: string): boolean {
  const url = new URL(text);
  if (url.protocol !== "http:") return false;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return !(host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host));
}

/** `--server A,B --server C` -> [A, B, C]. */
function parseUrls(text: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...text.split(",").map((part) => parseUrl(part.trim()))];
}

function parseSeconds(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value < min || value > max) throw new InvalidArgumentError(`expected a number of seconds from ${min} to ${max}`);
    return value;
  };
}
