/**
 * Bytes -> text for IOC files: byte-order marks, the declared encoding, and a clear refusal of
 * binary or truncated multi-byte input. No I/O here; callers pass the bytes they read.
 *
 * @module
 */
import { diagnostic, type Diagnostic } from "./diagnostics.js";

/** The outcome of decoding: the text, or the diagnostic that explains why there is none. */
export type DecodeResult = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** Decodes the bytes of an IOC file into text. */
export function decodeIocBytes(bytes: Uint8Array): DecodeResult {
  if (startsWith(bytes, [0xff, 0xfe])) return decodeWith("utf-16le", bytes.subarray(2));
  if (startsWith(bytes, [0xfe, 0xff])) return decodeWith("utf-16be", bytes.subarray(2));
  const body = startsWith(bytes, UTF8_BOM) ? bytes.subarray(3) : bytes;

  const nul = body.indexOf(0);
  if (nul !== -1) {
    return fail(`Binary content: a NUL byte at offset ${nul}; an IOC file is XML text`);
  }
  const declared = declaredEncoding(body);
  if (declared !== undefined && !isUtf8Compatible(declared)) {
    return decodeWith(declared, body);
  }
  return decodeWith("utf-8", body);
}

function decodeWith(encoding: string, bytes: Uint8Array): DecodeResult {
  let decoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  } catch {
    return fail(`Unsupported encoding "${encoding}" declared in the XML declaration`);
  }
  try {
    return { ok: true, text: decoder.decode(bytes) };
  } catch {
    const offset = encoding === "utf-8" ? firstInvalidUtf8(bytes) : -1;
    const where = offset >= 0 ? ` at byte offset ${offset}` : "";
    return fail(`Not valid ${encoding} text${where}: the file is binary, truncated or mislabelled`);
  }
}

/** The `encoding` of an XML declaration at the start of the file, if any (it is ASCII by definition). */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = String.fromCharCode(...bytes.subarray(0, 4096));
  const match = /<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
  return match?.[1]?.toLowerCase();
}

function isUtf8Compatible(encoding: string): boolean {
  // ASCII is a subset of UTF-8; real files say "us-ascii" and sometimes contain UTF-8 anyway.
  return ["utf-8", "utf8", "us-ascii", "ascii"].includes(encoding);
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  // With `stream: true` an incomplete final sequence is not an error, so "the prefix decodes"
  // is monotone and a binary search finds the first invalid byte.
  const prefixDecodes = (end: number): boolean => {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, end), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if (prefixDecodes(mid)) low = mid;
    else high = mid - 1;
  }
  // `low` is the longest decodable prefix, so the sequence holding byte `low` is the bad one:
  // it starts at `low` itself unless an earlier lead byte was still waiting for continuations.
  let lead = Math.min(low, bytes.length) - 1;
  while (lead > 0 && isContinuation(bytes[lead])) lead--;
  const leadByte = bytes[lead] ?? 0;
  const length = leadByte >= 0xf0 ? 4 : leadByte >= 0xe0 ? 3 : leadByte >= 0xc0 ? 2 : 1;
  return lead >= 0 && lead + length > low ? lead : low;
}

function isContinuation(byte: number | undefined): boolean {
  return ((byte ?? 0) & 0xc0) === 0x80;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function fail(message: string): DecodeResult {
  return { ok: false, diagnostic: diagnostic("IOC006", message) };
}
