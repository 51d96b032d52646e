import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AhoCorasick } from "./aho-corasick.js";

function occurrences(ac: AhoCorasick, text: string): string[] {
  const seen: string[] = [];
  ac.search(text, (p, start, end) => seen.push(`${p}@${start}-${end}`));
  return seen.sort();
}

/** The obvious quadratic reference. */
function naive(patterns: string[], text: string): string[] {
  const seen: string[] = [];
  patterns.forEach((p, index) => {
    if (p === "") return;
    for (let at = text.indexOf(p); at >= 0; at = text.indexOf(p, at + 1)) seen.push(`${index}@${at}-${at + p.length}`);
  });
  return seen.sort();
}

describe("multi-pattern matcher (Aho-Corasick)", () => {
  it("finds overlapping and nested patterns", () => {
    const patterns = ["he", "she", "his", "hers"];
    expect(occurrences(AhoCorasick.build(patterns), "ushers")).toEqual(naive(patterns, "ushers"));
  });

  it("reports duplicates under each index and ignores empty patterns", () => {
    const ac = AhoCorasick.build(["ab", "", "ab"]);
    expect(occurrences(ac, "xab")).toEqual(["0@1-3", "2@1-3"]);
    expect(occurrences(AhoCorasick.build([""]), "anything")).toEqual([]);
  });

  it("agrees with a naive search on random inputs", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom("a", "b", "c"), maxLength: 4 }), { maxLength: 8 }), fc.string({ unit: fc.constantFrom("a", "b", "c"), maxLength: 40 }), (patterns, text) => {
        expect(occurrences(AhoCorasick.build(patterns), text)).toEqual(naive(patterns, text));
      }),
    );
  });
});
