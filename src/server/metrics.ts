/**
 * `/metrics` in Prometheus text format (issue 11), through prom-client with a registry per
 * server (tests run several servers in one process). Per instance: process metrics, HTTP requests
 * by route template and status, their latency, open long polls, agent results stored or retried,
 * periodic job runs, and the PostgreSQL pool's connections. Cluster-wide (the same on every
 * instance, read from the database at scrape time and kept a few seconds so that several
 * scrapers cost one query): enrolled and online devices, current runs by state.
 *
 * @module
 */
import { timingSafeEqual, createHash } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { RunState } from "../core/api/index.js";
import type { FleetCounts, FleetStore } from "../store/fleet/index.js";
import { errorBody } from "./http-error.js";
import { ONLINE_WITHIN_MS } from "./online.js";

/** How long one reading of the cluster-wide counts serves scrapes. */
const FLEET_COUNTS_TTL_MS = 5_000;

/** The counts of a connection pool (`pg.Pool` has exactly these). */
export interface PoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

export type JobOutcome = "ran" | "skipped" | "failed";

/** What the server reports into its metrics. */
export interface ServerMetrics {
  readonly registry: Registry;
  /** Counts requests by method, route template and status, and their duration. */
  readonly observeRequests: MiddlewareHandler;
  /** Counts a long poll as open until the returned function is called. */
  longPollOpened(): () => void;
  /** A result upload: stored, or a retry of one already stored. */
  resultRecorded(stored: boolean): void;
  jobRan(job: string, outcome: JobOutcome): void;
}

export interface MetricsOptions {
  store: FleetStore;
  now: () => Date;
  /** The PostgreSQL pool; absent on SQLite. */
  pool?: PoolCounts;
}

export function createServerMetrics(options: MetricsOptions): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({ name: "iocscan_http_requests_total", help: "HTTP requests answered, by method, route template and status", labelNames: ["method", "route", "status"], registers: [registry] });
  const duration = new Histogram({
    name: "iocscan_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method and route template (long polls wait up to their `wait`)",
    labelNames: ["method", "route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const longPolls = new Gauge({ name: "iocscan_long_polls_open", help: "Agent long polls this instance holds open", registers: [registry] });
  const results = new Counter({ name: "iocscan_agent_results_total", help: "Agent result uploads: stored, or retried (already stored, nothing written)", labelNames: ["outcome"], registers: [registry] });
  const jobs = new Counter({ name: "iocscan_job_runs_total", help: "Periodic job attempts on this instance: ran, skipped (another instance has it or its period has not passed) or failed", labelNames: ["job", "outcome"], registers: [registry] });
  for (const outcome of ["stored", "retried"]) results.inc({ outcome }, 0);

  const pool = options.pool;
  if (pool !== undefined) {
    new Gauge({
      name: "iocscan_db_pool_connections",
      help: "This instance's PostgreSQL pool: connections in use, idle, and requests waiting for one",
      labelNames: ["state"],
      registers: [registry],
      collect() {
        this.set({ state: "in_use" }, pool.totalCount - pool.idleCount);
        this.set({ state: "idle" }, pool.idleCount);
        this.set({ state: "waiting" }, pool.waitingCount);
      },
    });
  }

  let counts: { at: number; value: Promise<FleetCounts> } | undefined;
  const fleetCounts = (): Promise<FleetCounts> => {
    const at = Date.now();
    if (counts === undefined || at - counts.at > FLEET_COUNTS_TTL_MS) {
      const value = options.store.fleetCounts(new Date(options.now().getTime() - ONLINE_WITHIN_MS).toISOString());
      counts = { at, value };
      // A failed reading must not be served again.
      value.catch(() => (counts = undefined));
    }
    return counts.value;
  };
  new Gauge({
    name: "iocscan_devices",
    help: "Enrolled devices (cluster-wide); state=online: seen within the last 2 minutes",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const c = await fleetCounts();
      this.set({ state: "enrolled" }, c.devices);
      this.set({ state: "online" }, c.devicesOnline);
    },
  });
  new Gauge({
    name: "iocscan_runs",
    help: "Current task runs by state (cluster-wide)",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const c = await fleetCounts();
      for (const state of RunState.options) this.set({ state }, c.runsByState[state] ?? 0);
    },
  });

  return {
    registry,
    async observeRequests(c, next) {
      const end = duration.startTimer();
      await next();
      const template = routePath(c);
      // Unmatched paths are labelled as one, so that probes of random URLs cannot grow the series.
      const route = template.endsWith("*") ? "unmatched" : template;
      end({ method: c.req.method, route });
      requests.inc({ method: c.req.method, route, status: String(c.res.status) });
    },
    longPollOpened() {
      longPolls.inc();
      let open = true;
      return () => {
        if (open) longPolls.dec();
        open = false;
      };
    },
    resultRecorded(stored) {
      results.inc({ outcome: stored ? "stored" : "retried" });
    },
    jobRan(job, outcome) {
      jobs.inc({ job, outcome });
    },
  };
}

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/**
 * The `/metrics` handler: 404 when no token is configured (metrics are off), 401 without
 * `Authorization: Bearer <token>`, else the text exposition.
 */
export function metricsHandler(metrics: ServerMetrics, token: string | undefined): (c: Context) => Promise<Response> {
  return async (c) => {
    if (token === undefined) return c.json(errorBody("not-found", "Metrics are off: start the server with IOCSCAN_METRICS_TOKEN or --metrics-token-file"), 404);
    const given = /^Bearer (.+)$/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
    // Digests of equal length, so the comparison takes the same time whatever was sent.
    if (!timingSafeEqual(digest(given), digest(token))) {
      c.header("WWW-Authenticate", 'Bearer realm="iocscan metrics"');
      return c.json(errorBody("unauthorized", "GET /metrics needs Authorization: Bearer <metrics token>"), 401);
    }
    return c.body(await metrics.registry.metrics(), 200, { "Content-Type": metrics.registry.contentType });
  };
}
