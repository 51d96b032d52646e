/**
 * File paths whose bytes are not UTF-8. A Linux file name is any bytes but NUL and "/"; iocscan
 * holds paths as JavaScript strings, in two forms:
 *
 * - **In memory** (the walk, the workers, checkpoints): each byte that is not part of a valid
 *   UTF-8 sequence is the lone surrogate U+DC80..U+DCFF (Python's "surrogateescape", PEP 383).
 *   No UTF-8 name decodes to a lone surrogate, so this is lossless and a name that is UTF-8 (the
 *   overwhelming majority) is the same string as before. {@link pathBytes} gives the bytes back
 *   for a system call; {@link needsBytes} says when a path needs them.
 * - **In reports, snapshots, warnings and the quarantine store** (anything written out):
 *   {@link pathText}, well-formed text that round-trips through any UTF-8 sink (SQLite,
 *   PostgreSQL, a terminal, CSV). A path that is UTF-8 is itself. A path that is not is written
 *   escaped, as osquery, Go's `%q` and Rust's `{:?}` write such bytes: each byte that is not UTF-8
 *   as `\xHH` (two uppercase hex digits, always 80..FF) and each backslash as `\\`; every other
 *   character as itself. `/tmp/bad<FF><FE>name.exe` is written `/tmp/bad\xFF\xFEname.exe`.
 *
 * The text form is unambiguous: {@link pathFromText} reads it back to the exact bytes. A UTF-8
 * path that would read as such an escaped path (it holds a literal `\xFF`, and every backslash in
 * it starts `\\` or `\x80`..`\xFF`) is escaped too (its backslashes doubled), so no two paths
 * share a text. systemd's `\x2d` names, Windows-looking `a\b` names and every path without a
 * backslash are never escaped.
 *
 * IOC string terms (FileName, FullPath, FilePath, FileExtension) match the text form: what a
 * report shows is what an IOC can name (`FileName is "bad\xFF\xFEname.exe"`, `contains
 * "name.exe"`; case-insensitive matching makes `\xff` match too).
 *
 * Pure logic: bytes are Uint8Array here; fs callers wrap them in a Buffer.
 *
 * @module
 */

const BACKSLASH = 0x5c;
/** The first and last lone surrogate that stand for a byte: U+DC80..U+DCFF for 0x80..0xFF. */
const ESCAPED_FIRST = 0xdc80;
const ESCAPED_LAST = 0xdcff;

/** String.prototype.isWellFormed (ES2024, Node 20): false when `text` holds a lone surrogate. */
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Whether `path` holds a byte that is not UTF-8 (a system call then needs {@link pathBytes}). */
export function needsBytes(path: string): boolean {
  return !isWellFormed(path);
}

/**
 * The bytes of a path as listed, in memory form: UTF-8 decoded, each byte that is not part of a
 * valid UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) as
 * U+DC00 + byte.
 */
export function pathFromBytes(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const length = sequenceLength(bytes, i);
    if (length === 0) {
      out += String.fromCharCode(b < 0x80 ? b : 0xdc00 + b);
      i++;
      continue;
    }
    let cp = length === 2 ? b & 0x1f : length === 3 ? b & 0x0f : b & 0x07;
    for (let k = 1; k < length; k++) cp = (cp << 6) | ((bytes[i + k] as number) & 0x3f);
    out += String.fromCodePoint(cp);
    i += length;
  }
  return out;
}

/** The length of the valid multi-byte UTF-8 sequence at `i`, or 0 (ASCII, or not valid). */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i] as number;
  const at = (k: number): number => bytes[i + k] ?? -1;
  const cont = (k: number, low = 0x80, high = 0xbf): boolean => at(k) >= low && at(k) <= high;
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (b === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b >= 0xe1 && b <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b >= 0xf1 && b <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/**
 * The bytes of a path in memory form: UTF-8, each U+DC80..U+DCFF as its byte. (Another lone
 * surrogate, which no listing gives, is written as U+FFFD.)
 */
export function pathBytes(path: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c >= ESCAPED_FIRST && c <= ESCAPED_LAST) out.push(c - 0xdc00);
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < path.length && isLow(path.charCodeAt(i + 1))) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (path.charCodeAt(++i) - 0xdc00);
      out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    } else {
      const u = c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
      out.push(0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f));
    }
  }
  return Uint8Array.from(out);
}

const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/**
 * The text form of a path in memory form (see the module's doc): itself when it is UTF-8 and
 * does not read as an escaped path (always, without a backslash), else escaped.
 */
export function pathText(path: string): string {
  if (isWellFormed(path) && (path.indexOf("\\") < 0 || !readsEscaped(path))) return path;
  let out = "";
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === BACKSLASH) out += "\\\\";
    else if (c >= ESCAPED_FIRST && c <= ESCAPED_LAST) out += `\\x${(c - 0xdc00).toString(16).toUpperCase()}`;
    else out += path[i];
  }
  return out;
}

/** The path in memory form that {@link pathText} writes as `text`. */
export function pathFromText(text: string): string {
  return escapedSource(text) ?? text;
}

/** Whether the UTF-8 path `text` reads as the escaped form of a path that is not UTF-8 (or, in turn, reads so). */
function readsEscaped(text: string): boolean {
  return escapedSource(text) !== undefined;
}

/** The path `text` is the escaped form of (not UTF-8, or itself reading as escaped), or undefined. */
function escapedSource(text: string): string | undefined {
  if (text.indexOf("\\") < 0) return undefined;
  const decoded = unescapeText(text);
  return decoded !== undefined && (!isWellFormed(decoded) || readsEscaped(decoded)) ? decoded : undefined;
}

/** `text` with `\\` and `\x80`..`\xFF` read back, or undefined when some other backslash is in it. */
function unescapeText(text: string): string | undefined {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== BACKSLASH) {
      out += text[i];
      continue;
    }
    const next = text[i + 1];
    if (next === "\\") {
      out += "\\";
      i++;
    } else if (next === "x" && /^[89A-F][0-9A-F]$/.test(text.slice(i + 2, i + 4))) {
      out += String.fromCharCode(0xdc00 + Number.parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else return undefined;
  }
  // Escaped bytes that spell UTF-8 together (\xC3\xA9) are that character, as listing them gives.
  return isWellFormed(out) ? out : pathFromBytes(pathBytes(out));
}
