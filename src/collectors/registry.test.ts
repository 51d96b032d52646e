import { describe, expect, it } from "vitest";
import { LINUX_COLLECTED } from "../core/vocabulary/index.js";
import { checkDeclaration } from "./conformance.js";
import { COLLECTORS, collectedDocuments, findCollector } from "./registry.js";

describe("COLLECTORS", () => {
  it("COLLECTORS has one sane collector per document, names and documents unique", () => {
    expect(new Set(COLLECTORS.map((c) => c.name)).size).toBe(COLLECTORS.length);
    expect(new Set(collectedDocuments()).size).toBe(COLLECTORS.length);
    for (const collector of COLLECTORS) expect(checkDeclaration(collector), collector.name).toEqual([]);
  });

  it("COLLECTORS covers every Linux-collected document", () => {
    expect(Object.keys(LINUX_COLLECTED).filter((d) => findCollector(d) === undefined)).toEqual([]);
  });

  it("COLLECTORS fill exactly the fields the vocabulary says iocscan collects", () => {
    // A term the vocabulary calls collected but no collector fills would read as a missing
    // field (FALSE, so a negated item TRUE) instead of UNKNOWN.
    for (const collector of COLLECTORS) {
      expect([...collector.fields].sort(), collector.document).toEqual([...(LINUX_COLLECTED[collector.document] ?? [])].sort());
    }
  });

  it("findCollector finds by document or name, and nothing for Windows-only documents", () => {
    expect(findCollector("DnsEntryItem")?.name).toBe("dns-entry");
    expect(findCollector("process")?.document).toBe("ProcessItem");
    expect(findCollector("RegistryItem")).toBeUndefined();
  });

  it("COLLECTORS marks /proc readers live-only and file readers usable under --root", () => {
    const liveOnly = COLLECTORS.filter((c) => c.liveOnly).map((c) => c.name).sort();
    expect(liveOnly).toEqual(["arp-entry", "module", "port", "process", "route-entry", "volume"]);
  });
});
