/**
 * `iocscan agent`: enroll once, then heartbeat, long-poll for work, execute runs one at a time,
 * keep the server's view of the quarantine current, and deliver every result, also after the
 * server was away or the agent restarted. Network trouble is waited out; only a revoked
 * credential (401) or the caller's signal ends it.
 *
 * @module
 */
import { hostname as machineHostname } from "node:os";
import { defaultQuarantineDir, thisHostOsName } from "../scan/agent-support.js";
import { backoffDelay, DEFAULT_BACKOFF, sleep, type BackoffOptions } from "./backoff.js";
import { ensureEnrolled } from "./enroll.js";
import { AgentClient, CredentialRevokedError, ServerUnreachableError } from "./http-client.js";
import { Outbox, type OutboxEntry } from "./outbox.js";
import { FileCountMemory } from "./progress.js";
import { QuarantineCommands, quarantineInventory } from "./quarantine-sync.js";
import { RunJournal } from "./run-journal.js";
import { RunScheduler } from "./run-scheduler.js";
import { hostScanRunner, type RunScan } from "./run-scan.js";
import { agentPaths } from "./state-dir.js";
import { StatusWriter, type AgentStatus } from "./status.js";
import { Wakeup } from "./wakeup.js";
import { makeFolderSync } from "../shared/make-folder.js";

/** Options of {@link runAgent}. */
export interface AgentOptions {
  readonly stateDir: string;
  /**
   * The server URL, or the URLs of several instances of one cluster (tried in order when one
   * cannot be reached); required to enroll, else the one stored at enrollment.
   */
  readonly server?: string | readonly string[];
  readonly enrollToken?: string;
  readonly agentVersion: string;
  /** The quarantine store runs use and commands act on (default: the store's default folder). */
  readonly quarantineDir?: string;
  /** Seconds between heartbeats (default 30). */
  readonly heartbeatSeconds?: number;
  /** Seconds a long poll may wait (default 30). */
  readonly pollWaitSeconds?: number;
  /**
   * Least milliseconds from one poll to the next (default 1000): a server that answers every long
   * poll at once (broken, or hostile) gets about one request a second, not a busy loop.
   */
  readonly minPollIntervalMs?: number;
  /** Least milliseconds between two progress posts of a run (default 5000). */
  readonly progressIntervalMs?: number;
  readonly backoff?: BackoffOptions;
  /** The scan executor (default: the real engine, {@link hostScanRunner}). */
  readonly runScan?: RunScan;
  readonly hostname?: string;
  readonly os?: string;
  /** Ends the agent (SIGTERM): the current run is aborted and stays resumable. */
  readonly signal: AbortSignal;
  /** Notices and problems, one line each. */
  readonly log?: (message: string) => void;
}

/** Journal entries of delivered runs are forgotten after this many days. */
const JOURNAL_DAYS = 30;

/**
 * Runs the agent until `options.signal` aborts. Rejects with EnrollmentError or CredentialError
 * when it cannot start, and with CredentialRevokedError when the server stops accepting it.
 */
