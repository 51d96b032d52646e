/**
 * Wake-ups for long polls: when a device has new work, every server instance holding that
 * device's poll must answer it. In one process that is an in-memory fan-out; across instances
 * on PostgreSQL it is LISTEN/NOTIFY (postgres-notifier.ts). Only a hint: a poll always re-reads
 * the database, so a lost wake-up delays work until the poll's timeout, never loses it.
 *
 * @module
 */

export interface Notifier {
  /** Wakes the polls of these devices, on every instance. */
  notify(deviceIds: readonly string[]): Promise<void>;
  /** Calls `listener` when the device is notified; returns the unsubscribe function. */
  subscribe(deviceId: string, listener: () => void): () => void;
  close(): Promise<void>;
}

/** The listeners of this process, by device. */
export class LocalListeners {
  readonly #byDevice = new Map<string, Set<() => void>>();

  subscribe(deviceId: string, listener: () => void): () => void {
    let set = this.#byDevice.get(deviceId);
    if (set === undefined) {
      set = new Set();
      this.#byDevice.set(deviceId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#byDevice.get(deviceId) === set) this.#byDevice.delete(deviceId);
    };
  }

  wake(deviceId: string): void {
    for (const listener of [...(this.#byDevice.get(deviceId) ?? [])]) listener();
  }
}

/** The notifier of a single instance (SQLite). */
export function createLocalNotifier(): Notifier {
  const listeners = new LocalListeners();
  return {
    notify(deviceIds) {
      for (const id of deviceIds) listeners.wake(id);
      return Promise.resolve();
    },
    subscribe: (deviceId, listener) => listeners.subscribe(deviceId, listener),
    close: () => Promise.resolve(),
  };
}
