/**
 * The endpoint agent (`iocscan agent`, issue 7): enrollment, polling, task execution, the
 * offline result queue and the status file.
 *
 * @module
 */
export { runAgent, type AgentOptions } from "./agent.js";
export { DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.js";
export { CredentialError } from "./credential.js";
export { EnrollmentError } from "./enroll.js";
export { CredentialRevokedError } from "./http-client.js";
export { hostScanRunner, taskScanOptions, type HostScanRunnerOptions, type RunScan, type ScanHooks } from "./run-scan.js";
export { agentPaths, defaultAgentStateDir } from "./state-dir.js";
export { formatAgentStatus, isAlive, readAgentStatus, type AgentStatus } from "./status.js";
