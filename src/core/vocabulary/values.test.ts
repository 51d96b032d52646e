import { describe, expect, it } from "vitest";
import { canonicalText, compareValues, normalizeExtension, parseValue, valueIs, type ParsedValue } from "./values.js";
import type { ValueType } from "./types.js";
import { dateSpan } from "./values-date.js";

function value(type: ValueType, text: string): ParsedValue {
  const r = parseValue(type, text);
  if (!r.ok) throw new Error(`expected ${type} "${text}" to parse: ${r.reason}`);
  return r.value;
}

function reason(type: ValueType, text: string): string {
  const r = parseValue(type, text);
  if (r.ok) throw new Error(`expected ${type} "${text}" to fail, got ${JSON.stringify(r.value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))}`);
  return r.reason;
}

describe("parseValue: string", () => {
  it("keeps strings exactly as written", () => {
    expect(value("string", "  cmd.exe /c  \n")).toEqual({ kind: "string", value: "  cmd.exe /c  \n" });
    expect(value("string", "")).toEqual({ kind: "string", value: "" });
    expect(value("string", "1 TO 5")).toEqual({ kind: "string", value: "1 TO 5" });
  });
});

describe("parseValue: hashes", () => {
  it("trims and lower-cases", () => {
    expect(value("md5", " 2AA6B6C3C0F2B2C6B8E5A4C3D2E1F0A9 \n")).toEqual({ kind: "hash", value: "2aa6b6c3c0f2b2c6b8e5a4c3d2e1f0a9" });
    expect(value("sha1", "A".repeat(40))).toEqual({ kind: "hash", value: "a".repeat(40) });
    expect(value("sha256", "0".repeat(64)).kind).toBe("hash");
  });

  it("checks the length per algorithm", () => {
    expect(reason("md5", "a".repeat(31))).toBe("md5 needs 32 hex digits, got 31");
    expect(reason("md5", "a".repeat(40))).toMatch(/32 hex digits, got 40/);
    expect(reason("sha256", "a".repeat(63))).toMatch(/64 hex digits/);
  });

  it("names the first non-hex character", () => {
    expect(reason("md5", "2aa6g6c3c0f2b2c6b8e5a4c3d2e1f0a9")).toBe('md5 value is not hexadecimal: "g" at position 5');
    expect(reason("sha1", "ab cd")).toMatch(/not hexadecimal/);
    expect(reason("md5", "   ")).toMatch(/empty/);
  });
});

describe("parseValue: bool", () => {
  it.each([
    ["true", true],
    ["TRUE", true],
    ["Yes", true],
    [" 1 ", true],
    ["false", false],
    ["NO", false],
    ["0", false],
  ])("%j → %s", (text, expected) => {
    expect(value("bool", text)).toEqual({ kind: "bool", value: expected });
  });

  it("refuses anything else", () => {
    expect(reason("bool", "maybe")).toMatch(/not a boolean/);
    expect(reason("bool", "2")).toMatch(/not a boolean/);
  });
});

describe("parseValue: integers", () => {
  it("reads decimals with signs and leading zeros as bigint", () => {
    expect(value("int", "42")).toEqual({ kind: "integer", value: 42n });
    expect(value("int", "-17")).toEqual({ kind: "integer", value: -17n });
    expect(value("int", "+8")).toEqual({ kind: "integer", value: 8n });
    expect(value("int", "007")).toEqual({ kind: "integer", value: 7n });
    expect(value("int", " 13312\n")).toEqual({ kind: "integer", value: 13312n });
    expect(value("int", "0x1F")).toEqual({ kind: "integer", value: 31n });
  });

  it("keeps uint64 values past 2^53 exact", () => {
    expect(value("uint64", "18446744073709551615")).toEqual({ kind: "integer", value: 18446744073709551615n });
    expect(value("uint64", "9007199254740993")).toEqual({ kind: "integer", value: 9007199254740993n });
    expect(valueIs(value("uint64", "9007199254740993"), value("uint64", "9007199254740992"))).toBe(false);
  });

  it("refuses what is not an in-range integer", () => {
    expect(reason("uint64", "18446744073709551616")).toMatch(/out of range/);
    expect(reason("uint64", "-1")).toMatch(/negative/);
    expect(reason("int", "1.5")).toMatch(/not a whole number/);
    expect(reason("int", "12ab")).toMatch(/is not an integer/);
    expect(reason("int", "1,024")).toMatch(/is not an integer/);
    expect(reason("int", "9".repeat(100))).toMatch(/out of range/);
    expect(reason("int", "")).toMatch(/empty/);
  });
});

