import { describe, expect, it } from "vitest";
import { collectedDocuments, collectedTerms, isCollected } from "./collected.js";
import { LINUX_COLLECTED, linuxCollectedTerms } from "./linux-collected.js";
import { lookupTerm } from "./lookup.js";

describe("Linux-collected terms", () => {
  it.each(linuxCollectedTerms())("%s exists in the vocabulary with this exact spelling", (term) => {
    expect(lookupTerm(term)?.term).toBe(term);
  });

  it("lists each term once", () => {
    const terms = linuxCollectedTerms();
    expect(new Set(terms).size).toBe(terms.length);
    expect(collectedTerms("linux")).toHaveLength(terms.length);
  });

  it("answers for any spelling lookupTerm resolves", () => {
    expect(isCollected("FileItem/Md5sum", "linux")).toBe(true);
    expect(isCollected("FileItem/MD5Sum", "linux")).toBe(true);
    expect(isCollected("ProcessItem/PortList/PortItem/remoteIP", "linux")).toBe(true);
  });

  it("says no for other platforms, Windows-only terms and unknown terms", () => {
    expect(isCollected("FileItem/Md5sum", "win")).toBe(false);
    expect(collectedTerms("osx")).toEqual([]);
    expect(isCollected("RegistryItem/Path", "linux")).toBe(false);
    expect(isCollected("FileItem/PEInfo/DigitalSignature/CertificateSubject", "linux")).toBe(false);
    expect(isCollected("Network/DNS", "linux")).toBe(false);
    expect(isCollected("processEvent/process", "linux")).toBe(false); // map it first
    expect(isCollected("FileItem/Nope", "linux")).toBe(false);
  });

  it("covers the documents of the Linux collectors", () => {
    expect(collectedDocuments("linux")).toEqual(Object.keys(LINUX_COLLECTED).sort());
    expect(collectedDocuments("linux")).toHaveLength(13);
  });

  it("marks list-valued collected terms as such", () => {
    const lists = collectedTerms("linux").filter((t) => t.listValued).map((t) => t.term);
    expect(lists).toEqual(
      expect.arrayContaining(["FileItem/StringList/string", "ProcessItem/HandleList/Handle/Name", "UserItem/grouplist/groupname", "GroupItem/userlist/username"]),
    );
    expect(lists).not.toContain("FileItem/Md5sum");
  });
});
