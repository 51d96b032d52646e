import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalText, parseValue, valueIs } from "./values.js";

function parsed(type: Parameters<typeof parseValue>[0], text: string) {
  const r = parseValue(type, text);
  if (!r.ok) throw new Error(`${type} "${text}": ${r.reason}`);
  return r.value;
}

describe("value properties", () => {
  it("IPv6: the canonical text parses back to the same address", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), (groups) => {
        const full = groups.map((g) => g.toString(16).padStart(4, "0")).join(":");
        const first = parsed("ip", full);
        const again = parsed("ip", canonicalText(first));
        expect(valueIs(first, again)).toBe(true);
        expect(canonicalText(again)).toBe(canonicalText(first));
      }),
    );
  });

  it("IPv4 with zero-padded parts equals the plain form", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), (parts) => {
        const plain = parts.join(".");
        const padded = parts.map((p) => String(p).padStart(3, "0")).join(".");
        expect(canonicalText(parsed("ip", padded))).toBe(plain);
      }),
    );
  });

  it("uint64: every value survives text and back exactly", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (n) => {
        expect(parsed("uint64", ` ${n} `)).toEqual({ kind: "integer", value: n });
      }),
    );
  });

  it("dates: an instant written with any whole-minute offset is the same instant", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2099, 11, 31) }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (ms, offsetMinutes) => {
          const instant = Math.floor(ms / 1000) * 1000;
          const local = new Date(instant + offsetMinutes * 60_000).toISOString().slice(0, 19);
          const sign = offsetMinutes < 0 ? "-" : "+";
          const abs = Math.abs(offsetMinutes);
          const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
          expect(parsed("date", `${local}${zone}`)).toEqual({ kind: "date", value: instant });
        },
      ),
    );
  });

  it("never throws, whatever the text", () => {
    const types = ["string", "md5", "sha1", "sha256", "int", "uint64", "float", "date", "ip", "bool", "duration"] as const;
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.string({ maxLength: 60 }), (type, text) => {
        const r = parseValue(type, text);
        if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
      }),
    );
  });
});
