/**
 * The cross-instance notifier on PostgreSQL: `NOTIFY iocscan_work, '<device ids>'` from any
 * instance reaches every instance's `LISTEN` connection, which wakes its local polls.
 *
 * @module
 */
import pg from "pg";
import { LocalListeners, type Notifier } from "./notifier.js";

const CHANNEL = "iocscan_work";
// NOTIFY payloads must stay under 8000 bytes: send device ids in batches.
const PAYLOAD_LIMIT = 7000;

/**
 * Connects a LISTEN session to `connectionString` and notifies through `pool`. If the LISTEN
 * connection drops, it reconnects after a second (polls meanwhile end by their timeout).
 */
export async function createPostgresNotifier(connectionString: string, pool: pg.Pool, log: (message: string) => void = () => {}): Promise<Notifier> {
  const listeners = new LocalListeners();
  let closed = false;
  let client: pg.Client | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString });
    next.on("notification", (message) => {
      if (message.channel !== CHANNEL || message.payload === undefined) return;
      for (const id of message.payload.split(",")) listeners.wake(id);
    });
    next.on("error", (error) => {
      log(`iocscan server: LISTEN connection failed: ${error.message}`);
      void next.end().catch(() => {});
      if (!closed) setTimeout(() => void connect().catch(() => {}), 1000).unref();
    });
    await next.connect();
    await next.query(`LISTEN ${CHANNEL}`);
    client = next;
  };
  await connect();

  return {
    async notify(deviceIds) {
      let batch: string[] = [];
      let size = 0;
      const flush = async (): Promise<void> => {
        if (batch.length > 0) await pool.query("select pg_notify($1, $2)", [CHANNEL, batch.join(",")]);
        batch = [];
        size = 0;
      };
      for (const id of new Set(deviceIds)) {
        if (size + id.length + 1 > PAYLOAD_LIMIT) await flush();
        batch.push(id);
        size += id.length + 1;
      }
      await flush();
    },
    subscribe: (deviceId, listener) => listeners.subscribe(deviceId, listener),
    async close() {
      closed = true;
      await client?.end();
    },
  };
}
