/**
 * Untrusted text (file names, process command lines, IOC titles, messages that embed them) made
 * safe to print for a person: it can neither send control sequences to a terminal (ESC, CSI, OSC,
 * BEL, ...) nor break the line structure of the output (CR, LF, U+2028), nor reorder what is shown
 * (bidirectional overrides).
 *
 * A value is shown as it is when it is plain, and otherwise as a JSON string literal, like git
 * quotes odd path names ("a\nb") and systemd escapes unit names: `"evil\u001b[2J\r.txt"`. The
 * quoted form is exact (JSON.parse gives the value back, lone surrogates included), and a plain
 * value never starts with a double quote, so the two cannot be confused.
 *
 * @module
 */

/**
 * The characters escaped: C0 and C1 controls and DEL (Cc), lone surrogates (Cs), the line and
 * paragraph separators (Zl, Zp), and invisible format characters (Cf: bidirectional controls,
 * zero-width space, byte order mark, tag characters) except the zero-width (non-)joiner, which
 * Persian, Indic scripts and emoji sequences need.
 */
const UNSAFE = /(?![\u200c\u200d])[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\p{Cf}]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, "gu");
const SHORT: Readonly<Record<string, string>> = { "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r" };

function escapeCharacter(character: string): string {
  const short = SHORT[character];
  if (short !== undefined) return short;
  // Per UTF-16 unit: a character beyond U+FFFF becomes its surrogate pair, as JSON writes it.
  let escaped = "";
  for (let i = 0; i < character.length; i++) escaped += `\\u${character.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return escaped;
}

/**
 * A name or other value (path, process name, IOC id or title, host name) as it may be printed:
 * unchanged when it holds no character to escape and does not start with `"`; otherwise a JSON
 * string literal in double quotes.
 *
 * @example
 * ```ts
 * quoteForTerminal("/tmp/evil.exe"); // /tmp/evil.exe
 * quoteForTerminal("/tmp/a\nDETECTED\x1b[2J"); // "/tmp/a\nDETECTED\u001b[2J"
 * ```
 */
export function quoteForTerminal(value: string): string {
  if (!value.startsWith('"') && !UNSAFE.test(value)) return value;
  return `"${value.replace(/["\\]/g, "\\$&").replace(UNSAFE_ALL, escapeCharacter)}"`;
}

/**
 * Prose (a message or a log line that may embed untrusted values) as it may be printed: each
 * character to escape is replaced by its JSON escape (`\n`, `\u001b`), in place; nothing else
 * changes, so a message that quotes a path as `"..."` shows it as {@link quoteForTerminal} would.
 *
 * @example
 * ```ts
 * escapeForTerminal('Cannot open file "/tmp/a\rb": permission denied'); // Cannot open file "/tmp/a\rb": ...
 * ```
 */
export function escapeForTerminal(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeCharacter) : text;
}
