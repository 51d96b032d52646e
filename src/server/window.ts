/**
 * Daily time windows `hh:mm-hh:mm` of the window run mode, in UTC; a window whose end is not
 * after its start crosses midnight (`22:00-06:00` is open from 22:00 to 06:00 the next day).
 *
 * @module
 */

/** The window syntax, as the API checks it. */
export const WINDOW_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight of both ends, or undefined when `window` is not `hh:mm-hh:mm` with two different times. */
export function parseWindow(window: string): { start: number; end: number } | undefined {
  const m = WINDOW_PATTERN.exec(window);
  if (m === null) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  return start === end ? undefined : { start, end };
}

/** True when `now` (UTC) lies in the window: start inclusive, end exclusive. */
export function isInWindow(window: string, now: Date): boolean {
  const w = parseWindow(window);
  if (w === undefined) return false;
  const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
  return w.start < w.end ? minute >= w.start && minute < w.end : minute >= w.start || minute < w.end;
}
