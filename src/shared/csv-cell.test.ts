import { describe, expect, it } from "vitest";
import { csvCell } from "./csv-cell.js";

describe("csvCell", () => {
  it("leaves plain values alone and quotes those with a comma, quote or line break (RFC 4180)", () => {
    expect(csvCell("/tmp/evil.exe")).toBe("/tmp/evil.exe");
    expect(csvCell('a "b", c')).toBe('"a ""b"", c"');
    expect(csvCell("two\r\nlines")).toBe('"two\r\nlines"');
  });

  it("prefixes a quote to cells a spreadsheet would run as a formula, also behind a tab, CR, LF or NUL", () => {
    for (const lead of ["=", "+", "-", "@", "\t=", "\r=", "\n=", "\0="]) {
      const cell = csvCell(`${lead}HYPERLINK("http://x")`);
      expect(cell.replace(/^"/, "").startsWith("'")).toBe(true);
    }
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("\n=1+1")).toBe("\"'\n=1+1\"");
  });
});
