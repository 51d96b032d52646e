/**
 * `startServer`: what `iocscan server` runs. Opens the fleet database (SQLite in the data folder
 * by default, PostgreSQL for a `postgres://` URL), migrates it, creates the first administrator
 * when there is none, and listens. A SQLite database serves one instance: a second is refused
 * (single-instance.ts).
 *
 * @module
 */
import { join } from "node:path";
import pg from "pg";
import { openPostgresFleetStore, openSqliteFleetStore, type FleetStore } from "../store/fleet/index.js";
import { hashPassword, newOneTimePassword } from "./auth/secrets.js";
import { createLocalNotifier, type Notifier } from "./notifier.js";
import { createPostgresNotifier } from "./postgres-notifier.js";
import { createServer, type ListenOptions } from "./server.js";
import { claimSqliteDatabase } from "./single-instance.js";

export interface StartServerOptions {
  listen: ListenOptions;
  /** A `postgres://` URL or a SQLite file; default `<dataDir>/server.db`. */
  db?: string;
  dataDir: string;
  /** The first administrator's name and password, used only when the database has no administrator. */
  initAdmin?: { name: string; password: string };
  version: string;
  /** The built web console to serve at `/`; default dist/web of this package. */
  consoleDir?: string;
  log: (message: string) => void;
  /** Bearer token for `GET /metrics`; without one, `/metrics` is off (404). */
  metricsToken?: string;
  /** Secure session cookies without TLS here: a TLS reverse proxy in front. */
  secureCookies?: boolean;
}

export interface StartedServer {
  url: string;
  /** Set when a first administrator was created with a generated one-time password. */
  oneTimePassword?: { name: string; password: string };
  close(): Promise<void>;
}

const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//.test(db);

/** Opens the store and starts the server. */
export async function startServer(options: StartServerOptions): Promise<StartedServer> {
  let store: FleetStore;
  let notifier: Notifier;
  let release = (): void => {};
  let pool: pg.Pool | undefined;
  const db = options.db ?? join(options.dataDir, "server.db");
  if (isPostgresUrl(db)) {
    pool = new pg.Pool({ connectionString: db, max: 20 });
    // The store keeps idle-connection errors from ending the process; say that they happened.
    pool.on("error", (error) => options.log(`PostgreSQL: an idle connection failed and was dropped (${error.message})`));
    store = await openPostgresFleetStore(pool);
    try {
      notifier = await createPostgresNotifier(db, pool, options.log);
    } catch (error) {
      await store.close();
      throw error;
    }
  } else {
    store = await openSqliteFleetStore(db).catch((error: unknown) => {
      throw new Error(`Cannot open the server database "${db}": ${error instanceof Error ? error.message : String(error)}`);
    });
    try {
      release = claimSqliteDatabase(db);
    } catch (error) {
      await store.close();
      throw error;
    }
    notifier = createLocalNotifier();
  }
  try {
    let oneTimePassword: StartedServer["oneTimePassword"];
    if ((await store.countAdministrators()) === 0) {
      const name = options.initAdmin?.name ?? "admin";
      const password = options.initAdmin?.password ?? newOneTimePassword();
      if (options.initAdmin === undefined) oneTimePassword = { name, password };
      await store.createUser({ name, role: "administrator", passwordHash: await hashPassword(password) }, "system");
    }
    const server = createServer({
      store,
      notifier,
      version: options.version,
      log: options.log,
      ...(options.consoleDir === undefined ? {} : { consoleDir: options.consoleDir }),
      ...(options.metricsToken === undefined ? {} : { metricsToken: options.metricsToken }),
      ...(pool === undefined ? {} : { databasePool: pool }),
      ...(options.secureCookies === true ? { secureCookies: true } : {}),
    });
    const url = await server.listen(options.listen);
    return {
      url,
      ...(oneTimePassword === undefined ? {} : { oneTimePassword }),
      async close() {
        await server.close();
        await store.close();
        release();
      },
    };
  } catch (error) {
    await notifier.close();
    await store.close();
    release();
    throw error;
  }
}
