/* eslint-disable @typescript-eslint/no-unsafe-assignment -- expect.stringContaining() is typed any */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StixComparisonExpression, StixLiteral, StixObjectPath, StixPatternExpression } from "./pattern-ast.js";
import { parseStixPattern, StixPatternError } from "./pattern-parser.js";
import { normaliseStixPattern, printStixPattern } from "./pattern-print.js";

function errorOf(pattern: string): StixPatternError {
  try {
    parseStixPattern(pattern);
  } catch (error) {
    if (error instanceof StixPatternError) return error;
    throw error;
  }
  throw new Error(`"${pattern}" parsed`);
}

const normal = (pattern: string): string => printStixPattern(normaliseStixPattern(parseStixPattern(pattern)));

describe("parseStixPattern()", () => {
  it("parseStixPattern() reads AND inside one observation as one comparison group on one object", () => {
    const tree = parseStixPattern("[file:hashes.'SHA-256' = 'ab' AND file:name = 'x.exe']");
    expect(tree.kind).toBe("observation");
    if (tree.kind !== "observation" || tree.expression.kind !== "and") throw new Error("shape");
    expect(tree.expression.operands.map((o) => (o.kind === "comparison" ? o.path.steps : []))).toEqual([
      [
        { kind: "property", name: "hashes" },
        { kind: "property", name: "SHA-256" },
      ],
      [{ kind: "property", name: "name" }],
    ]);
  });

  it("parseStixPattern() gives AND precedence over OR and OR over FOLLOWEDBY", () => {
    const shape = (e: StixPatternExpression): unknown => (e.kind === "observation" ? "obs" : e.kind === "qualified" ? ["qualified", shape(e.expression)] : [e.kind, ...e.operands.map(shape)]);
    expect(shape(parseStixPattern("[a:b = 1] OR [a:b = 2] AND [a:b = 3] FOLLOWEDBY [a:b = 4]"))).toEqual(["followedby", ["or", "obs", ["and", "obs", "obs"]], "obs"]);
    expect(printStixPattern(parseStixPattern("([a:b = 1] OR [a:b = 2]) AND [a:b = 3]"))).toBe("([a:b = 1] OR [a:b = 2]) AND [a:b = 3]");
    const inner = parseStixPattern("[a:b = 1 OR a:b = 2 AND a:b = 3]");
    expect(inner.kind === "observation" && inner.expression.kind).toBe("or");
  });

  it("parseStixPattern() reads qualifiers, IN lists, NOT, EXISTS, list steps and every literal kind", () => {
    const pattern =
      "([process:command_line NOT LIKE '%x%' AND EXISTS process:pid] REPEATS 2 TIMES WITHIN 5.5 SECONDS) START t'2016-01-01T00:00:00Z' STOP t'2017-01-01T00:00:00Z' AND [email-message:body_multipart[*].body_raw_ref.name MATCHES '^a\\\\.exe$' OR artifact:payload_bin = b'AAAA' OR file:x IN (1, -2, 0.5, true, h'ff')]";
    // Qualifiers attach left to right, so the group's parentheses are not needed in print.
    const printed = pattern.replace("([process", "[process").replace("SECONDS) START", "SECONDS START");
    expect(printStixPattern(parseStixPattern(pattern))).toBe(printed);
    expect(printStixPattern(parseStixPattern(printed))).toBe(printed);
  });

  it("printStixPattern() quotes a property named like a keyword, so that it parses back", () => {
    const tree = parseStixPattern("[x-thing:'OR' = 1 AND x-thing:'true'.'IN' = 2]");
    const text = printStixPattern(tree);
    expect(text).toBe("[x-thing:'OR' = 1 AND x-thing:'true'.'IN' = 2]");
    expect(printStixPattern(parseStixPattern(text))).toBe(text);
  });

  it("parseStixPattern() decodes the only two string escapes", () => {
    const tree = parseStixPattern("[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\Run\\\\it\\'s']");
    expect(tree.kind === "observation" && tree.expression.kind === "comparison" && tree.expression.value).toEqual({ kind: "string", value: "HKEY_LOCAL_MACHINE\\Run\\it's" });
  });

  it("parseStixPattern() names the offset and the cause of every error", () => {
    expect(errorOf("[file:name = 'x'")).toMatchObject({ offset: 16, reason: 'expected "]" to close the observation, found the end of the pattern' });
    expect(errorOf("[file:hashes.SHA-256 = 'x']")).toMatchObject({ offset: 13, reason: expect.stringContaining("must be quoted: 'SHA-256'") });
    expect(errorOf("[file:name = 'a\\q']")).toMatchObject({ offset: 15, reason: expect.stringContaining('invalid escape "\\q"') });
    expect(errorOf("[file:name == 'x']")).toMatchObject({ offset: 12, reason: expect.stringContaining("expected a literal after =") });
    expect(errorOf("[file:name ~ 'x']")).toMatchObject({ offset: 11, reason: 'unexpected character "~"' });
    expect(errorOf("[file:name 'x']")).toMatchObject({ offset: 11, reason: expect.stringContaining("expected a comparison operator") });
    expect(errorOf("[file:size LIKE 5]")).toMatchObject({ offset: 16, reason: 'LIKE takes a string literal, found "5"' });
    expect(errorOf("[a:b = 1] WITHIN 0 SECONDS")).toMatchObject({ offset: 17, reason: 'WITHIN takes a positive number, found "0"' });
    expect(errorOf("[a:b = 1] [a:b = 2]")).toMatchObject({ offset: 10, reason: expect.stringContaining("expected AND, OR or FOLLOWEDBY") });
    expect(errorOf("file:name = 'x'")).toMatchObject({ offset: 0, reason: expect.stringContaining('expected "[" or "("') });
    expect(errorOf("[file:name = 'x")).toMatchObject({ offset: 13, reason: "unterminated string literal" });
    expect(errorOf("[file:name = 'x' and file:size = 1]")).toMatchObject({ offset: 17 });
    expect(errorOf("[file:name = 'x'").message).toBe('Cannot parse STIX pattern at offset 16: expected "]" to close the observation, found the end of the pattern');
  });

  it("parseStixPattern() refuses nesting deeper than its limit instead of overflowing the stack", () => {
    const deep = `${"(".repeat(100)}[a:b = 1]${")".repeat(100)}`;
    expect(errorOf(deep).reason).toBe("nesting deeper than 64 levels");
    expect(() => parseStixPattern(`${"(".repeat(50)}[a:b = 1]${")".repeat(50)}`)).not.toThrow();
  });
});

