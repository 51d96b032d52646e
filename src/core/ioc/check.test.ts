import { describe, expect, it } from "vitest";
import { checkIoc } from "./check.js";
import { checkIocSet } from "./check-set.js";
import { parseIoc } from "./parse.js";
import type { IocDocument } from "./model.js";

function ioc11(items: string, operator = "OR"): IocDocument {
  const source = `<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="c"><metadata><short_description>t</short_description></metadata>
<criteria><Indicator id="top" operator="${operator}">${items}</Indicator></criteria></OpenIOC>`;
  const { document, diagnostics } = parseIoc(source);
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (!document) throw new Error("test IOC did not parse");
  return document;
}

function item(id: string, search: string, value: string, condition = "is", extra = ""): string {
  return `<IndicatorItem id="${id}" condition="${condition}" ${extra}><Context document="${search.split("/")[0] ?? ""}" search="${search}" type="mir"/><Content type="string">${value}</Content></IndicatorItem>`;
}

function codesOf(document: IocDocument, options = {}): string[] {
  return checkIoc(document, options).diagnostics.map((d) => d.code);
}

describe("checkIoc counts what this platform can evaluate", () => {
  it("checkIoc counts collected terms as supported and Windows-only ones as not", () => {
    const document = ioc11(
      item("a", "FileItem/Md5sum", "b305b543da332a2fcf6e1ce55ed2ea79") + item("b", "RegistryItem/Path", "HKLM\\Run"),
    );
    const result = checkIoc(document);
    expect([result.items, result.supportedItems]).toEqual([2, 1]);
    expect(result.diagnostics).toMatchObject([{ code: "IOC021", severity: "warning", message: '"RegistryItem/Path" is not collected on linux' }]);
  });

  it("checkIoc warns about unknown terms and resolves case variants with a note", () => {
    const document = ioc11(item("a", "FileItem/NoSuchThing", "x") + item("b", "FileItem/MD5Sum", "b305b543da332a2fcf6e1ce55ed2ea79"));
    const result = checkIoc(document);
    expect(result.supportedItems).toBe(1);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["IOC020", "IOC027"]);
  });

  it("checkIoc treats Network and Email terms as informational unless Network/DNS is mapped", () => {
    const document = ioc11(item("a", "Network/DNS", "evil.example"));
    expect(codesOf(document)).toEqual(["IOC022"]);
    const mapped = checkIoc(document, { mapNetworkTerms: true });
    expect(mapped.supportedItems).toBe(1);
    expect(mapped.diagnostics.map((d) => d.code)).toEqual(["IOC033"]);
  });

  it("checkIoc maps HX event terms by default and not when mapping is off", () => {
    const document = ioc11(item("a", "processEvent/processCmdLine", "rundll32 ", "contains"));
    const mapped = checkIoc(document);
    expect(mapped.supportedItems).toBe(1);
    expect(mapped.diagnostics[0]?.message).toBe('"processEvent/processCmdLine" is evaluated as "ProcessItem/arguments"');
    const unmapped = checkIoc(document, { mapEvents: false });
    expect(unmapped.supportedItems).toBe(0);
    expect(unmapped.diagnostics.map((d) => d.code)).toEqual(["IOC021"]);
  });

  it("checkIoc judges Windows platform terms against the chosen platform", () => {
    const document = ioc11(item("b", "RegistryItem/Path", "HKLM\\Run"));
    expect(checkIoc(document, { platform: "win" }).diagnostics[0]?.message).toContain("not collected on win");
  });
});

