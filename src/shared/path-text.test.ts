import { describe, expect, it } from "vitest";
import { needsBytes, pathBytes, pathFromBytes, pathFromText, pathText } from "./path-text.js";

const bytes = (...parts: (string | number[])[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...Buffer.from(p)] : p)));

describe("path-text", () => {
  it("pathFromBytes keeps UTF-8 names as they are and turns each other byte into U+DC00 + byte", () => {
    expect(pathFromBytes(bytes("/usr/bin/naïve 文件 😀"))).toBe("/usr/bin/naïve 文件 😀");
    expect(pathFromBytes(bytes("/t/bad", [0xff, 0xfe], "name.exe"))).toBe("/t/bad\udcff\udcfename.exe");
    // Overlong, surrogate (CESU) and truncated sequences are not UTF-8: byte by byte.
    expect(pathFromBytes(bytes([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82])))
      .toBe("\udcc0\udcaf\udced\udca0\udc80\udce2\udc82");
  });

  it("pathBytes gives back the exact bytes of every name pathFromBytes read", () => {
    const samples = [bytes("plain"), bytes("é", [0xe9], "\\", [0x80, 0xc3], "x"), bytes([0xf0, 0x9f, 0x98, 0x80, 0xf0, 0x9f]), Uint8Array.from({ length: 256 }, (_, i) => i).subarray(1)];
    for (const sample of samples) expect(pathBytes(pathFromBytes(sample))).toEqual(sample);
  });

  it("needsBytes is false for every UTF-8 path, true for one with a byte that is not", () => {
    expect(needsBytes("/etc/passwd")).toBe(false);
    expect(needsBytes("/tmp/naïve 😀")).toBe(false);
    expect(needsBytes("/tmp/bad\udcff")).toBe(true);
  });

  it("pathText writes UTF-8 paths as themselves, backslashes included", () => {
    for (const path of ["/etc/passwd", "/tmp/naïve 文件", "/etc/systemd/system/dev-disk-by\\x2duuid-1.swap", "/run/a\\b", "/x/\\xc3\\xa9", "/x/\\xFG"]) {
      expect(pathText(path)).toBe(path);
      expect(pathFromText(path)).toBe(path);
    }
  });

  it("pathText writes a byte that is not UTF-8 as \\xHH and a backslash as \\\\, and pathFromText reads it back", () => {
    const path = pathFromBytes(bytes("/t/a\\b", [0xff, 0xfe], "name.exe"));
    expect(pathText(path)).toBe("/t/a\\\\b\\xFF\\xFEname.exe");
    expect(pathFromText(pathText(path))).toBe(path);
  });

  it("pathText escapes a UTF-8 path that reads as an escaped one, so no two paths share a text", () => {
    const literal = "/t/\\xFF"; // a valid name: backslash, x, F, F
    const byte = pathFromBytes(bytes("/t/", [0xff]));
    expect(pathText(byte)).toBe("/t/\\xFF");
    expect(pathText(literal)).toBe("/t/\\\\xFF");
    expect(pathText("/t/\\\\xFF")).toBe("/t/\\\\\\\\xFF");
    for (const path of [literal, byte, "/t/\\\\xFF", "/t/\\\\\\xFF"]) expect(pathFromText(pathText(path))).toBe(path);
    const texts = new Set([literal, byte, "/t/\\\\xFF", "/t/\\\\\\xFF"].map(pathText));
    expect(texts.size).toBe(4);
  });

  it("pathText and pathFromText round-trip random byte names", () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
    const pool = [0x5c, 0x78, 0x46, 0x38, 0x41, 0xc3, 0xa9, 0xff, 0x80, 0xe2, 0x82, 0xac, 0x2f];
    const seen = new Map<string, string>();
    for (let n = 0; n < 5000; n++) {
      const name = Uint8Array.from({ length: 1 + (random() % 8) }, () => pool[random() % pool.length] as number);
      const path = pathFromBytes(name);
      const text = pathText(path);
      expect(needsBytes(text)).toBe(false);
      expect(pathFromText(text)).toBe(path);
      expect(pathBytes(pathFromText(text))).toEqual(name);
      expect(seen.get(text) ?? path).toBe(path);
      seen.set(text, path);
    }
  });
});
