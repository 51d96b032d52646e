/**
 * `createServer`: the management server as a Hono app over a `FleetStore`. Stateless by design
 * (issue 11): sessions, login attempts, enrollment, run claims and job locks are in the database;
 * long-poll wake-ups go through the `Notifier`; so several instances can serve one PostgreSQL.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { iocFromReport } from "../formats/sandbox/index.js";
import type { FleetStore } from "../store/fleet/index.js";
import { DEFAULT_CONSOLE_DIR, mountConsole } from "./console.js";
import type { ServerContext } from "./context.js";
import { errorBody, handleError, HttpError } from "./http-error.js";
import { runJobs, type JobsRound } from "./jobs.js";
import { API_PREFIX, mountRoutes } from "./mount.js";
import { createServerMetrics, metricsHandler, type PoolCounts } from "./metrics.js";
import { createLocalNotifier, type Notifier } from "./notifier.js";
import { buildOpenApi } from "./openapi.js";
import { route, type AnyRoute } from "./route.js";
import { adminRoutes } from "./routes/admin.js";
import { agentRoutes } from "./routes/agent.js";
import { authRoutes } from "./routes/auth.js";
import { dashboardRoutes } from "./routes/dashboard.js";
import { detectionRoutes } from "./routes/detections.js";
import { deviceRoutes } from "./routes/devices.js";
import { enrollmentRoutes } from "./routes/enrollment.js";
import { groupRoutes } from "./routes/groups.js";
import { iocFileRoutes } from "./routes/ioc-files.js";
import { sandboxRoutes } from "./routes/sandbox.js";
import { taskRoutes } from "./routes/tasks.js";
import { userRoutes } from "./routes/users.js";

/** The API routes that take a body before anyone is authenticated. */
const PUBLIC_WRITE_ROUTES = ["/auth/login", "/agent/enroll"] as const;
/** Their body limit: a user name and password, or an enrollment token and host facts. */
const PUBLIC_BODY_BYTES = 64 * 1024;

/** Options of {@link createServer}. */
export interface ServerOptions {
  store: FleetStore;
  /** Default: in-process wake-ups (one instance). Pass `createPostgresNotifier` for several. */
  notifier?: Notifier;
  /** The clock of sessions, windows and retention; tests inject one. */
  now?: () => Date;
  /** Default 60 s. */
  orderLeaseMs?: number;
  /** Default 12 h. */
  sessionMs?: number;
  /** Default: true when listening with TLS. */
  secureCookies?: boolean;
  /** Origins besides the server's own that may send changes (a console served elsewhere). */
  allowedOrigins?: readonly string[];
  /** Period of the job timer; 0 starts no timer (call `runJobs`). Default 30 s. */
  jobIntervalMs?: number;
  /** Largest request body. Default 64 MiB. */
  maxBodyBytes?: number;
  /** Largest body of `POST /sandbox/detections` (a report plus a few fields). Default 16 MiB. */
  maxReportBytes?: number;
  version?: string;
  /** The built web console (index.html, assets/). Default: dist/web of this package. */
  consoleDir?: string;
  log?: (message: string) => void;
  /** Bearer token that `GET /metrics` requires; without one, `/metrics` answers 404. */
  metricsToken?: string;
  /** The PostgreSQL pool, for the connection metrics. */
  databasePool?: PoolCounts;
}

export interface ListenOptions {
  host: string;
  port: number;
  tls?: { certFile: string; keyFile: string };
}

/** A created server. */
export interface IocscanServer {
  app: Hono;
  /** Every API route, as the router, the auth checks and the OpenAPI document see them. */
  routes: readonly AnyRoute[];
  /** Starts listening; resolves to the base URL (`http://127.0.0.1:PORT`). */
  listen(options: ListenOptions): Promise<string>;
  /** Runs the periodic jobs that are due (the timer calls this too). */
  runJobs(): Promise<JobsRound>;
  /** Stops the timer, answers open long polls, stops listening, closes the notifier. The store stays open (the caller owns it). */
  close(): Promise<void>;
}

/**
 * Builds the server.
 *
 * @example
 * ```ts
 * const server = createServer({ store: await openSqliteFleetStore("server.db") });
 * console.log(await server.listen({ host: "127.0.0.1", port: 8443 }));
 * ```
 */
