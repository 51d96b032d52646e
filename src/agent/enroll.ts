/**
 * Enrollment: the first start trades the administrator's enrollment token for the device
 * credential and stores it; later starts load it.
 *
 * @module
 */
import { backoffDelay, sleep, type BackoffOptions } from "./backoff.js";
import { loadCredential, saveCredential, type StoredCredential } from "./credential.js";
import { AgentClient, ServerRefusedError } from "./http-client.js";

/** The agent cannot start: not enrolled, or the server refused the enrollment token. */
export class EnrollmentError extends Error {
  override readonly name = "EnrollmentError";
}

/** Options of {@link ensureEnrolled}. */
export interface EnrollOptions {
  readonly credentialFile: string;
  /** The server (or the instances of one cluster, tried in order); required to enroll, optional later (the stored one is used). */
  readonly server?: string | readonly string[];
  readonly token?: string;
  readonly hostname: string;
  readonly os: string;
  readonly agentVersion: string;
  readonly backoff: BackoffOptions;
  readonly signal: AbortSignal;
  /** Told about retries while the server cannot be reached, and about an unused token. */
  readonly notice: (message: string) => void;
}

/** The stored credential, enrolling first when there is none; undefined when `signal` aborted first. */
export async function ensureEnrolled(options: EnrollOptions): Promise<StoredCredential | undefined> {
  const stored = await loadCredential(options.credentialFile);
  if (stored !== undefined) {
    if (options.token !== undefined) options.notice(`already enrolled as device ${stored.deviceId}; the enrollment token was not used`);
    return stored;
  }
  if (options.server === undefined || options.token === undefined) {
    throw new EnrollmentError(`Cannot start the agent: it is not enrolled (no "${options.credentialFile}"); start it once with --server URL --enroll TOKEN`);
  }
  const servers = typeof options.server === "string" ? [options.server] : options.server;
  const where = servers.join(", ");
  const client = new AgentClient(servers, undefined);
  for (let attempt = 0; !options.signal.aborted; attempt++) {
    try {
      const enrolled = await client.enroll({ token: options.token, hostname: options.hostname, os: options.os, agentVersion: options.agentVersion }, options.signal);
      const credential: StoredCredential = {
        format: "iocscan-agent-credential",
        version: 1,
        server: client.server,
        deviceId: enrolled.deviceId,
        credential: enrolled.credential,
        groupId: enrolled.groupId,
        enrolledAt: new Date().toISOString(),
      };
      await saveCredential(options.credentialFile, credential);
      return credential;
    } catch (error) {
      // A redirect is not followed (the token would go where it points): say so now, do not retry.
      if (error instanceof ServerRefusedError && error.isRedirect) throw new EnrollmentError(`Cannot enroll with ${client.server}: ${error.message}`);
      if (error instanceof ServerRefusedError && !error.retryable) {
        throw new EnrollmentError(`Cannot enroll with ${client.server}: ${error.message} (is the token right and not expired?)`);
      }
      const delay = backoffDelay(attempt, options.backoff);
      options.notice(`cannot reach ${where} to enroll (${error instanceof Error ? error.message : String(error)}); retrying in ${Math.round(delay / 1000)} s`);
      await sleep(delay, options.signal);
    }
  }
  return undefined;
}
