import { describe, expect, it } from "vitest";
import type { Condition } from "../ioc/model.js";
import { parseIoc } from "../ioc/parse.js";
import { createRe2Engine } from "../../scan/regex/re2-engine.js";
import type { FieldValue } from "./types.js";
import { and, ioc, item, or, plan, record, run, type ItemSpec } from "./_test-builders.js";

const regexEngine = createRe2Engine();

/** The verdict of one item against one record of its document. */
function check(term: string, condition: Condition, value: string, field: FieldValue, spec: ItemSpec & { version?: "1.0" | "1.1" } = {}): string {
  const document = term.split("/")[0] ?? "";
  const key = term.slice(document.length + 1);
  const p = plan(ioc(or(item(term, condition, value, spec)), { version: spec.version ?? "1.1" }), { regexEngine });
  return run(p, [record(document, "r", { [key]: field })]).verdict;
}

describe("conditions on strings", () => {
  it("is / contains / starts-with / ends-with, with negate", () => {
    expect(check("FileItem/FileName", "is", "evil.exe", "evil.exe")).toBe("true");
    expect(check("FileItem/FileName", "is", "evil", "evil.exe")).toBe("false");
    expect(check("FileItem/FullPath", "contains", "temp\\", "C:\\temp\\x")).toBe("true");
    expect(check("FileItem/FullPath", "starts-with", "C:\\", "C:\\temp")).toBe("true");
    expect(check("FileItem/FullPath", "starts-with", "temp", "C:\\temp")).toBe("false");
    expect(check("FileItem/FullPath", "ends-with", ".exe", "x.exe")).toBe("true");
    expect(check("FileItem/FullPath", "ends-with", ".exe", "x.exe.txt")).toBe("false");
  });

  it("treats * literally (no globbing)", () => {
    expect(check("FileItem/FullPath", "contains", "dir *si.lnk", "dir *si.lnk")).toBe("true");
    expect(check("FileItem/FullPath", "contains", "dir *si.lnk", "dir abcsi.lnk")).toBe("false");
  });

  it("keeps meaningful whitespace in string values", () => {
    expect(check("ProcessItem/arguments", "contains", "-c ", "sh -c x")).toBe("true");
    expect(check("ProcessItem/arguments", "contains", "-c ", "sh -cx")).toBe("false");
  });
});

describe("case folding (semantics 7.4)", () => {
  it("1.0 is always case-insensitive, even with preserve-case set", () => {
    expect(check("FileItem/FileName", "is", "EVIL.EXE", "evil.exe", { version: "1.0", preserveCase: true })).toBe("true");
  });

  it("1.1 is case-insensitive unless preserve-case", () => {
    expect(check("FileItem/FileName", "contains", "EVIL", "evil.exe")).toBe("true");
    expect(check("FileItem/FileName", "contains", "EVIL", "evil.exe", { preserveCase: true })).toBe("false");
    expect(check("FileItem/FileName", "is", "Evil.exe", "Evil.exe", { preserveCase: true })).toBe("true");
    expect(check("FileItem/FileName", "starts-with", "E", "evil", { preserveCase: true })).toBe("false");
  });

  it("hashes, IPs and booleans are case-insensitive whatever preserve-case says", () => {
    expect(check("FileItem/Md5sum", "is", "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdef", { preserveCase: true })).toBe("true");
    expect(check("PortItem/remoteIP", "is", "FE80::1", "fe80::1", { preserveCase: true })).toBe("true");
  });
});