describe("parseValue: float", () => {
  it("reads decimals", () => {
    expect(value("float", "7.25")).toEqual({ kind: "float", value: 7.25 });
    expect(value("float", "-0.5")).toEqual({ kind: "float", value: -0.5 });
    expect(value("float", ".5")).toEqual({ kind: "float", value: 0.5 });
    expect(value("float", "1e3")).toEqual({ kind: "float", value: 1000 });
  });

  it("refuses NaN, infinities and words", () => {
    expect(reason("float", "NaN")).toMatch(/not a number/);
    expect(reason("float", "1e999")).toMatch(/out of range/);
    expect(reason("float", "seven")).toMatch(/not a number/);
  });
});

describe("dateSpan", () => {
  it("is the width of the precision a date is written to, of a range's end for a range", () => {
    expect(dateSpan("2011-08-05")).toBe(86_400_000);
    expect(dateSpan(" 2011-08-05T07:10Z ")).toBe(60_000);
    expect(dateSpan("2011-08-05T07:10:09Z")).toBe(1000);
    expect(dateSpan("2011-08-05T07:10:09.5")).toBe(100);
    expect(dateSpan("2011-08-05T07:10:09.12+02:00")).toBe(10);
    expect(dateSpan("2011-08-05T07:10:09.1234Z")).toBe(1);
    expect(dateSpan("[2011-08-05T07:10:09.123Z TO 2011-08-06]")).toBe(86_400_000);
    expect(dateSpan("2011-08-05 to 2011-08-06T01:02:03Z")).toBe(1000);
    expect(dateSpan("yesterday")).toBe(1);
  });
});

describe("parseValue: date", () => {
  it("reads ISO 8601 as UTC epoch milliseconds", () => {
    expect(value("date", "2011-08-05T07:10:09Z")).toEqual({ kind: "date", value: Date.UTC(2011, 7, 5, 7, 10, 9) });
    expect(value("date", "2011-08-05T07:10:09")).toEqual({ kind: "date", value: Date.UTC(2011, 7, 5, 7, 10, 9) });
    expect(value("date", "2011-08-05")).toEqual({ kind: "date", value: Date.UTC(2011, 7, 5) });
    expect(value("date", "2011-08-05T07:10")).toEqual({ kind: "date", value: Date.UTC(2011, 7, 5, 7, 10) });
  });

  it("applies zone offsets", () => {
    expect(value("date", "2011-08-05T09:10:09+02:00")).toEqual(value("date", "2011-08-05T07:10:09Z"));
    expect(value("date", "2011-08-05T02:10:09-0500")).toEqual(value("date", "2011-08-05T07:10:09Z"));
    expect(value("date", "2011-08-05T08:10:09+01")).toEqual(value("date", "2011-08-05T07:10:09Z"));
  });

  it("accepts fractional seconds, truncated to milliseconds", () => {
    expect(value("date", "2011-08-05T07:10:09.5Z")).toEqual({ kind: "date", value: Date.UTC(2011, 7, 5, 7, 10, 9, 500) });
    expect(value("date", "2011-08-05T07:10:09.1239999Z")).toEqual({ kind: "date", value: Date.UTC(2011, 7, 5, 7, 10, 9, 123) });
  });

  it("handles years before 100 and leap days", () => {
    expect(value("date", "0050-01-01T00:00:00Z")).toEqual({ kind: "date", value: Date.parse("0050-01-01T00:00:00Z") });
    expect(value("date", "2024-02-29").kind).toBe("date");
  });

  it("refuses impossible dates with the cause", () => {
    expect(reason("date", "2023-02-29")).toMatch(/day 29/);
    expect(reason("date", "2011-13-01")).toMatch(/month 13/);
    expect(reason("date", "2011-08-05T24:00:00Z")).toMatch(/hour 24/);
    expect(reason("date", "2011-08-05T07:60:00Z")).toMatch(/minute 60/);
    expect(reason("date", "2011-08-05T07:10:61Z")).toMatch(/second 61/);
    expect(reason("date", "2011-08-05T07:10:09+25:00")).toMatch(/zone offset/);
    expect(reason("date", "05/08/2011")).toMatch(/not an ISO 8601 date/);
    expect(reason("date", "yesterday")).toMatch(/not an ISO 8601 date/);
  });
});

