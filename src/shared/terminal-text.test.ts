import { describe, expect, it } from "vitest";
import { escapeForTerminal, quoteForTerminal } from "./terminal-text.js";

/** What a terminal could act on, or what could break or reorder a line, left in printed text. */
const ACTIVE = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

const HOSTILE = "evil\x1b]0;pwned\x07\x1b[2J\x1b[1A\rNo IOC matched.\n\x9b31m\x7f\u202etxt.exe\u2028\x00";

describe("quoteForTerminal()", () => {
  it("quoteForTerminal() leaves plain names as they are, backslashes and non-ASCII letters included", () => {
    for (const name of ["/tmp/evil.exe", "C:\\Windows\\evil.exe", "Poison Ivy \"dropper\"", "résumé 履歴書 😀", "a\u200cb\u200dc", ""]) {
      expect(quoteForTerminal(name)).toBe(name);
    }
  });

  it("quoteForTerminal() gives a JSON string literal without control characters that JSON.parse turns back into the value", () => {
    const quoted = quoteForTerminal(HOSTILE);
    expect(quoted).toBe('"evil\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[1A\\rNo IOC matched.\\n\\u009b31m\\u007f\\u202etxt.exe\\u2028\\u0000"');
    expect(quoted).not.toMatch(ACTIVE);
    expect(JSON.parse(quoted)).toBe(HOSTILE);
  });

  it("quoteForTerminal() quotes a value that starts with a double quote, so it cannot pass for a quoted one", () => {
    const literal = '"a\\nb"';
    expect(quoteForTerminal(literal)).toBe('"\\"a\\\\nb\\""');
    expect(quoteForTerminal(literal)).not.toBe(quoteForTerminal("a\nb"));
    expect(JSON.parse(quoteForTerminal(literal))).toBe(literal);
  });

  it("quoteForTerminal() escapes lone surrogates and invisible tag characters instead of failing on them", () => {
    for (const value of ["\ud800", "x\udfffy", "\udc00\ud800", "tag\u{e0041}\u{e007f}"]) {
      const quoted = quoteForTerminal(value);
      expect(quoted).not.toMatch(ACTIVE);
      expect(quoted).toMatch(/^"[\x20-\x7e]*"$/);
      expect(JSON.parse(quoted)).toBe(value);
    }
  });

  it("quoteForTerminal() leaves no active character for any code point", () => {
    for (let code = 0; code <= 0x10ffff; code += code < 0x3000 ? 1 : 97) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const value = `a${String.fromCodePoint(code)}b`;
      const quoted = quoteForTerminal(value);
      expect(quoted, code.toString(16)).not.toMatch(ACTIVE);
      expect(JSON.parse(quoted.startsWith('"') ? quoted : JSON.stringify(quoted)), code.toString(16)).toBe(value);
    }
  });
});

describe("escapeForTerminal()", () => {
  it("escapeForTerminal() escapes only the characters to escape and keeps the rest of a message", () => {
    expect(escapeForTerminal('Cannot open file "/tmp/a": permission denied')).toBe('Cannot open file "/tmp/a": permission denied');
    expect(escapeForTerminal(`Cannot open file "${HOSTILE}": denied`)).toBe(`Cannot open file ${quoteForTerminal(HOSTILE)}: denied`);
  });

  it("escapeForTerminal() keeps one line one line", () => {
    const line = escapeForTerminal("task done\n2026-01-01T00:00:00Z iocscan agent: enrolled\r\u2029");
    expect(line).toBe("task done\\n2026-01-01T00:00:00Z iocscan agent: enrolled\\r\\u2029");
    expect(line).not.toMatch(ACTIVE);
  });
});
