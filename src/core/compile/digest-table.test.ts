import { describe, expect, it } from "vitest";
import { DigestTable } from "./digest-table.js";

describe("digest table (hash equality index)", () => {
  it("finds digests in any case, ignoring surrounding blanks", () => {
    const t = new DigestTable();
    t.add("d41d8cd98f00b204e9800998ecf8427e", 1);
    t.add("d41d8cd98f00b204e9800998ecf8427e", 2);
    t.add("0".repeat(40), 3);
    t.freeze();
    expect(t.get("D41D8CD98F00B204E9800998ECF8427E ")).toEqual([1, 2]);
    expect(t.get("\t" + "0".repeat(40))).toBe(3);
    expect(t.get("d41d8cd98f00b204e9800998ecf8427f")).toBeUndefined();
    expect(t.get("not hex")).toBeUndefined();
    expect(t.get("")).toBeUndefined();
  });

  it("handles structured keys (shared prefixes) without losing any", () => {
    const t = new DigestTable();
    const keys = Array.from({ length: 20_000 }, (_, i) => i.toString(16).padStart(32, "0"));
    keys.forEach((k, i) => t.add(k, i));
    t.freeze();
    expect(keys.every((k, i) => t.get(k) === i)).toBe(true);
    expect(t.get((20_000).toString(16).padStart(32, "0"))).toBeUndefined();
  });

  it("an empty table answers undefined", () => {
    const t = new DigestTable();
    t.freeze();
    expect(t.get("00")).toBeUndefined();
  });
});
