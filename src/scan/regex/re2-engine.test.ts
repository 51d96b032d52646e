import { describe, expect, it } from "vitest";
import { isRegexError, type CompiledRegex } from "../../core/compile/regex-engine.js";
import { createRe2Engine } from "./re2-engine.js";

const engine = createRe2Engine();

function compiled(pattern: string, ignoreCase = true): CompiledRegex {
  const r = engine.compile(pattern, { ignoreCase });
  if (isRegexError(r)) throw new Error(r.error);
  return r;
}

describe("matches: unanchored search with the RE2 engine", () => {
  it("searches anywhere in the value", () => {
    expect(compiled("evil\\d+").test("C:\\temp\\evil42.exe")).toBe(true);
    expect(compiled("^evil").test("C:\\evil.exe")).toBe(false);
  });

  it("is case-insensitive unless preserve-case", () => {
    expect(compiled("EVIL").test("evil")).toBe(true);
    expect(compiled("EVIL", false).test("evil")).toBe(false);
  });

  it("does not let . match a newline (no dotAll)", () => {
    expect(compiled("a.b").test("a\nb")).toBe(false);
    expect(compiled("a.b").test("a-b")).toBe(true);
  });

  it("keeps no state between tests", () => {
    const r = compiled("x");
    expect([r.test("x"), r.test("x"), r.test("x")]).toEqual([true, true, true]);
  });

  it("runs the corpus idioms: \\s \\d [^..] alternation {n} \\\\ and \\x escapes", () => {
    expect(compiled("cmd\\.exe\\s+/c\\s+\\d{2}").test("cmd.exe /c 42")).toBe(true);
    expect(compiled("(u|s)$").test("abcs")).toBe(true);
    expect(compiled("c:\\\\windows\\\\[^\\\\]+\\.exe").test("C:\\Windows\\x.exe")).toBe(true);
    expect(compiled("\\x41B").test("ab")).toBe(true);
  });
});

describe("matches: a pattern RE2 cannot run is refused, not run", () => {
  it.each([["(a)\\1"], ["(?=a)b"], ["(?<!a)b"], ["[a-z-[aeiou]]x("]])("refuses %s", (pattern) => {
    const r = engine.compile(pattern, { ignoreCase: true });
    expect(isRegexError(r)).toBe(true);
  });

  it("refuses absurdly long patterns", () => {
    expect(isRegexError(engine.compile("a".repeat(100_000), { ignoreCase: false }))).toBe(true);
  });
});

describe("matches never stalls the scan (linear-time engine)", () => {
  it("(a+)+$ against a 1 MB value finishes well under a second", () => {
    const r = compiled("(a+)+$");
    const value = "a".repeat(1024 * 1024) + "!";
    const start = performance.now();
    expect(r.test(value)).toBe(false);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
