import { describe, expect, it } from "vitest";
import { and, ioc, item, or, plan, record, run } from "./_test-builders.js";
import type { HostRecord } from "./types.js";

const sha = (n: number) => n.toString(16).padStart(64, "0");
/** 40 `SizeInBytes AND Sha256sum` pairs, sizes 100..119 twice: wide enough for the keyed walk (keyed-or.ts). */
const pairs = Array.from({ length: 40 }, (_, i) => and(item("FileItem/SizeInBytes", "is", String(100 + (i % 20)), { id: `size${i}` }), item("FileItem/Sha256sum", "is", sha(i), { contentType: "sha256", id: `sha${i}` })));
const list = plan(ioc(or(...pairs)));
const file = (path: string, size: number, digest: string, unknown?: string[]): HostRecord => ({ ...record("FileItem", path, { FullPath: path, SizeInBytes: size, Sha256sum: digest }), ...(unknown ? { unknownFields: unknown } : {}) });

describe("a wide OR of size-and-digest pairs", () => {
  it("matches a file by the pair whose size and digest it has, whichever of the pairs of its size", () => {
    for (const i of [0, 7, 27, 39]) {
      const r = run(list, [file("/a", 100 + (i % 20), sha(i)), file("/b", 100 + (i % 20), sha(i + 1))]);
      expect(r.detections.map((d) => d.objects.map((o) => o.id))).toEqual([["/a"]]);
      expect([...(r.detections[0]?.matchedItems ?? [])].sort()).toEqual([`sha${i}`, `size${i}`]);
    }
  });

  it("does not match a listed digest with another pair's size, nor a size alone", () => {
    expect(run(list, [file("/a", 101, sha(2)), file("/b", 150, sha(3)), file("/c", 103, sha(99))]).verdict).toBe("false");
  });

  it("is UNKNOWN, not FALSE, on a file of a listed size whose digest could not be computed", () => {
    expect(run(list, [file("/a", 104, "", ["Sha256sum"])]).verdict).toBe("unknown");
    expect(run(list, [file("/a", 150, "", ["Sha256sum"])]).verdict).toBe("false");
  });
});
