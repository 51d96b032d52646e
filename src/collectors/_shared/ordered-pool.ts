/**
 * Bounded parallel reads that still yield in input order: /proc reads are many small syscalls,
 * so overlapping a few of them shortens a process scan without reordering its records.
 *
 * @module
 */

type Settled<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

/**
 * Applies `read` to `items` with at most `concurrency` in flight, yielding results in order.
 * Stops starting new reads once `signal` is aborted. A rejection is rethrown when its turn comes.
 */
export async function* mapOrdered<T, R>(
  items: readonly T[],
  read: (item: T) => Promise<R>,
  options: { readonly concurrency: number; readonly signal?: AbortSignal | undefined },
): AsyncGenerator<R> {
  const pending: Promise<Settled<R>>[] = [];
  let next = 0;
  const fill = (): void => {
    while (pending.length < options.concurrency && next < items.length && options.signal?.aborted !== true) {
      const item = items[next++] as T;
      // Settled up front, so a read that fails while others are awaited is never "unhandled".
      pending.push(read(item).then((value) => ({ ok: true, value }), (error: unknown) => ({ ok: false, error })));
    }
  };
  fill();
  for (let head = pending.shift(); head !== undefined; head = pending.shift()) {
    const settled = await head;
    if (!settled.ok) throw settled.error;
    if (options.signal?.aborted === true) return;
    fill();
    yield settled.value;
  }
}