describe("normaliseStixPattern()", () => {
  it("normaliseStixPattern() makes an OR inside one observation equal to an OR of observations, in any order", () => {
    expect(normal("[domain-name:value = 'x' OR ipv4-addr:value = '1.2.3.4']")).toBe(normal("[ipv4-addr:value = '1.2.3.4'] OR [domain-name:value = 'x']"));
  });

  it("normaliseStixPattern() canonicalises hash keys but keeps AND inside an observation apart from AND of observations", () => {
    expect(normal("[file:hashes.md5 = 'a']")).toBe("[file:hashes.MD5 = 'a']");
    expect(normal("[file:hashes.sha256 = 'a' AND file:name = 'b']")).toBe("[file:hashes.'SHA-256' = 'a' AND file:name = 'b']");
    expect(normal("[file:name = 'b' AND file:size = 1]")).not.toBe(normal("[file:name = 'b'] AND [file:size = 1]"));
  });
});

// Property: printing any pattern tree and parsing the text gives the same tree back.
const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/);
const quotedName = fc.string({ minLength: 1, maxLength: 6 });
const pathArb: fc.Arbitrary<StixObjectPath> = fc.record({
  objectType: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
  steps: fc.tuple(
    fc.oneof(name, quotedName).map((n) => ({ kind: "property" as const, name: n })),
    fc.array(fc.oneof(fc.oneof(name, quotedName).map((n) => ({ kind: "property" as const, name: n })), fc.oneof(fc.nat(99), fc.constant("*" as const)).map((index) => ({ kind: "index" as const, index }))), { maxLength: 3 }),
  ).map(([first, rest]) => [first, ...rest]),
});
const literalArb: fc.Arbitrary<StixLiteral> = fc.oneof(
  fc.string().map((value) => ({ kind: "string" as const, value })),
  fc.integer({ min: -1e9, max: 1e9 }).map((value) => ({ kind: "int" as const, value })),
  fc.boolean().map((value) => ({ kind: "bool" as const, value })),
  fc.stringMatching(/^[0-9a-f]{0,8}$/).map((value) => ({ kind: "hex" as const, value })),
);
const comparisonArb: fc.Arbitrary<StixComparisonExpression> = fc.oneof(
  fc.record({ kind: fc.constant("comparison" as const), path: pathArb, negated: fc.boolean(), operator: fc.constantFrom("=" as const, "!=" as const), value: literalArb, offset: fc.constant(0) }),
  fc.record({ kind: fc.constant("comparison" as const), path: pathArb, negated: fc.boolean(), operator: fc.constantFrom("LIKE" as const, "MATCHES" as const), value: fc.string().map((value) => ({ kind: "string" as const, value })), offset: fc.constant(0) }),
  fc.record({ kind: fc.constant("comparison" as const), path: pathArb, negated: fc.boolean(), operator: fc.constant("IN" as const), value: fc.array(literalArb, { maxLength: 3 }), offset: fc.constant(0) }),
);
const { comparisons } = fc.letrec<{ comparisons: StixComparisonExpression }>((tie) => ({
  comparisons: fc.oneof({ depthSize: "small", withCrossShrink: true }, comparisonArb, fc.record({ kind: fc.constantFrom("and" as const, "or" as const), operands: fc.array(tie("comparisons"), { minLength: 2, maxLength: 3 }), offset: fc.constant(0) })),
}));
const { pattern } = fc.letrec<{ pattern: StixPatternExpression }>((tie) => ({
  pattern: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    comparisons.map((expression) => ({ kind: "observation" as const, expression, offset: 0 })),
    fc.record({ kind: fc.constantFrom("and" as const, "or" as const, "followedby" as const), operands: fc.array(tie("pattern"), { minLength: 2, maxLength: 3 }), offset: fc.constant(0) }),
  ),
}));

describe("parseStixPattern() and printStixPattern() (property)", () => {
  it("printStixPattern() output parses back to text that prints the same", () => {
    fc.assert(
      fc.property(pattern, (tree) => {
        const text = printStixPattern(tree);
        expect(printStixPattern(parseStixPattern(text))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });
});