describe("parseValue: duration", () => {
  it("reads seconds, ISO 8601 and clock forms", () => {
    expect(value("duration", "3600")).toEqual({ kind: "duration", value: 3600 });
    expect(value("duration", "1.5")).toEqual({ kind: "duration", value: 1.5 });
    expect(value("duration", "PT1H30M")).toEqual({ kind: "duration", value: 5400 });
    expect(value("duration", "P1DT2S")).toEqual({ kind: "duration", value: 86402 });
    expect(value("duration", "P1W")).toEqual({ kind: "duration", value: 604800 });
    expect(value("duration", "01:02:03")).toEqual({ kind: "duration", value: 3723 });
    expect(value("duration", "2.00:00:01")).toEqual({ kind: "duration", value: 172801 });
  });

  it("refuses the rest", () => {
    expect(reason("duration", "-5")).toMatch(/negative/);
    expect(reason("duration", "P1Y")).toMatch(/years or months/);
    expect(reason("duration", "P2M")).toMatch(/years or months/);
    expect(reason("duration", "PT")).toMatch(/not a duration/);
    expect(reason("duration", "P")).toMatch(/not a duration/);
    expect(reason("duration", "1:99:00")).toMatch(/not a duration|past 59/);
    expect(reason("duration", "soon")).toMatch(/not a duration/);
  });
});

describe("parseValue: ranges", () => {
  it("reads A TO B and [A TO B] as inclusive ranges", () => {
    expect(value("int", "13312 TO 14336")).toEqual({ kind: "range", low: { kind: "integer", value: 13312n }, high: { kind: "integer", value: 14336n } });
    expect(value("int", "[154192 TO 154192]")).toEqual({ kind: "range", low: { kind: "integer", value: 154192n }, high: { kind: "integer", value: 154192n } });
    expect(value("int", "[ -5 TO 5 ]").kind).toBe("range");
    expect(value("date", "2010-03-30T09:00:00Z TO 2010-03-30T12:00:00Z")).toEqual({
      kind: "range",
      low: { kind: "date", value: Date.UTC(2010, 2, 30, 9) },
      high: { kind: "date", value: Date.UTC(2010, 2, 30, 12) },
    });
    expect(value("float", "0.5 to 1.5").kind).toBe("range");
  });

  it("matches inclusively", () => {
    const range = value("int", "[10 TO 20]");
    expect(valueIs(range, value("int", "10"))).toBe(true);
    expect(valueIs(range, value("int", "20"))).toBe(true);
    expect(valueIs(range, value("int", "21"))).toBe(false);
    expect(valueIs(range, value("int", "9"))).toBe(false);
    const dates = value("date", "2010-03-30T09:00:00Z TO 2010-03-30T12:00:00Z");
    expect(valueIs(dates, value("date", "2010-03-30T11:30:00+01:00"))).toBe(true);
    expect(valueIs(dates, value("date", "2010-03-30T14:30:00+01:00"))).toBe(false);
  });

  it("refuses malformed ranges with the cause", () => {
    expect(reason("int", "[1 TO 5")).toMatch(/unbalanced brackets/);
    expect(reason("int", "1 TO 5]")).toMatch(/unbalanced brackets/);
    expect(reason("int", "{1 TO 5}")).toMatch(/exclusive range/);
    expect(reason("int", "[1 TO]")).toMatch(/expected "A TO B"/);
    expect(reason("int", "1 TO 2 TO 3")).toMatch(/expected "A TO B"/);
    expect(reason("int", "[5]")).toMatch(/expected "A TO B"/);
    expect(reason("int", "[* TO 5]")).toMatch(/open-ended/);
    expect(reason("int", "5 TO 1")).toMatch(/empty range/);
    expect(reason("int", "1 TO x")).toMatch(/^range end: /);
    expect(reason("date", "2010-02-30 TO 2010-03-01")).toMatch(/^range start: .*day 30/);
    expect(reason("ip", "10.0.0.1 TO ::1")).toMatch(/mixes IPv4 and IPv6/);
  });

  it("refuses ranges where they make no sense, or when asked to", () => {
    expect(reason("md5", "1 TO 2")).toMatch(/not hexadecimal/);
    expect(reason("bool", "0 TO 1")).toMatch(/not a boolean/);
    expect(parseValue("int", "1 TO 2", { ranges: false }).ok).toBe(false);
    expect(parseValue("ip", "10.0.0.0/8", { ranges: false }).ok).toBe(false);
  });
});

