/**
 * What the route modules share: the store, the notifier, the clock and the server's options.
 *
 * @module
 */
import type { FleetStore } from "../store/fleet/index.js";
import type { ServerMetrics } from "./metrics.js";
import type { Notifier } from "./notifier.js";

export interface ServerContext {
  store: FleetStore;
  notifier: Notifier;
  now: () => Date;
  /** How long a handed-out run order or command waits for its acknowledgement before it is handed out again. */
  orderLeaseMs: number;
  /** Session lifetime. */
  sessionMs: number;
  /** Set the cookie's Secure flag (the server speaks TLS or sits behind a TLS proxy). */
  secureCookies: boolean;
  /** Resolves when the server is closing: long polls answer at once. */
  closing: Promise<void>;
  isClosing: () => boolean;
  log: (message: string) => void;
  metrics: ServerMetrics;
}
