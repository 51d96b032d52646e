import { describe, expect, it } from "vitest";
import { and, ioc, item, not, or, plan } from "../evaluate/_test-builders.js";
import { createPrefilter, digestsFor, neededFileDigests } from "./prefilter.js";

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
});
