/** Loading data in pages: one request, optionally repeated, with its error kept for display. */
import { useCallback, useEffect, useRef, useState } from "react";

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  /** Asks again now. */
  reload: () => void;
}

/**
 * Runs `load` when `key` changes and every `refreshMs` (if given) while the page is open. Answers
 * that arrive after a newer request started are dropped, so a slow answer never overwrites a
 * newer one.
 */
export function useLoad<T>(load: () => Promise<T>, key: string, refreshMs?: number): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(() => {
    const ticket = ++latest.current;
    loadRef.current().then(
      (value) => {
        if (ticket !== latest.current) return;
        setData(value);
        setError(undefined);
      },
      (e: unknown) => {
        if (ticket !== latest.current) return;
        setError(e instanceof Error ? e : new Error(String(e)));
      },
    );
  }, []);

  useEffect(() => {
    run();
    if (refreshMs === undefined) return () => void ++latest.current;
    const timer = setInterval(run, refreshMs);
    return () => {
      clearInterval(timer);
      ++latest.current;
    };
  }, [key, refreshMs, run]);

  return { data, error, reload: run };
}
