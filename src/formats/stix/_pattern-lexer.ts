/**
 * Tokens of the STIX 2.1 pattern grammar. Keywords are upper case and case-sensitive, as in
 * STIXPattern.g4 (`and` is an identifier, not AND).
 *
 * @module
 */
import { StixPatternError } from "./pattern-error.js";

export type TokenKind =
  | "identifier" // [A-Za-z_][A-Za-z0-9_-]* that is not a keyword
  | "keyword"
  | "string" // '…'
  | "timestamp" // t'…'
  | "hex" // h'…'
  | "binary" // b'…'
  | "int"
  | "float"
  | "punct" // [ ] ( ) : . , = != < > <= >= *
  | "end";

export interface Token {
  readonly kind: TokenKind;
  /** Keyword and punctuation text; the decoded value of string-like literals. */
  readonly text: string;
  readonly offset: number;
}

/** Words the lexer reads as keywords: a property of that name must be written as a string, `a:'OR'`. */
export const KEYWORDS: ReadonlySet<string> = new Set(["AND", "OR", "NOT", "FOLLOWEDBY", "LIKE", "MATCHES", "ISSUPERSET", "ISSUBSET", "EXISTS", "LAST", "IN", "START", "STOP", "SECONDS", "WITHIN", "REPEATS", "TIMES", "true", "false"]);
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_-]*/y;
const NUMBER = /[+-]?(\d+)(\.\d+)?/y;
const TWO_CHAR = new Set(["!=", "<=", ">=", "<>"]);
const ONE_CHAR = new Set(["[", "]", "(", ")", ":", ".", ",", "=", "<", ">", "*"]);

/** Splits a pattern into tokens, or throws a {@link StixPatternError} at the first bad character. */
export function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < pattern.length) {
    const ch = pattern[at] ?? "";
    if (/\s/.test(ch)) {
      at += 1;
      continue;
    }
    const prefixed = /[thb]/.test(ch) && pattern[at + 1] === "'";
    if (ch === "'" || prefixed) {
      const start = at;
      const { value, end } = readQuoted(pattern, prefixed ? at + 1 : at);
      const kind: TokenKind = !prefixed ? "string" : ch === "t" ? "timestamp" : ch === "h" ? "hex" : "binary";
      tokens.push({ kind, text: value, offset: start });
      at = end;
      continue;
    }
    IDENTIFIER.lastIndex = at;
    const word = IDENTIFIER.exec(pattern);
    if (word) {
      tokens.push({ kind: KEYWORDS.has(word[0]) ? "keyword" : "identifier", text: word[0], offset: at });
      at += word[0].length;
      continue;
    }
    NUMBER.lastIndex = at;
    const number = /[\d+-]/.test(ch) ? NUMBER.exec(pattern) : null;
    if (number) {
      tokens.push({ kind: number[2] === undefined ? "int" : "float", text: number[0], offset: at });
      at += number[0].length;
      continue;
    }
    const two = pattern.slice(at, at + 2);
    if (TWO_CHAR.has(two)) {
      tokens.push({ kind: "punct", text: two === "<>" ? "!=" : two, offset: at });
      at += 2;
      continue;
    }
    if (ONE_CHAR.has(ch)) {
      tokens.push({ kind: "punct", text: ch, offset: at });
      at += 1;
      continue;
    }
    throw new StixPatternError(`unexpected character "${ch}"`, at);
  }
  tokens.push({ kind: "end", text: "", offset: pattern.length });
  return tokens;
}

/** Reads `'…'` from `quote` (the opening quote); the only escapes are `\'` and `\\`. */
function readQuoted(pattern: string, quote: number): { value: string; end: number } {
  let value = "";
  let at = quote + 1;
  while (at < pattern.length) {
    const ch = pattern[at] ?? "";
    if (ch === "'") return { value, end: at + 1 };
    if (ch === "\\") {
      const next = pattern[at + 1];
      if (next !== "'" && next !== "\\") throw new StixPatternError(`invalid escape "\\${next ?? ""}" in a string literal (only \\' and \\\\ are allowed)`, at);
      value += next;
      at += 2;
      continue;
    }
    value += ch;
    at += 1;
  }
  throw new StixPatternError("unterminated string literal", quote);
}
