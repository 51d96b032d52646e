import { describe, expect, it } from "vitest";
import { KeyFilter } from "./key-filter.js";

/** A reproducible 31-bit hash stream. */
function hashes(n: number, salt: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    let h = Math.imul(i + salt * 10_000_000, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
    return (h ^ (h >>> 13)) >>> 1;
  });
}

describe("key filter", () => {
  it("never turns away a key it holds, and turns away nearly every other one", () => {
    const held = hashes(100_000, 1);
    const filter = KeyFilter.of(held);
    expect(held.every((h) => filter.mayHave(h))).toBe(true);
    const others = hashes(100_000, 2);
    const passed = others.filter((h) => filter.mayHave(h)).length;
    expect(passed / others.length).toBeLessThan(0.05);
  });

  it("an empty filter holds nothing", () => {
    expect(KeyFilter.of([]).mayHave(12345)).toBe(false);
  });
});
