import { describe, expect, it } from "vitest";
import { UnitIndex } from "./unit-index.js";

describe("UnitIndex", () => {
  it("records each ref's units, one or several, and none for a ref in no unit", () => {
    const index = new UnitIndex();
    index.extend(3);
    index.add(0, 4);
    index.add(2, 4);
    index.add(2, 9);
    expect(index.toJSON()).toEqual([4, undefined, [4, 9]]);
    expect(index.at(3)).toBeUndefined();
    expect(index.at(-1)).toBeUndefined();
  });

  it("takes a range of refs in no unit yet at once, and a range over refs already in one ref by ref", () => {
    const index = new UnitIndex();
    index.extend(5000);
    index.addRange(1000, 3999, 0);
    expect(index.at(999)).toBeUndefined();
    expect([index.at(1000), index.at(2500), index.at(3999), index.at(4000)]).toEqual([0, 0, 0, undefined]);
    // Refs 3000..3999 are in unit 0 already (local DNF puts an item in several units).
    index.addRange(3000, 4999, 1);
    expect([index.at(2999), index.at(3000), index.at(3999), index.at(4000), index.at(4999)]).toEqual([0, [0, 1], [0, 1], 1, 1]);
    // Below the highest ref taken: ref by ref, so earlier units are kept.
    index.addRange(0, 1000, 2);
    expect([index.at(0), index.at(999), index.at(1000)]).toEqual([2, 2, [0, 2]]);
  });

  it("keeps what it holds when it grows", () => {
    const index = new UnitIndex();
    index.extend(10);
    index.add(7, 3);
    index.extend(100_000);
    index.addRange(50_000, 99_999, 5);
    expect([index.at(7), index.at(8), index.at(50_000), index.at(100_009)]).toEqual([3, undefined, 5, undefined]);
    expect(index.length).toBe(100_010);
  });
});
