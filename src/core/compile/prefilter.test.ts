import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { and, ioc, item, not, or, plan } from "../evaluate/_test-builders.js";
import type { Condition } from "../ioc/index.js";
import { createDigestGate, createPrefilter, digestGateRulesOut, digestsFor, neededFileDigests } from "./prefilter.js";

const CHEAP = ["FileName", "FullPath", "FilePath", "FileExtension", "SizeInBytes"];
const md5 = (n: number) => n.toString(16).padStart(32, "0");

describe("collection prefilters: never hash a file needlessly", () => {
  it("a plain hash list needs MD5 of every file, and nothing else", () => {
    const p = plan(ioc(or(item("FileItem/Md5sum", "is", md5(1)), item("FileItem/Md5sum", "is", md5(2)))));
    const pre = createPrefilter(p, "FileItem", CHEAP);
    expect([...pre.alwaysNeeded]).toEqual(["Md5sum"]);
    expect(digestsFor(pre.decide({ FileName: "x" }).fields)).toEqual(["md5"]);
  });

  it("name AND hash: only files with the name are hashed", () => {
    const p = plan(ioc(and(item("FileItem/FileName", "is", "evil.exe"), item("FileItem/Sha256sum", "is", "a".repeat(64)))));
    const pre = createPrefilter(p, "FileItem", CHEAP);
    expect(pre.alwaysNeeded.size).toBe(0);
    expect(pre.decide({ FileName: "ls" })).toMatchObject({ mayMatch: false });
    expect(pre.decide({ FileName: "ls" }).fields.size).toBe(0);
    const d = pre.decide({ FileName: "EVIL.exe" });
    expect(d.mayMatch).toBe(true);
    expect(digestsFor(d.fields)).toEqual(["sha256"]);
  });

  it("size ranges rule files out before hashing", () => {
    const p = plan(ioc(and(item("FileItem/SizeInBytes", "is", "1000 TO 2000"), item("FileItem/Md5sum", "is", md5(3)))));
    const pre = createPrefilter(p, "FileItem", CHEAP);
    expect(pre.decide({ SizeInBytes: 999 }).mayMatch).toBe(false);
    expect([...pre.decide({ SizeInBytes: 1500 }).fields]).toEqual(["Md5sum"]);
  });

  it("GDOCUPLOAD shape: MD5 always; the PE timestamp only when name and size already hold", () => {
    const p = plan(
      ioc(
        or(
          item("FileItem/Md5sum", "is", md5(4)),
          and(or(item("FileItem/FileName", "is", "gdocs.exe"), item("FileItem/FileName", "is", "sg.exe")), item("FileItem/SizeInBytes", "is", "104448"), item("FileItem/PEInfo/PETimeStamp", "is", "2011-03-18T02:41:49Z")),
        ),
      ),
    );
    const pre = createPrefilter(p, "FileItem", CHEAP);
    expect([...pre.alwaysNeeded]).toEqual(["Md5sum"]);
    expect([...pre.decide({ FileName: "gdocs.exe", SizeInBytes: 1 }).fields]).toEqual(["Md5sum"]);
    expect([...pre.decide({ FileName: "gdocs.exe", SizeInBytes: 104448 }).fields].sort()).toEqual(["Md5sum", "PEInfo/PETimeStamp"]);
  });

  it("a negated expensive item is needed once the positive cheap part holds", () => {
    const p = plan(ioc(and(item("FileItem/FileName", "is", "a"), not(item("FileItem/Md5sum", "is", md5(5))))));
    const pre = createPrefilter(p, "FileItem", CHEAP);
    expect(pre.decide({ FileName: "b" }).mayMatch).toBe(false);
    expect([...pre.decide({ FileName: "a" }).fields]).toEqual(["Md5sum"]);
  });

  it("a document nobody asks for needs nothing", () => {
    const p = plan(ioc(or(item("ProcessItem/name", "is", "x"))));
    const pre = createPrefilter(p, "FileItem", CHEAP);
    expect(pre.decide({ FileName: "x" })).toMatchObject({ mayMatch: false });
  });

  it("says which digests are needed at all", () => {
    const p = plan(ioc(or(item("FileItem/Sha1sum", "is", "a".repeat(40)), item("ProcessItem/name", "is", "x"))));
    expect(neededFileDigests(p)).toEqual(["sha1"]);
    expect(neededFileDigests(plan(ioc(or(item("FileItem/FileName", "is", "x")))))).toEqual([]);
  });

  it("digestsFor maps FileItem hash fields to algorithms in a stable order", () => {
    expect(digestsFor(["Sha256sum", "FileName", "Md5sum"])).toEqual(["md5", "sha256"]);
  });

  describe("the size gate: files ruled out by their size alone", () => {
    const sized = (size: number, n: number) => and(item("FileItem/SizeInBytes", "is", String(size)), item("FileItem/Sha256sum", "is", n.toString(16).padStart(64, "0")));

    it("a hash list with sizes is gated by exactly its sizes", () => {
      const pre = createPrefilter(plan(ioc(or(sized(300, 1), sized(12, 2), sized(300, 3)))), "FileItem", CHEAP);
      expect(pre.onlyWhen).toEqual({ field: "SizeInBytes", values: [12, 300] });
      expect(pre.decide({ FileName: "a", SizeInBytes: 13 }).mayMatch).toBe(false);
      expect(digestsFor(pre.decide({ FileName: "a", SizeInBytes: 300 }).fields)).toEqual(["sha256"]);
    });

    it("a list of many pairs decides a file from the pairs of its size alone", () => {
      // Wide enough for the keyed walk (keyed-or.ts); sizes repeat, one pair needs a name instead.
      const pairs = Array.from({ length: 40 }, (_, i) => sized(100 + (i % 25), i));
      const named = and(item("FileItem/FileName", "is", "x.bin"), item("FileItem/Md5sum", "is", md5(9)));
      const pre = createPrefilter(plan(ioc(or(...pairs, named))), "FileItem", CHEAP);
      fc.assert(
        fc.property(fc.integer({ min: 90, max: 130 }), fc.constantFrom("x.bin", "y.bin"), (size, name) => {
          const d = pre.decide({ FileName: name, SizeInBytes: size });
          const bySize = size >= 100 && size < 125;
          expect(d.mayMatch).toBe(bySize || name === "x.bin");
          expect(digestsFor(d.fields)).toEqual([...(name === "x.bin" ? ["md5" as const] : []), ...(bySize ? ["sha256" as const] : [])]);
        }),
        { numRuns: 200 },
      );
    });

    it("no gate when something else may match a file of any size", () => {
      const gateOf = (criteria: Parameters<typeof ioc>[0]) => createPrefilter(plan(ioc(criteria)), "FileItem", CHEAP).onlyWhen;
      // A plain hash next to the sized ones: every file is hashed.
      expect(gateOf(or(sized(5, 1), item("FileItem/Md5sum", "is", md5(1))))).toBeUndefined();
      // A name also selects files.
      expect(gateOf(or(sized(5, 1), and(item("FileItem/FileName", "is", "x"), item("FileItem/Md5sum", "is", md5(2)))))).toBeUndefined();
      // Ranges and order conditions are not a set of sizes.
      expect(gateOf(and(item("FileItem/SizeInBytes", "is", "1000 TO 2000"), item("FileItem/Md5sum", "is", md5(3))))).toBeUndefined();
      expect(gateOf(and(item("FileItem/SizeInBytes", "greater-than", "1000"), item("FileItem/Md5sum", "is", md5(3))))).toBeUndefined();
      // A negated size holds on every other size.
      expect(gateOf(and(not(item("FileItem/SizeInBytes", "is", "5")), item("FileItem/Md5sum", "is", md5(4))))).toBeUndefined();
    });

    it("whatever the IOCs, a size outside the gate is never a possible match", () => {
      const sizeItem = fc.tuple(fc.constantFrom<Condition>("is", "greater-than", "less-than"), fc.integer({ min: 0, max: 40 }), fc.boolean()).map(([condition, size, negate]) => {
        const node = item("FileItem/SizeInBytes", condition, String(size));
        return negate ? not(node) : node;
      });
      const other = fc.constantFrom(item("FileItem/FileName", "is", "x"), item("FileItem/Md5sum", "is", md5(7)), item("FileItem/Sha256sum", "is", "b".repeat(64)));
      const group = fc.tuple(fc.array(fc.oneof(sizeItem, other), { minLength: 1, maxLength: 4 }), fc.boolean()).map(([items, all]) => (all ? and(...items) : or(...items)));
      fc.assert(
        fc.property(fc.array(group, { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: -1, max: 45 }), { maxLength: 20 }), (groups, sizes) => {
          const pre = createPrefilter(plan(ioc(or(...groups))), "FileItem", CHEAP);
          const gate = pre.onlyWhen;
          if (gate === undefined) return;
          for (const size of sizes) if (!gate.values.includes(size)) expect(pre.decide({ FileName: "x", FullPath: "/x", FilePath: "/", FileExtension: "", SizeInBytes: size }).mayMatch).toBe(false);
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe("digest gates: files whose digests no IOC names need no record", () => {
  const sha = (n: number) => n.toString(16).padStart(64, "0");

  it("createDigestGate() of a hash list keeps exactly the files with a listed digest, in either case", () => {
    const p = plan(ioc(or(item("FileItem/Md5sum", "is", md5(1)), item("FileItem/Md5sum", "is", md5(2)))));
    const gate = createDigestGate(p, "FileItem", ["md5"]);
    expect(gate?.algorithms).toEqual(["md5"]);
    expect(gate?.mayMatch({ md5: md5(2) })).toBe(true);
    expect(gate?.mayMatch({ md5: md5(2).toUpperCase() })).toBe(true);
    expect(gate?.mayMatch({ md5: md5(3) })).toBe(false);
  });

  it("a hash list's gate names digests given as bytes, gated ones too; not when a digest is also matched otherwise", () => {
    const bytes = (hex: string) => Buffer.concat([Buffer.from([7]), Buffer.from(hex, "hex")]);
    const list = createDigestGate(plan(ioc(or(item("FileItem/Md5sum", "is", md5(1)), item("FileItem/Md5sum", "is", md5(2))))), "FileItem", ["md5"]);
    expect([list?.named?.("md5", bytes(md5(1)), 1), list?.named?.("md5", bytes(md5(3)), 1)]).toEqual([true, false]);
    // The sha256 item is gated by the size beside it (gating.ts): named all the same.
    const sized = createDigestGate(plan(ioc(or(item("FileItem/Md5sum", "is", md5(1)), and(item("FileItem/SizeInBytes", "is", "5"), item("FileItem/Sha256sum", "is", sha(2)))))), "FileItem", ["md5", "sha256"]);
    expect([sized?.named?.("sha256", bytes(sha(2)), 1), sized?.named?.("sha256", bytes(sha(3)), 1), sized?.named?.("md5", bytes(md5(1)), 1)]).toEqual([true, false, true]);
    // A digest also read by `contains`: only the full match can tell.
    const partial = createDigestGate(plan(ioc(or(item("FileItem/Md5sum", "is", md5(1)), item("FileItem/Md5sum", "contains", "abc")))), "FileItem", ["md5"]);
    expect(partial?.mayMatch({ md5: md5(9) })).toBe(false);
    expect(partial?.named).toBeUndefined();
  });

  it("digestGateRulesOut() rules a file out only when it has every digest the gate needs and none is listed", () => {
    const p = plan(ioc(or(item("FileItem/Md5sum", "is", md5(1)), item("FileItem/Sha256sum", "is", sha(1)))));
    const gate = createDigestGate(p, "FileItem", ["md5", "sha256"]);
    if (gate === undefined) throw new Error("expected a digest gate");
    expect(digestGateRulesOut(gate, { md5: md5(9), sha256: sha(9) })).toBe(true);
    expect(digestGateRulesOut(gate, { md5: md5(9), sha256: sha(1) })).toBe(false);
    // A digest not known (a cache entry with md5 only): not ruled out, it must be hashed first.
    expect(digestGateRulesOut(gate, { md5: md5(9) })).toBe(false);
  });

  it("createDigestGate() holds when every unit also needs a name, a size or a PE field beside the digest", () => {
    const p = plan(
      ioc(or(and(item("FileItem/FileName", "is", "evil.exe"), item("FileItem/Sha256sum", "is", sha(1))), and(item("FileItem/Sha256sum", "is", sha(2)), item("FileItem/PEInfo/PETimeStamp", "is", "2011-03-18T02:41:49Z")))),
    );
    const gate = createDigestGate(p, "FileItem", ["sha256"]);
    expect(gate?.mayMatch({ sha256: sha(1) })).toBe(true);
    expect(gate?.mayMatch({ sha256: sha(2) })).toBe(true);
    expect(gate?.mayMatch({ sha256: sha(3) })).toBe(false);
  });

  it("createDigestGate() is undefined when an IOC can match without a listed digest: a name, a negated digest, a digest not known", () => {
    const byName = plan(ioc(or(item("FileItem/Md5sum", "is", md5(1)), item("FileItem/FileName", "is", "evil.exe"))));
    expect(createDigestGate(byName, "FileItem", ["md5"])).toBeUndefined();
    const negated = plan(ioc(and(item("FileItem/FileName", "is", "a"), not(item("FileItem/Md5sum", "is", md5(5))))));
    expect(createDigestGate(negated, "FileItem", ["md5"])).toBeUndefined();
    // Only md5 is known: a file may still match by its sha256, which the gate cannot see.
    const two = plan(ioc(or(item("FileItem/Md5sum", "is", md5(1)), item("FileItem/Sha256sum", "is", sha(1)))));
    expect(createDigestGate(two, "FileItem", ["md5"])).toBeUndefined();
    expect(createDigestGate(two, "FileItem", ["md5", "sha256"])?.mayMatch({ md5: md5(9), sha256: sha(1) })).toBe(true);
    expect(createDigestGate(two, "FileItem", [])).toBeUndefined();
  });
});
