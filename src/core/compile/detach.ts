/**
 * Strings cut from a larger string keep all of it alive: V8 represents `big.slice(a, b)` (13
 * characters or more) as a view into `big`. An XML reader's attribute and text values are such
 * views into the whole file, so a plan that kept an item's id or value as read would keep every
 * IOC file's text in memory (measured: 575 MB for 10,000 generated IOCs, instead of about 250).
 *
 * @module
 */

/**
 * A string equal to `s` that does not keep the string it was cut from alive. Concatenating then
 * slicing makes V8 flatten a fresh copy; short strings are always copies already.
 *
 * @example
 * ```ts
 * const id = detach(xmlText.slice(start, end)); // xmlText can now be collected
 * ```
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (s + "\u0000").slice(0, -1);
}