describe("checkIoc flags values that cannot match", () => {
  it("checkIoc warns about empty content but allows an explicit is \"\" on a string", () => {
    const document = ioc11(
      item("a", "FileItem/FileName", "", "contains") + item("b", "ProcessItem/path", "") + item("c", "FileItem/SizeInBytes", ""),
    );
    const result = checkIoc(document);
    expect(result.diagnostics.map((d) => [d.code, d.message.slice(0, 19)])).toEqual([
      ["IOC023", 'IndicatorItem "a" h'],
      ["IOC023", 'IndicatorItem "c" h'],
    ]);
  });

  it("checkIoc reports a value that does not parse as the term's type and leaves the item unsupported", () => {
    const document = ioc11(item("a", "FileItem/SizeInBytes", "ten") + item("b", "FileItem/Md5sum", "xyz") + item("c", "FileItem/SizeInBytes", "100 TO 200"));
    const result = checkIoc(document);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["IOC030", "IOC030"]);
    expect(result.supportedItems).toBe(1);
  });

  it("checkIoc reports conditions that do not apply to the term's type", () => {
    const document = ioc11(item("a", "FileItem/SizeInBytes", "10", "contains") + item("b", "FileItem/FileName", "abc", "greater-than"));
    expect(codesOf(document)).toEqual(["IOC024", "IOC024"]);
    expect(checkIoc(document).supportedItems).toBe(0);
  });

  it("checkIoc notes whitespace around string values and preserve-case on hashes", () => {
    const document = ioc11(
      item("a", "FileItem/FileName", "evil.exe ") + item("b", "FileItem/Md5sum", "B305B543DA332A2FCF6E1CE55ED2EA79", "is", 'preserve-case="true"'),
    );
    expect(codesOf(document)).toEqual(["IOC028", "IOC029"]);
  });

  it("checkIoc asks the caller's regex engine which patterns cannot run", () => {
    const document = ioc11(item("a", "FileItem/FileName", "(a)\\1", "matches") + item("b", "FileItem/FileName", "^evil", "matches"));
    const result = checkIoc(document, { regexProblem: (pattern) => (pattern.includes("\\1") ? "backreferences are not supported" : undefined) });
    expect(result.diagnostics).toMatchObject([{ code: "IOC034", message: 'IndicatorItem "a": the pattern cannot be run: backreferences are not supported' }]);
    expect(result.supportedItems).toBe(1);
  });

  it("checkIoc counts an item with an unknown condition as not evaluable, without repeating the parser's IOC011", () => {
    const source = `<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="c"><criteria><Indicator id="top" operator="OR">${item("a", "FileItem/FileName", "x", "frobs") + item("b", "FileItem/FileName", "y")}</Indicator></criteria></OpenIOC>`;
    const { document, diagnostics } = parseIoc(source);
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["IOC011", "warning"]]);
    const result = checkIoc(document as IocDocument);
    expect([result.items, result.supportedItems, codesOf(document as IocDocument)]).toEqual([2, 1, []]);
  });

  it("checkIoc refuses XSD character-class subtraction itself, as a scan does (an engine would misread it)", () => {
    const document = ioc11(item("a", "FileItem/FileName", "^[a-z-[aeiou]]vil", "matches") + item("b", "FileItem/FileName", "[A-F0-9]{8}-[A-F0-9]{4}", "matches"));
    const result = checkIoc(document, { regexProblem: () => undefined });
    expect(result.diagnostics).toMatchObject([{ code: "IOC034", message: expect.stringContaining("subtraction") as unknown }]);
    expect(result.supportedItems).toBe(1);
  });

  it("checkIoc flags a group made only of negated items", () => {
    const document = ioc11(`<Indicator id="neg" operator="AND">${item("a", "FileItem/FileName", "x", "is", 'negate="true"')}${item("b", "FileItem/FileName", "y", "is", 'negate="true"')}</Indicator>`);
    expect(codesOf(document)).toEqual(["IOC025"]);
    const mixed = ioc11(`<Indicator id="ok" operator="AND">${item("a", "FileItem/FileName", "x")}${item("b", "FileItem/FullPath", "y", "contains", 'negate="true"')}</Indicator>`);
    expect(codesOf(mixed)).toEqual([]);
  });

  it("checkIoc does not flag a negated-only group that an AND above anchors with a positive item of its document (HX exclusions)", () => {
    // openioc_scan lsass_checks: AND{ name is lsass.exe, OR{ AND{ NOT parent is winlogon.exe, NOT parent is wininit.exe } (here on path), ... } }
    const neg = (id: string, term: string): string => item(id, term, id, "is", 'negate="true"');
    const anchored = ioc11(
      `<Indicator id="and" operator="AND">${item("a", "ProcessItem/name", "lsass.exe")}<Indicator id="or" operator="OR"><Indicator id="negs" operator="AND">${neg("b", "ProcessItem/path")}${neg("c", "ProcessItem/path")}</Indicator>${neg("d", "ProcessItem/arguments")}</Indicator></Indicator>`,
    );
    expect(codesOf(anchored)).toEqual([]);
    // Anchored by another document only, or under an OR: the file group still never matches.
    const otherDocument = ioc11(`<Indicator id="and" operator="AND">${item("a", "ProcessItem/name", "x")}<Indicator id="negs" operator="AND">${neg("b", "FileItem/FileName")}</Indicator></Indicator>`);
    expect(codesOf(otherDocument)).toEqual(["IOC025"]);
    const underOr = ioc11(`<Indicator id="or" operator="OR">${item("a", "FileItem/FileName", "x")}<Indicator id="negs" operator="AND">${neg("b", "FileItem/FileName")}</Indicator></Indicator>`, "OR");
    expect(codesOf(underOr)).toEqual(["IOC025"]);
  });

  it("checkIoc flags the negated items of a document that no positive item of theirs joins, next to another document's positive item", () => {
    const neg = (id: string, term: string): string => item(id, term, id, "is", 'negate="true"');
    // The scan binds NOT FileName to a file record on its own: that part never matches, so neither does the AND.
    const mixed = ioc11(`<Indicator id="and" operator="AND">${item("a", "ProcessItem/name", "x")}${neg("b", "FileItem/FileName")}</Indicator>`);
    expect(checkIoc(mixed).diagnostics).toMatchObject([{ code: "IOC025", message: expect.stringContaining("FileItem items") as unknown }]);
    const exclusion = ioc11(`<Indicator id="and" operator="AND">${item("a", "FileItem/FullPath", "x")}${neg("b", "FileItem/FileName")}${item("c", "ProcessItem/name", "x")}</Indicator>`);
    expect(codesOf(exclusion)).toEqual([]);
    // An item iocscan cannot evaluate binds nothing: UNKNOWN, with its own IOC021, not IOC025.
    const unsupported = ioc11(`<Indicator id="and" operator="AND">${item("a", "FileItem/FileName", "x")}${neg("b", "RegistryItem/Path")}</Indicator>`);
    expect(codesOf(unsupported)).toEqual(["IOC021"]);
    const bySub = ioc11(`<Indicator id="or" operator="OR">${neg("b", "FileItem/FileName")}<Indicator id="s" operator="AND">${item("a", "FileItem/FullPath", "x")}</Indicator></Indicator>`);
    expect(codesOf(bySub)).toEqual([]);
  });
});