describe("parseValue: ip", () => {
  it("canonicalises IPv4, leading zeros being decimal", () => {
    expect(canonicalText(value("ip", "10.000.000.001"))).toBe("10.0.0.1");
    expect(canonicalText(value("ip", " 010.1.2.3 "))).toBe("10.1.2.3");
    expect(valueIs(value("ip", "10.0.0.1"), value("ip", "10.000.000.001"))).toBe(true);
  });

  it("reads IPv4 ranges and CIDR blocks", () => {
    const range = value("ip", "10.0.0.1 TO 10.0.0.20");
    expect(valueIs(range, value("ip", "10.0.0.7"))).toBe(true);
    expect(valueIs(range, value("ip", "10.0.1.7"))).toBe(false);
    const cidr = value("ip", "192.168.4.0/22");
    expect(cidr).toMatchObject({ kind: "range", low: { text: "192.168.4.0" }, high: { text: "192.168.7.255" } });
    expect(canonicalText(value("ip", "2001:db8::/32"))).toBe("2001:db8:: TO 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
  });

  it("refuses partial and out-of-range addresses", () => {
    expect(reason("ip", "174.142.57")).toMatch(/not a dotted-quad/);
    expect(reason("ip", "256.1.1.1")).toMatch(/256 is greater than 255/);
    expect(reason("ip", "1.2.3.4.5")).toMatch(/not a dotted-quad/);
    expect(reason("ip", "10.0.0.0/33")).toMatch(/prefix length/);
    expect(reason("ip", "example.com")).toMatch(/not a dotted-quad/);
  });
});

describe("compareValues and valueIs", () => {
  it("orders by value, not by text", () => {
    const n = (t: string): ParsedValue => value("int", t);
    const a = n("9");
    const b = n("10");
    if (a.kind !== "integer" || b.kind !== "integer") throw new Error("unreachable");
    expect(compareValues(a, b)).toBe(-1);
    expect(compareValues(b, a)).toBe(1);
    expect(compareValues(a, { kind: "float", value: 9 })).toBe(0);
    expect(compareValues(a, { kind: "date", value: 9 })).toBeUndefined();
    expect(compareValues({ kind: "duration", value: 5 }, { kind: "duration", value: 6 })).toBe(-1);
  });

  it("compares plain values and refuses mixed kinds", () => {
    expect(valueIs(value("md5", "A".repeat(32)), value("md5", "a".repeat(32)))).toBe(true);
    expect(valueIs(value("bool", "YES"), value("bool", "true"))).toBe(true);
    expect(valueIs(value("int", "5"), value("date", "2011-01-01"))).toBeUndefined();
    expect(valueIs(value("ip", "::ffff:10.0.0.1"), value("ip", "10.0.0.1"))).toBe(true);
    expect(valueIs(value("ip", "::1"), value("ip", "0.0.0.1"))).toBeUndefined();
    expect(valueIs(value("bool", "1"), value("string", "1"))).toBeUndefined();
  });

  it("writes canonical text", () => {
    expect(canonicalText(value("bool", "YES"))).toBe("true");
    expect(canonicalText(value("date", "2011-08-05T09:10:09+02:00"))).toBe("2011-08-05T07:10:09Z");
    expect(canonicalText(value("date", "2011-08-05T07:10:09.250Z"))).toBe("2011-08-05T07:10:09.250Z");
    expect(canonicalText(value("uint64", "0018446744073709551615"))).toBe("18446744073709551615");
    expect(canonicalText(value("int", "[1 TO 2]"))).toBe("1 TO 2");
  });
});

describe("normalizeExtension", () => {
  it("drops exactly one leading dot", () => {
    expect(normalizeExtension(".dll")).toBe("dll");
    expect(normalizeExtension("exe")).toBe("exe");
    expect(normalizeExtension("..x")).toBe(".x");
    expect(normalizeExtension("")).toBe("");
    expect(normalizeExtension("tar.gz")).toBe("tar.gz");
  });
});
