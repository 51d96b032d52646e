import { describe, expect, it } from "vitest";
import { DigestTable, runFilter, runSlots } from "./digest-table.js";

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

  it("a table large enough for its filter still finds every key, in any case, and no other", () => {
    const t = new DigestTable();
    const word = (i: number, salt: number) => (Math.imul(i ^ salt, 0x9e3779b1) >>> 0).toString(16).padStart(8, "0");
    const keys = Array.from({ length: 100_000 }, (_, i) => word(i, 1) + word(i, 2) + word(i, 3) + word(i, 4));
    keys.forEach((k, i) => t.add(k, i));
    t.add(keys[7] as string, -7);
    t.freeze();
    expect(keys.every((k, i) => (i === 7 ? true : t.get(i % 3 === 0 ? k.toUpperCase() : i % 3 === 1 ? ` ${k} ` : k) === i))).toBe(true);
    expect(t.get(keys[7] as string)).toEqual([7, -7]);
    const misses = keys.map((k) => k.slice(0, 31) + (k[31] === "0" ? "1" : "0"));
    expect(misses.filter((k) => t.get(k) !== undefined)).toEqual([]);
  });

  it("a digest added three times gives its refs in order; size counts distinct digests, not keys that are not hex", () => {
    const t = new DigestTable();
    const a = "a".repeat(64);
    t.add(a, 5);
    t.add("b".repeat(64), 6);
    t.add(a, 1);
    t.add("xyz", 7);
    t.add(a, 9);
    t.freeze();
    expect(t.get(a)).toEqual([5, 1, 9]);
    expect(t.get("B".repeat(64))).toBe(6);
    expect(t.get("xyz")).toBeUndefined();
    expect(t.size).toBe(2);
  });

  it("an empty table answers undefined", () => {
    const t = new DigestTable();
    t.freeze();
    expect(t.get("00")).toBeUndefined();
  });

  it("takes runs of digest bytes beside hex keys, refs of a repeated digest in the order added, even from a misaligned buffer", () => {
    const hex = (i: number) => (Math.imul(i + 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, "0").repeat(8);
    const bytes = (from: number, count: number) => {
      const out = new Uint8Array(1 + count * 32).subarray(1); // byte offset 1: not word-aligned
      for (let k = 0; k < count; k++) out.set(Buffer.from(hex(from + k), "hex"), k * 32);
      return out;
    };
    const t = new DigestTable();
    t.add(hex(3), 100);
    t.addRun(bytes(0, 10), 32, 200);
    t.add("f".repeat(32), 300);
    t.addRun(bytes(5, 2), 32, 400);
    t.freeze();
    expect(t.get(hex(0))).toBe(200);
    expect(t.get(` ${hex(9).toUpperCase()}\n`)).toBe(209);
    expect(t.get(hex(3))).toEqual([100, 203]);
    expect(t.get(hex(5))).toEqual([205, 400]);
    expect(t.get(hex(6))).toEqual([206, 401]);
    expect(t.get("F".repeat(32))).toBe(300);
    expect(t.get(hex(10))).toBeUndefined();
    expect(t.size).toBe(11);
  });

  it("runs with their own index answer look-ups lazily, as the built table does, before and after it is built", () => {
    const hex = (i: number) => (Math.imul(i + 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, "0").repeat(4);
    const runs = Array.from({ length: 8 }, (_, r) => {
      const bytes = new Uint8Array(10_000 * 16);
      // Digest 5 repeats in every run, and twice in run 3; the rest are distinct.
      for (let k = 0; k < 10_000; k++) bytes.set(Buffer.from(hex(k === 7 || (r === 3 && k === 9) ? 5 : r * 10_000 + k), "hex"), k * 16);
      return bytes;
    });
    const lazy = new DigestTable();
    const eager = new DigestTable();
    runs.forEach((bytes, r) => {
      const slots = runSlots(bytes, 16);
      // Half the runs with their filter, half without.
      lazy.addRun(bytes, 16, r * 100_000, slots, r % 2 === 0 ? runFilter(slots) : undefined);
      eager.addRun(bytes, 16, r * 100_000);
    });
    lazy.freeze();
    eager.freeze();
    const probes = [hex(5), ` ${hex(12_345).toUpperCase()}`, hex(79_999), hex(80_000), hex(3), "0".repeat(32), "x".repeat(32)];
    const answers = probes.map((p) => eager.get(p));
    expect(answers[0]).toEqual([5, 7, 100_007, 200_007, 300_007, 300_009, 400_007, 500_007, 600_007, 700_007]);
    expect(answers[1]).toBe(100_000 + 2_345);
    expect(answers.slice(3)).toEqual([undefined, 3, undefined, undefined]);
    expect(probes.map((p) => lazy.get(p))).toEqual(answers);
    // As bytes, at any offset of a larger buffer: the same answers, lazily and built.
    const asBytes = (table: DigestTable) => probes.map((p, i) => table.hasBytes(Buffer.concat([Buffer.alloc(i + 1, 0xee), Buffer.from(p.trim(), "hex")]), i + 1, 16));
    const known = answers.map((a) => a !== undefined);
    expect(asBytes(lazy)).toEqual(known);
    expect(asBytes(eager)).toEqual(asBytes(lazy));
    // 80,000 digests in 8 runs: the table is built after 2,500 look-ups, and answers the same.
    for (let i = 0; i < 2_500; i++) lazy.get(hex(i * 31));
    expect(probes.map((p) => lazy.get(p))).toEqual(answers);
    expect(asBytes(lazy)).toEqual(asBytes(eager));
    expect(lazy.size).toBe(eager.size);
    expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager));
  });
});