export async function runAgent(options: AgentOptions): Promise<void> {
  const paths = agentPaths(options.stateDir);
  makeFolderSync(paths.root, 0o700);
  const log = options.log ?? (() => undefined);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const hostname = options.hostname ?? machineHostname();
  const os = options.os ?? (await thisHostOsName());
  const credential = await ensureEnrolled({
    credentialFile: paths.credential,
    ...(options.server !== undefined ? { server: options.server } : {}),
    ...(options.enrollToken !== undefined ? { token: options.enrollToken } : {}),
    hostname,
    os,
    agentVersion: options.agentVersion,
    backoff,
    signal: options.signal,
    notice: log,
  });
  if (credential === undefined) return;
  const client = new AgentClient(options.server ?? credential.server, credential.credential);
  const quarantineDir = options.quarantineDir ?? defaultQuarantineDir();

  const stopAll = new AbortController();
  const signal = AbortSignal.any([options.signal, stopAll.signal]);
  let fatal: Error | undefined;
  const failFatal = (error: unknown): void => {
    fatal ??= error instanceof Error ? error : new Error(describe(error));
    stopAll.abort();
  };

  const health: { state: AgentStatus["state"]; connected: boolean; lastContactAt?: string; lastError?: { at: string; message: string } } = { state: "starting", connected: false };
  const journal = new RunJournal(paths.runs);
  const outbox = new Outbox(paths.outbox, paths.rejected);
  const inventoryWake = new Wakeup();
  let inventoryDirty = true;
  // The snapshot reads the scheduler, made below; the writer calls it only later.
  const status = new StatusWriter(paths.status, () => snapshot(), 1000);
  const problem = (message: string, error?: unknown): void => {
    if (error instanceof ServerUnreachableError) health.connected = false;
    health.lastError = { at: new Date().toISOString(), message };
    log(message);
    status.changed();
  };
  const contact = (): void => {
    health.connected = true;
    health.lastContactAt = new Date().toISOString();
    status.changed();
  };

  const scheduler = new RunScheduler({
    journal,
    outbox,
    client,
    runScan:
      options.runScan ??
      hostScanRunner({
        quarantineDir,
        hashCacheFile: paths.hashCache,
        checkpointRoot: paths.checkpoints,
        onCacheUnavailable: (file, error) => problem(`hash cache "${file}" unavailable (${describe(error)}); hashing without it`),
        iocCacheDir: paths.iocCache,
        onIocCacheUnavailable: (dir, error) => problem(`IOC cache "${dir}" unavailable (${describe(error)}); loading IOC files without it`),
      }),
    iocDir: paths.iocFiles,
    fileCounts: new FileCountMemory(paths.estimates),
    progressIntervalMs: options.progressIntervalMs ?? 5000,
    backoff,
    onPercent: () => status.changed(),
    onProblem: (message) => problem(message),
    afterRun: (entry) => {
      log(`run ${entry.runId} (${entry.order.taskName}): ${entry.outcome ?? entry.state}`);
      inventoryDirty = true;
      inventoryWake.notify();
    },
    onChange: () => status.changed(),
    onFatal: failFatal,
  });
  const snapshot = (): AgentStatus => {
    const current = scheduler.currentRun();
    return {
      format: "iocscan-agent-status",
      version: 1,
      pid: process.pid,
      state: health.state,
      server: client.server,
      deviceId: credential.deviceId,
      connected: health.connected,
      ...(health.lastContactAt ? { lastContactAt: health.lastContactAt } : {}),
      ...(current
        ? { currentRun: { runId: current.runId, taskName: current.order.taskName, state: current.state, percent: scheduler.percent, ...(current.startedAt ? { startedAt: current.startedAt } : {}) } }
        : {}),
      pendingRuns: journal
        .all()
        .filter((e) => (e.state === "queued" || e.state === "paused") && e.runId !== current?.runId)
        .map((e) => ({ runId: e.runId, taskName: e.order.taskName, state: e.state })),
      queuedResults: outbox.size,
      ...(health.lastError ? { lastError: health.lastError } : {}),
      updatedAt: new Date().toISOString(),
    };
  };

  await journal.load((file, error) => problem(`damaged journal file "${file}" set aside: ${describe(error)}`));
  await journal.prune(JOURNAL_DAYS);
  await outbox.entries();
  const commands = new QuarantineCommands(quarantineDir, paths.commands, outbox);
  health.state = "running";
  await scheduler.recover();
  await status.flush();
  log(`agent running: device ${credential.deviceId}, server ${typeof options.server === "object" ? options.server.join(", ") : client.server}`);

  const heartbeatLoop = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        await client.heartbeat({ agentVersion: options.agentVersion, hostname, os, activeRuns: scheduler.activeRuns().slice(0, 1000), queuedResults: outbox.size }, signal);
        contact();
        if (inventoryDirty) {
          inventoryDirty = false;
          await client.quarantine(await quarantineInventory(quarantineDir), signal).catch((error: unknown) => {
            inventoryDirty = true;
            throw error;
          });
        }
      } catch (error) {
        if (error instanceof CredentialRevokedError) return failFatal(error);
        if (!signal.aborted) problem(`heartbeat: ${describe(error)}`, error);
      }
      await inventoryWake.wait((options.heartbeatSeconds ?? 30) * 1000, signal);
    }
  };

  const pollLoop = async (): Promise<void> => {
    for (let attempt = 0; !signal.aborted; ) {
      const started = Date.now();
      try {
        const work = await client.work(options.pollWaitSeconds ?? 30, signal);
        contact();
        attempt = 0;
        for (const order of work.runs) await scheduler.handle(order);
        for (const command of work.commands) {
          if (await commands.handle(command)) {
            inventoryDirty = true;
            inventoryWake.notify();
          }
        }
        await sleep((options.minPollIntervalMs ?? 1000) - (Date.now() - started), signal);
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof CredentialRevokedError) return failFatal(error);
        problem(`polling for work: ${describe(error)}`, error);
        await sleep(backoffDelay(attempt++, backoff), signal);
      }
    }
  };

  const deliverLoop = async (): Promise<void> => {
    const send = async (entry: OutboxEntry): Promise<void> => {
      if (entry.kind === "run-result") await client.result(entry.id, entry.body, signal);
      else await client.commandResult(entry.id, entry.body, signal);
      contact();
    };
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        await outbox.deliver({
          send,
          onDelivered: async (entry) => {
            if (entry.kind === "run-result" && journal.get(entry.id)) await journal.update(entry.id, { state: "done", delivered: true });
            status.changed();
          },
          onError: (entry, error, willRetry) => problem(`sending the result of ${entry.kind === "run-result" ? "run" : "command"} ${entry.id}: ${describe(error)}${willRetry ? "; will retry" : "; set aside"}`, error),
          backoff,
          signal,
        });
      } catch (error) {
        if (error instanceof CredentialRevokedError) return failFatal(error);
        // A local problem (disk full, a file that cannot be moved): the queue is intact, try again.
        problem(`result delivery: ${describe(error)}`);
        await sleep(backoffDelay(attempt, backoff), signal);
      }
    }
  };

  await Promise.all([heartbeatLoop(), pollLoop(), deliverLoop()]);
  await scheduler.shutdown();
  health.state = "stopped";
  if (fatal instanceof CredentialRevokedError) health.lastError = { at: new Date().toISOString(), message: revokedMessage(client.server) };
  await status.flush();
  if (fatal instanceof CredentialRevokedError) throw new CredentialRevokedError(revokedMessage(client.server), 401);
  if (fatal !== undefined) throw fatal;
}

function revokedMessage(server: string): string {
  return `${server} no longer accepts this device's credential (revoked or device deleted); unfinished runs and queued results are kept; enroll again with --enroll TOKEN after removing credential.json`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