export function createServer(options: ServerOptions): IocscanServer {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const notifier = options.notifier ?? createLocalNotifier();
  const now = options.now ?? (() => new Date());
  let closingFlag = false;
  let markClosing!: () => void;
  const closing = new Promise<void>((resolve) => {
    markClosing = resolve;
  });
  const ctx: ServerContext = {
    store: options.store,
    notifier,
    now,
    orderLeaseMs: options.orderLeaseMs ?? 60_000,
    sessionMs: options.sessionMs ?? 12 * 3_600_000,
    secureCookies: options.secureCookies ?? false,
    closing,
    isClosing: () => closingFlag,
    log,
    metrics: createServerMetrics({ store: options.store, now, ...(options.databasePool === undefined ? {} : { pool: options.databasePool }) }),
  };
  const version = options.version ?? "0.0.0";

  const routes: AnyRoute[] = [
    ...authRoutes(ctx),
    ...userRoutes(ctx),
    ...groupRoutes(ctx),
    ...deviceRoutes(ctx),
    ...enrollmentRoutes(ctx),
    ...iocFileRoutes(ctx),
    ...taskRoutes(ctx),
    ...detectionRoutes(ctx),
    ...dashboardRoutes(ctx),
    ...sandboxRoutes(ctx, iocFromReport),
    ...adminRoutes(ctx),
    ...agentRoutes(ctx),
  ];
  let openapi: Record<string, unknown> | undefined;
  routes.push(
    route({
      method: "get",
      path: "/openapi.json",
      access: "public",
      summary: "This OpenAPI document",
      response: { status: 200 },
      handle: ({ c }) => Promise.resolve(c.json((openapi ??= buildOpenApi(routes, version)))),
    }),
  );

  const app = new Hono();
  app.onError((error, c) => handleError(error, c, log));
  app.notFound((c) => c.json(errorBody("not-found", `No route ${c.req.method} ${c.req.path}`), 404));
  app.use("*", ctx.metrics.observeRequests);
  app.use("*", async (c, next) => {
    await next();
    // While closing, no keep-alive: a client that sends its next request on the same socket
    // would keep the listener from closing; it reconnects (to another instance) instead.
    if (closingFlag) c.header("Connection", "close");
  });
  app.use(
    `${API_PREFIX}/*`,
    limitBody(options.maxBodyBytes ?? 64 * 1024 * 1024, "The request body is too large"),
  );
  // The routes anyone may call (login, enrollment) take a few hundred bytes: a stranger must not
  // make the server read and parse megabytes before its credentials are checked.
  for (const path of PUBLIC_WRITE_ROUTES) {
    app.use(`${API_PREFIX}${path}`, limitBody(PUBLIC_BODY_BYTES, `The request body is larger than this route accepts (${PUBLIC_BODY_BYTES} bytes)`));
  }
  const maxReportBytes = options.maxReportBytes ?? 16 * 1024 * 1024;
  app.use(
    `${API_PREFIX}/sandbox/detections`,
    limitBody(maxReportBytes, `The sandbox report is larger than the intake accepts (${maxReportBytes} bytes)`),
  );
  app.get("/metrics", metricsHandler(ctx.metrics, options.metricsToken));
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => ((await ctx.store.ping()) ? c.json({ status: "ready" }) : c.json(errorBody("not-ready", "The database does not answer"), 503)));
  mountRoutes(app, routes, ctx, options.allowedOrigins ?? []);
  mountConsole(app, options.consoleDir ?? DEFAULT_CONSOLE_DIR, log);

  let http: ServerType | undefined;
  let timer: NodeJS.Timeout | undefined;
  let jobsRunning: Promise<JobsRound> | undefined;
  const jobs = (): Promise<JobsRound> => runJobs(ctx.store, notifier, now, (job, outcome) => ctx.metrics.jobRan(job, outcome));
  const interval = options.jobIntervalMs ?? 30_000;
  if (interval > 0) {
    timer = setInterval(() => {
      jobsRunning ??= jobs()
        .catch((error: unknown) => {
          log(`iocscan server: periodic jobs failed: ${error instanceof Error ? error.message : String(error)}`);
          return {};
        })
        .finally(() => {
          jobsRunning = undefined;
        });
    }, interval);
    timer.unref();
  }

  return {
    app,
    routes,
    runJobs: jobs,
    listen(listen) {
      if (listen.tls !== undefined) ctx.secureCookies = options.secureCookies ?? true;
      return new Promise((resolve, reject) => {
        const tls = listen.tls;
        const onListening = (info: AddressInfo): void => {
          const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
          resolve(`${tls ? "https" : "http"}://${host}:${info.port}`);
        };
        http =
          tls === undefined
            ? serve({ fetch: app.fetch, hostname: listen.host, port: listen.port }, onListening)
            : serve(
                { fetch: app.fetch, hostname: listen.host, port: listen.port, createServer: createHttpsServer, serverOptions: { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } },
                onListening,
              );
        http.once("error", reject);
      });
    },
    async close() {
      closingFlag = true;
      markClosing();
      if (timer !== undefined) clearInterval(timer);
      await jobsRunning;
      const server = http;
      if (server === undefined) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would hold close() open; answered polls end on their own.
        if ("closeIdleConnections" in server) server.closeIdleConnections();
      });
      await notifier.close();
    },
  };
}

/** A body limit of `maxSize` bytes, refused with the API's 413 error saying `message`. */
function limitBody(maxSize: number, message: string): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new HttpError(413, "too-large", message);
    },
  });
}
