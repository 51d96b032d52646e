import { describe, expect, it } from "vitest";
import { IntegerTable } from "./integer-table.js";

describe("integer table (integer equality index)", () => {
  it("finds safe integers of any size and sign, merging repeated keys", () => {
    const t = new IntegerTable();
    const keys = [0, 1, -1, 104448, 2 ** 31, 2 ** 32 + 5, -(2 ** 40), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    keys.forEach((k, i) => t.add(k, i));
    t.add(104448, 99);
    t.add(2 ** 53, 100); // not safe: ignored
    t.add(1.5, 101);
    t.freeze();
    expect(keys.map((k) => t.get(k))).toEqual([0, 1, 2, [3, 99], 4, 5, 6, 7, 8]);
    expect(t.get(-0)).toBe(0);
    expect([2, -2, 104447, 2 ** 32 + 4, 2 ** 31 + 2 ** 32].map((k) => t.get(k))).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(t.size).toBe(keys.length);
  });

  it("keeps every one of many keys (clustered and spread) and nothing else", () => {
    const t = new IntegerTable();
    const keys = Array.from({ length: 20_000 }, (_, i) => (i % 2 === 0 ? i : 1_000_000 + i * 4096));
    keys.forEach((k, i) => t.add(k, i));
    t.freeze();
    expect(keys.every((k, i) => t.get(k) === i)).toBe(true);
    expect(Array.from({ length: 20_000 }, (_, i) => t.get(i * 2 + 1 + 2 ** 33)).every((r) => r === undefined)).toBe(true);
  });

  it("an empty table answers undefined", () => {
    const t = new IntegerTable();
    t.freeze();
    expect(t.get(0)).toBeUndefined();
  });
});
