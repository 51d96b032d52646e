/**
 * The management server (`iocscan server`, issue 7): REST API under /api/v1 for the console and
 * the agents, on a `FleetStore`.
 *
 * @module
 */
export { createServer, type IocscanServer, type ListenOptions, type ServerOptions } from "./server.js";
export { createStandaloneTask, createStandaloneTaskOnce, type StandaloneTaskOptions } from "./standalone.js";
export { createLocalNotifier, type Notifier } from "./notifier.js";
export { createPostgresNotifier } from "./postgres-notifier.js";
export { hashPassword, verifyPassword, newOneTimePassword } from "./auth/secrets.js";
export { isInWindow, parseWindow } from "./window.js";
export type { JobsRound } from "./jobs.js";
export type { AnyRoute, Access } from "./route.js";
export { startServer, type StartServerOptions, type StartedServer } from "./start.js";