describe("matches: unanchored regex search through the injected engine", () => {
  it("searches, case-insensitively unless preserve-case", () => {
    expect(check("ProcessItem/arguments", "matches", "powershell.+-enc", "C:\\x\\PowerShell.exe -nop -enc AAA")).toBe("true");
    expect(check("ProcessItem/arguments", "matches", "^-enc", "powershell -enc")).toBe("false");
    expect(check("ProcessItem/arguments", "matches", "POWERSHELL", "powershell", { preserveCase: true })).toBe("false");
  });

  it("a pattern the engine refuses makes the item UNKNOWN, never FALSE (negated or not)", () => {
    expect(check("ProcessItem/arguments", "matches", "(a)\\1", "aa")).toBe("unknown");
    expect(check("ProcessItem/arguments", "matches", "(?=a)a", "aa", { negate: true })).toBe("unknown");
    const p = plan(ioc(or(item("ProcessItem/arguments", "matches", "(a)\\1"))), { regexEngine });
    expect(p.items.at(0)?.status).toMatchObject({ kind: "unknown", reason: "unrunnable-regex", code: "IOC034" });
  });

  it("XSD character-class subtraction is refused (UNKNOWN), never read as JavaScript's literal '-[' (semantics 7.5)", () => {
    // RE2 and JavaScript accept "[a-z-[aeiou]]" as the class [a-z\-\[aeiou] followed by a literal "]":
    // "dvil" would silently stop matching and "d]vil" would start to.
    expect(check("FileItem/FileName", "matches", "^[a-z-[aeiou]]vil", "dvil.exe")).toBe("unknown");
    expect(check("FileItem/FileName", "matches", "^[a-z-[aeiou]]vil", "d]vil.exe", { negate: true })).toBe("unknown");
    const p = plan(ioc(or(item("FileItem/FileName", "matches", "[\\w-[_]]+"))), { regexEngine });
    expect(p.items.at(0)?.status).toMatchObject({ kind: "unknown", reason: "unrunnable-regex", code: "IOC034" });
    // "-[" outside a class, or an escaped "\\[", is ordinary syntax (HX GUID patterns use "-[A-F0-9]{4}").
    expect(check("FileItem/FileName", "matches", "[A-F0-9]{8}-[A-F0-9]{4}", "DEADBEEF-CAFE")).toBe("true");
    expect(check("FileItem/FileName", "matches", "^[a-z-\\[]+$", "a-[b")).toBe("true");
  });

  it("without an engine every matches item is UNKNOWN", () => {
    const p = plan(ioc(or(item("ProcessItem/arguments", "matches", "a"))));
    expect(p.items.at(0)?.status).toMatchObject({ kind: "unknown", reason: "no-regex-engine" });
  });

  it("a catastrophic pattern on a 1 MB value returns fast (< 1 s; measured properly in the benchmark)", () => {
    const start = performance.now();
    expect(check("FileItem/FullPath", "matches", "(a+)+$", "a".repeat(1 << 20) + "!")).toBe("false");
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe("numbers compare as numbers", () => {
  it("ints and sizes: is, greater-than, less-than, negate", () => {
    expect(check("FileItem/SizeInBytes", "is", "104448", 104448)).toBe("true");
    expect(check("FileItem/SizeInBytes", "is", "104448", "104448")).toBe("true");
    expect(check("FileItem/SizeInBytes", "is", "0104448", 104448)).toBe("true");
    expect(check("FileItem/SizeInBytes", "greater-than", "9", 10)).toBe("true");
    expect(check("FileItem/SizeInBytes", "greater-than", "10", 10)).toBe("false");
    expect(check("FileItem/SizeInBytes", "less-than", "100", 99)).toBe("true");
    expect(check("FileItem/SizeInBytes", "less-than", "100", 100)).toBe("false");
    expect(check("FileItem/SizeInBytes", "greater-than", "9", 100)).toBe("true"); // not lexical
  });

  it("uint64 beyond 2^53 compares exactly", () => {
    expect(check("FileItem/SizeInBytes", "is", "18446744073709551615", "18446744073709551615")).toBe("true");
    expect(check("FileItem/SizeInBytes", "is", "9007199254740993", "9007199254740992")).toBe("false");
    expect(check("FileItem/SizeInBytes", "greater-than", "9007199254740992", "9007199254740993")).toBe("true");
  });

  it("A TO B under `is` is an inclusive range, brackets optional", () => {
    expect(check("FileItem/SizeInBytes", "is", "13312 TO 14336", 13312)).toBe("true");
    expect(check("FileItem/SizeInBytes", "is", "13312 TO 14336", 14336)).toBe("true");
    expect(check("FileItem/SizeInBytes", "is", "13312 TO 14336", 14337)).toBe("false");
    expect(check("FileItem/SizeInBytes", "is", "[154192 TO 154192]", 154192)).toBe("true");
  });

  it("greater-than on a string term compares numerically when both sides are numbers, else no match", () => {
    expect(check("FileItem/FileName", "greater-than", "9", "10")).toBe("true");
    expect(check("FileItem/FileName", "greater-than", "9", "abc")).toBe("false");
    expect(check("FileItem/FileName", "greater-than", "abc", "abd")).toBe("unknown");
  });

  it("a value that does not parse as the term's type is UNKNOWN (IOC030)", () => {
    expect(check("FileItem/SizeInBytes", "is", "big", 1)).toBe("unknown");
    const p = plan(ioc(or(item("FileItem/SizeInBytes", "is", "big"))));
    expect(p.items.at(0)?.status).toMatchObject({ reason: "bad-value", code: "IOC030" });
  });

  it("a condition that does not apply to the type is UNKNOWN (IOC024)", () => {
    expect(check("FileItem/SizeInBytes", "contains", "1", 1)).toBe("unknown");
  });
});

describe("dates compare as instants", () => {
  it("is, ranges, greater-than, zones", () => {
    expect(check("FileItem/PEInfo/PETimeStamp", "is", "2011-03-18T02:41:49Z", "2011-03-18T02:41:49Z")).toBe("true");
    expect(check("FileItem/PEInfo/PETimeStamp", "is", "2011-03-18T02:41:49Z", "2011-03-18T03:41:49+01:00")).toBe("true");
    expect(check("FileItem/PEInfo/PETimeStamp", "is", "2011-03-18T02:41:49", "2011-03-18T02:41:49Z")).toBe("true"); // no zone = UTC
    expect(check("FileItem/PEInfo/PETimeStamp", "is", "2010-03-30T09:00:00Z TO 2010-03-30T12:00:00Z", "2010-03-30T10:00:00Z")).toBe("true");
    expect(check("FileItem/Modified", "greater-than", "2020-01-01T00:00:00Z", "2021-06-01T00:00:00Z")).toBe("true");
    expect(check("FileItem/Modified", "less-than", "2020-01-01T00:00:00Z", "2021-06-01T00:00:00Z")).toBe("false");
  });

  it("an IOC date stands for the span it is written to: whole seconds, minutes or days (records carry milliseconds)", () => {
    // A Linux mtime has sub-second digits; an IOC written to the second (as every real one is) still names it.
    expect(check("FileItem/Modified", "is", "2011-08-05T07:10:09Z", "2011-08-05T07:10:09.123Z")).toBe("true");
    expect(check("FileItem/Modified", "is", "2011-08-05T07:10:09Z", "2011-08-05T07:10:10Z")).toBe("false");
    expect(check("FileItem/Modified", "is", "2011-08-05T07:10:09.5Z", "2011-08-05T07:10:09.567Z")).toBe("true");
    expect(check("FileItem/Modified", "is", "2011-08-05T07:10:09.500Z", "2011-08-05T07:10:09.567Z")).toBe("false");
    expect(check("FileItem/Modified", "is", "2011-08-05T07:10Z", "2011-08-05T07:10:59.999Z")).toBe("true");
    expect(check("FileItem/Modified", "is", "2011-08-05", "2011-08-05T23:59:59Z")).toBe("true");
    expect(check("FileItem/Modified", "is", "2011-08-05", "2011-08-06T00:00:00Z")).toBe("false");
    // A range's end includes its whole span; greater-than means after it, less-than before its start.
    expect(check("FileItem/Modified", "is", "2011-08-01 TO 2011-08-05", "2011-08-05T18:00:00Z")).toBe("true");
    expect(check("FileItem/Modified", "is", "[2011-08-05T07:00:00Z TO 2011-08-05T07:10:09Z]", "2011-08-05T07:10:09.9Z")).toBe("true");
    expect(check("FileItem/Modified", "greater-than", "2011-08-04", "2011-08-04T12:00:00Z")).toBe("false");
    expect(check("FileItem/Modified", "greater-than", "2011-08-04", "2011-08-05T00:00:00Z")).toBe("true");
    expect(check("FileItem/Modified", "greater-than", "2011-08-05T07:10:09Z", "2011-08-05T07:10:09.5Z")).toBe("false");
    expect(check("FileItem/Modified", "less-than", "2011-08-05", "2011-08-04T23:59:59.999Z")).toBe("true");
    expect(check("FileItem/Modified", "less-than", "2011-08-05", "2011-08-05T00:00:01Z")).toBe("false");
  });
});

describe("IPs compare as addresses", () => {
  it("10.0.0.1 equals 10.000.000.001; v4-mapped v6 is the v4 address", () => {
    expect(check("PortItem/remoteIP", "is", "10.000.000.001", "10.0.0.1")).toBe("true");
    expect(check("PortItem/remoteIP", "is", "10.0.0.1", "::ffff:10.0.0.1")).toBe("true");
    expect(check("PortItem/remoteIP", "is", "2001:DB8:0:0::1", "2001:db8::1")).toBe("true");
  });

  it("contains on an IP runs on the canonical text (partial addresses in real IOCs)", () => {
    expect(check("PortItem/remoteIP", "contains", "174.142.57", "174.142.57.9")).toBe("true");
  });

  it("a value that does not parse is compared as a string", () => {
    expect(check("PortItem/remoteIP", "is", "not-an-ip", "NOT-AN-IP")).toBe("true");
  });

  it("A TO B on addresses", () => {
    expect(check("PortItem/remoteIP", "is", "10.0.0.1 TO 10.0.0.9", "10.0.0.5")).toBe("true");
    expect(check("PortItem/remoteIP", "is", "10.0.0.1 TO 10.0.0.9", "10.0.0.10")).toBe("false");
  });
});

describe("hashes: case-insensitive, trimmed; the term's type wins over Content/@type", () => {
  it("trims trailing blanks and ignores case", () => {
    expect(check("FileItem/Md5sum", "is", "0123456789ABCDEF0123456789ABCDEF ", " 0123456789abcdef0123456789abcdef")).toBe("true");
  });

  it("a Sha256sum written as type string still compares as a hash", () => {
    const h = "a".repeat(64);
    expect(check("FileItem/Sha256sum", "is", h.toUpperCase(), h, { contentType: "string", preserveCase: true })).toBe("true");
  });
});

describe("FileExtension with or without a dot (semantics 6.2)", () => {
  it.each([
    [".dll", "dll"],
    ["dll", ".dll"],
    [".DLL", "dll"],
    ["exe", "exe"],
  ])("IOC %s matches record %s", (ioc, rec) => {
    expect(check("FileItem/FileExtension", "is", ioc, rec)).toBe("true");
  });
});

describe("several matches items on one field (joined alternation)", () => {
  it("reports exactly the patterns that occur, in either case mode", () => {
    const items = [
      item("FileItem/FullPath", "matches", "a|b"),
      item("FileItem/FullPath", "matches", "^/tmp/"),
      item("FileItem/FullPath", "matches", "EVIL", { preserveCase: true }),
      item("FileItem/FullPath", "matches", "x{3}"),
      item("FileItem/FullPath", "matches", "Zz", { preserveCase: true }),
    ];
    const p = plan(ioc(or(...items)), { regexEngine });
    const matched = (path: string) => run(p, [record("FileItem", path, { FullPath: path })]).detections[0]?.matchedItems ?? [];
    expect(matched("/tmp/EVIL")).toEqual([items[1]?.id, items[2]?.id]);
    expect(matched("/var/evil")).toEqual([items[0]?.id]);
    expect(matched("/usr/xxx")).toEqual([items[3]?.id]);
    expect(matched("/usr/zz")).toEqual([]);
  });
});

describe("negate inverts every condition on an existing value (per record)", () => {
  it.each([
    ["is", "evil.exe", "evil.exe"],
    ["contains", "vil", "evil.exe"],
    ["starts-with", "ev", "evil.exe"],
    ["ends-with", ".exe", "evil.exe"],
    ["matches", "^e.*e$", "evil.exe"],
  ] as const)("%s", (condition, value, field) => {
    const withName = (negate: boolean, name: string) => {
      const p = plan(ioc(and(item("FileItem/FullPath", "is", "/x"), item("FileItem/FileName", condition, value, { negate }))), { regexEngine });
      return run(p, [record("FileItem", "/x", { FullPath: "/x", FileName: name })]).verdict;
    };
    expect([withName(false, field), withName(true, field)]).toEqual(["true", "false"]);
    expect([withName(false, "other.dll"), withName(true, "other.dll")]).toEqual(["false", "true"]);
  });

  it("greater-than and less-than with negate", () => {
    const size = (condition: "greater-than" | "less-than", negate: boolean, value: number) => {
      const p = plan(ioc(and(item("FileItem/FullPath", "is", "/x"), item("FileItem/SizeInBytes", condition, "100", { negate }))));
      return run(p, [record("FileItem", "/x", { FullPath: "/x", SizeInBytes: value })]).verdict;
    };
    expect([size("greater-than", false, 101), size("greater-than", true, 101), size("less-than", true, 99), size("less-than", true, 100)]).toEqual(["true", "false", "false", "true"]);
  });

  it("matches does not let . cross a newline (no dotAll)", () => {
    expect(check("ProcessItem/arguments", "matches", "a.b", "a\nb")).toBe("false");
    expect(check("ProcessItem/arguments", "matches", "a.b", "a-b")).toBe("true");
  });
});

describe("an item with a condition iocscan does not know (semantics 5.1: an unsupported item, 7.7)", () => {
  /** The verdict and matched items of a 1.0 IOC over one file named evil.exe. */
  function scan(indicator: string): { verdict: string; matched: readonly string[]; supported: number } {
    const source = `<ioc xmlns="http://schemas.mandiant.com/2010/ioc" id="u"><short_description>u</short_description><definition>${indicator}</definition></ioc>`;
    const { document, diagnostics } = parseIoc(source);
    if (!document) throw new Error("test IOC did not parse");
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const p = plan(document, { regexEngine });
    const { detections, verdicts, verdict } = run(p, [record("FileItem", "/x/evil.exe", { FileName: "evil.exe", FullPath: "/x/evil.exe" })]);
    return { verdict, matched: detections.flatMap((d) => d.matchedItems), supported: verdicts[0]?.supportedItems ?? -1 };
  }
  const ctx = (term: string): string => `<Context document="FileItem" search="${term}" type="mir"/>`;
  const good = `<IndicatorItem id="a" condition="is">${ctx("FileItem/FileName")}<Content type="string">evil.exe</Content></IndicatorItem>`;
  const odd = (condition: string): string => `<IndicatorItem id="b" condition="${condition}">${ctx("FileItem/FullPath")}<Content type="string">/x/evil.exe</Content></IndicatorItem>`;

  it("is UNKNOWN: the rest of the IOC still runs (one odd item does not drop a whole hash list)", () => {
    expect(scan(`<Indicator operator="OR" id="t">${good}${odd("frobs")}</Indicator>`)).toEqual({ verdict: "true", matched: ["a"], supported: 1 });
    expect(scan(`<Indicator operator="AND" id="t">${good}${odd("frobs")}</Indicator>`)).toMatchObject({ verdict: "unknown", matched: [] });
  });

  it("never turns TRUE through negation, nor reads as another condition", () => {
    expect(scan(`<Indicator operator="AND" id="t">${good}${odd("isnotlike")}</Indicator>`)).toMatchObject({ verdict: "unknown" });
    expect(scan(`<Indicator operator="AND" id="t">${good}${odd("")}</Indicator>`)).toMatchObject({ verdict: "unknown" });
  });
});
