/**
 * Byte-level mutations of IOC files for robustness tests: bit flips, byte overwrites, inserted
 * bytes and XML-significant tokens, deletions, truncation and repeated slices (to grow nesting
 * and size). Positions are drawn as naturals and taken modulo the current length, so every
 * mutation applies to any input and shrinks towards the start of the file.
 */
import fc from "fast-check";

/** One edit of a byte string. */
export type Mutation =
  | { readonly kind: "flip"; readonly at: number; readonly bit: number }
  | { readonly kind: "set"; readonly at: number; readonly byte: number }
  | { readonly kind: "insert"; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "repeat"; readonly at: number; readonly length: number; readonly times: number }
  | { readonly kind: "word"; readonly at: number; readonly word: string };

const encoder = new TextEncoder();

// Fragments that steer a parser into its rarer paths: markup, entities, encodings, nesting.
const TOKENS: readonly string[] = [
  "<", ">", "&", '"', "'", "/", "=", "&amp;", "&#0;", "&#x110000;", "&#xD800;", "&undefined;", "&lt",
  "<!--", "-->", "<![CDATA[", "]]>", "<?xml version=\"1.0\" encoding=\"utf-16\"?>", "<?pi x?>",
  '<!DOCTYPE ioc [<!ENTITY e "xxxxxxxx"><!ENTITY f "&e;&e;&e;&e;">]>', '<!DOCTYPE ioc SYSTEM "file:///etc/passwd">',
  "&e;", '<Indicator operator="AND" id="m">', "</Indicator>", '<IndicatorItem id="m" condition="is">',
  "</IndicatorItem>", '<Context document="FileItem" search="FileItem/Md5sum" type="mir"/>', "<Content>", "</Content>",
  'condition="matches"', 'negate="maybe"', 'operator="XOR"', 'xmlns="urn:other"', "xmlns:a=\"\"", "a:b",
  "\uFEFF", "\r", "\r\n", "\t", "\u0085", "\u2028", "日本", "😀",
];

// Replacements for one name-like run of the file: they mostly keep it well-formed, so the
// mutated file reaches the OpenIOC reader proper (conditions, operators, terms, booleans).
const WORDS: readonly string[] = [
  "", "is", "isnot", "contains", "containsnot", "matches", "starts-with", "greaterthan", "IS", "AND", "OR", "and",
  "XOR", "true", "false", "maybe", "1", "Indicator", "IndicatorItem", "Context", "Content", "Comment", "param",
  "FileItem/Md5sum", "eventItem/processEvent/processCmdLine", "eventItem", "FileItem", "md5", "int", "date",
  "2013-02-10T13:00:00", "-1", "0001-01-01T00:00:00", "criteria", "definition", "metadata", "parameters",
];

const SPECIAL_BYTES: readonly (readonly number[])[] = [[0x00], [0xff, 0xfe], [0xfe, 0xff], [0xef, 0xbb, 0xbf], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80]];

const insertBytesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.constantFrom(...TOKENS).map((token) => encoder.encode(token)),
  fc.constantFrom(...SPECIAL_BYTES).map((bytes) => Uint8Array.from(bytes)),
  fc.uint8Array({ minLength: 1, maxLength: 8 }),
);

/** A single mutation. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: insertBytesArb }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("repeat" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 400 }),
    times: fc.integer({ min: 2, max: 60 }),
  }),
  fc.record({ kind: fc.constant("word" as const), at: fc.nat(), word: fc.constantFrom(...WORDS) }),
);

/** One to five mutations, applied in order (mostly few, so some files stay readable). */
export const mutationsArb: fc.Arbitrary<Mutation[]> = fc.oneof(
  { arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 2 }), weight: 3 },
  { arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 5 }), weight: 1 },
);

/** Applies the mutations to a copy of `input`. */
export function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = input;
  for (const mutation of mutations) bytes = applyOne(bytes, mutation);
  return bytes;
}

function applyOne(bytes: Uint8Array, mutation: Mutation): Uint8Array {
  const at = mutation.at % (bytes.length + 1);
  switch (mutation.kind) {
    case "flip":
    case "set": {
      if (bytes.length === 0) return bytes;
      const copy = bytes.slice();
      const index = at % bytes.length;
      copy[index] = mutation.kind === "flip" ? (copy[index] ?? 0) ^ (1 << mutation.bit) : mutation.byte;
      return copy;
    }
    case "insert":
      return concat(bytes.subarray(0, at), mutation.bytes, bytes.subarray(at));
    case "delete":
      return concat(bytes.subarray(0, at), bytes.subarray(at + mutation.length));
    case "truncate":
      return bytes.slice(0, at);
    case "repeat": {
      const slice = bytes.subarray(at, at + mutation.length);
      return concat(bytes.subarray(0, at), ...Array<Uint8Array>(mutation.times).fill(slice), bytes.subarray(at + slice.length));
    }
    case "word":
      return replaceWord(bytes, at, encoder.encode(mutation.word));
  }
}

/** Replaces the first run of name-like ASCII bytes at or after `at` with `word`. */
function replaceWord(bytes: Uint8Array, at: number, word: Uint8Array): Uint8Array {
  const isWordByte = (b: number | undefined): boolean =>
    b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x2f || b === 0x5f);
  let start = at;
  while (start < bytes.length && !isWordByte(bytes[start])) start++;
  let end = start;
  while (end < bytes.length && isWordByte(bytes[end])) end++;
  return concat(bytes.subarray(0, start), word, bytes.subarray(end));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