describe("checkIocSet", () => {
  it("checkIocSet keeps the first file of a duplicate id and reports the others", () => {
    const document = ioc11(item("a", "FileItem/FileName", "x"));
    const result = checkIocSet([
      { file: "a.ioc", document },
      { file: "b.ioc" },
      { file: "c.ioc", document },
    ]);
    expect([...result.duplicates]).toEqual([2]);
    expect(result.diagnostics.get(2)?.[0]?.message).toBe('IOC id "c" is already used by "a.ioc": this file is ignored, the first one wins');
  });
});

describe("checkIoc refuses IOCs pinned to one sandbox run", () => {
  it("an AND naming a process by pid and parent pid is an error (IOC035): the file is not scannable", () => {
    const pinned = `<Indicator id="proc" operator="AND">${item("n", "ProcessItem/name", "rundll32.exe")}${item("p", "ProcessItem/pid", "1700")}${item("pp", "ProcessItem/parentpid", "900")}</Indicator>`;
    const result = checkIoc(ioc11(item("h", "FileItem/Md5sum", "b305b543da332a2fcf6e1ce55ed2ea79") + pinned));
    expect(result.diagnostics).toMatchObject([{ code: "IOC035", severity: "error" }]);
    expect(result.diagnostics[0]?.message).toContain("(pid 1700, parentpid 900)");
  });

  it("a pid alone, a pid pair under OR, or a negated pid is not a run pin", () => {
    expect(codesOf(ioc11(item("p", "ProcessItem/pid", "1700") + item("pp", "ProcessItem/parentpid", "900")))).toEqual([]);
    expect(codesOf(ioc11(item("n", "ProcessItem/name", "x") + item("p", "ProcessItem/pid", "1700"), "AND"))).toEqual([]);
    expect(codesOf(ioc11(item("p", "ProcessItem/pid", "1700") + item("pp", "ProcessItem/parentpid", "900", "is", 'negate="true"'), "AND"))).toEqual([]);
  });
});
