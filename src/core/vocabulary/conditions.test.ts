import { describe, expect, it } from "vitest";
import { CONDITIONS, type Condition } from "../ioc/model.js";
import { comparisonMode, conditionApplies, isNumericText } from "./conditions.js";
import type { ValueType } from "./types.js";

const TYPES: readonly ValueType[] = ["string", "md5", "sha1", "sha256", "int", "uint64", "float", "date", "ip", "bool", "duration"];

describe("comparisonMode", () => {
  it("follows the 1.1 table with the practical extensions (semantics 5.3)", () => {
    const table: Record<string, string> = {};
    for (const c of CONDITIONS) for (const t of TYPES) table[`${c} ${t}`] = comparisonMode(c, t);
    expect(table).toMatchObject({
      "is string": "text",
      "is md5": "typed",
      "is ip": "typed",
      "is int": "typed",
      "is date": "typed",
      "is bool": "typed",
      "is float": "typed",
      "contains string": "text",
      "contains ip": "text", // "174.142.57" partial addresses
      "contains md5": "text",
      "contains int": "not-applicable",
      "contains date": "not-applicable",
      "matches string": "text",
      "matches ip": "text",
      "matches float": "not-applicable",
      "starts-with string": "text",
      "starts-with uint64": "not-applicable",
      "ends-with bool": "text",
      "greater-than int": "typed",
      "greater-than uint64": "typed",
      "greater-than date": "typed",
      "greater-than float": "typed",
      "greater-than duration": "typed",
      "greater-than string": "numeric-text",
      "less-than string": "numeric-text",
      "greater-than ip": "not-applicable",
      "less-than md5": "not-applicable",
      "less-than bool": "not-applicable",
    });
  });
});

describe("conditionApplies", () => {
  it.each<[Condition, ValueType, string | undefined, boolean]>([
    ["is", "md5", undefined, true],
    ["contains", "ip", "72.55.", true],
    ["contains", "int", "5", false],
    ["greater-than", "int", undefined, true],
    ["greater-than", "ip", undefined, false],
    ["greater-than", "string", undefined, true],
    ["greater-than", "string", "100", true],
    ["greater-than", "string", " -1.5e3 ", true],
    ["greater-than", "string", "abc", false],
    ["less-than", "string", "", false],
  ])("%s on %s with %j: %s", (condition, type, value, expected) => {
    expect(conditionApplies(condition, type, value)).toBe(expected);
  });

  it("reads numeric-looking text", () => {
    expect(isNumericText("42")).toBe(true);
    expect(isNumericText("0.5")).toBe(true);
    expect(isNumericText("1 TO 2")).toBe(false);
    expect(isNumericText("0x10")).toBe(false);
    expect(isNumericText("NaN")).toBe(false);
  });
});
