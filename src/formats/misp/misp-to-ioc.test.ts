import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { itemsOf, parseIoc, type IocDocument } from "../../core/ioc/index.js";
import { writeIoc } from "../openioc-writer.js";
import { mispToIocs } from "./misp-to-ioc.js";

const DATA = fileURLToPath(new URL("../../../test/data/misp/", import.meta.url));
const load = (file: string): unknown => JSON.parse(readFileSync(`${DATA}${file}`, "utf8"));

/** The one IOC of a file, written as OpenIOC and read back (what a scan loads). */
function onlyIoc(input: unknown): IocDocument {
  const { iocs } = mispToIocs(input);
  expect(iocs).toHaveLength(1);
  const parsed = parseIoc(writeIoc(iocs[0]?.document as IocDocument));
  expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return parsed.document as IocDocument;
}

const values = (doc: IocDocument, term: string): string[] => itemsOf(doc).filter((i) => i.term === term).map((i) => i.value);

describe("mispToIocs() on the three JSON shapes", () => {
  it('mispToIocs() reads {"Event": …}: Ursnif gives its four domains and its URL', () => {
    const doc = onlyIoc(load("pymisp-ursnif-sighting_1.json"));
    expect(doc.id).toBe("5b646415-7b48-40d5-86b4-c0070acd0835");
    expect(doc.title).toBe("Ursnif, MALWAREMESSIAGH");
    expect(values(doc, "DnsEntryItem/Host")).toEqual(["ooiasjdnqjwbeasdasd.com", "eqowiesajenqweasd.com", "dquohwdihaewqdcas.com", "diqjwhebseqhbasdh.com"]);
    expect(values(doc, "UrlHistoryItem/URL")).toEqual(["http://sistemait.it/softaculous/backup/client.rar"]);
  });

  it("mispToIocs() reads a bare event: Sednit gives file objects as AND(FileName, Sha1sum) and domain-ip objects as OR(domain, IP)", () => {
    const doc = onlyIoc(load("pymisp-osint-sednit-existing_event.json"));
    expect(doc.title).toBe("OSINT - Sednit update: How Fancy Bear Spent the Year");
    const groups = doc.criteria?.children.filter((c) => c.kind === "indicator") ?? [];
    const bulletin = groups.find((g) => g.kind === "indicator" && g.children.some((c) => c.kind === "item" && c.value === "Bulletin.doc"));
    expect(bulletin?.kind === "indicator" && bulletin.operator).toBe("AND");
    expect(bulletin?.kind === "indicator" && bulletin.children.map((c) => (c.kind === "item" ? `${c.term}=${c.value}` : ""))).toEqual(["FileItem/FileName=Bulletin.doc", "FileItem/Sha1sum=68064fc152e23d56e541714af52651cb4ba81aaf"]);
    const domainIp = groups.filter((g) => g.kind === "indicator" && g.operator === "OR");
    expect(domainIp.length).toBe(12);
    expect(values(doc, "DnsEntryItem/Host")).toContain("movieultimate.com");
    expect(values(doc, "FileItem/Sha1sum")).toHaveLength(37);
    // The "state: Malicious" text members and the link/text attributes are not indicators.
    expect(itemsOf(doc).some((i) => i.value === "Malicious" || i.value.startsWith("https://www.welivesecurity.com"))).toBe(false);
  });

  it('mispToIocs() reads {"response": [{"Object": …}]}: the to_ids members only, the e-mail object reported', () => {
    const { iocs } = mispToIocs(load("misp-stix-objects-collection-1.json"));
    const doc = iocs[0]?.document as IocDocument;
    expect(doc.criteria?.operator).toBe("AND");
    expect(itemsOf(doc).map((i) => `${i.term}=${i.value}`)).toEqual([
      "FileItem/FileName=oui",
      "FileItem/Md5sum=8764605c6f388c89096b534d33565802",
      "FileItem/Sha1sum=46aba99aa7158e4609aaa72b50990842fd22ae86",
      "FileItem/Sha256sum=ec5aedf5ecc6bdadd4120932170d1b10f6cfa175cfda22951dfd882928ab279b",
    ]);
    expect(iocs[0]?.warnings.map((w) => w.message)).toEqual(['attribute f5ec3603-e3d0-42d7-a372-14c1c137699b (email-src "donald.duck@disney.com") not converted: members of a MISP "email" object are not converted']);
    // Not to_ids in the input: the e-mail recipient, the file's size and path.
    expect(itemsOf(doc).some((i) => ["jdoe@random.org", "35", "/var/www/MISP/app/files/scripts/tmp"].includes(i.value))).toBe(false);
  });

  it('mispToIocs() reads {"response": [{"Event": …}, …]} search results as one IOC per event', () => {
    const ursnif = load("pymisp-ursnif-sighting_1.json") as { Event: unknown };
    const xorist = load("pymisp-circl-osint-xorist-57c4445b.json") as { Event: unknown };
    const { iocs } = mispToIocs({ response: [{ Event: ursnif.Event }, { Event: xorist.Event }] });
    expect(iocs.map((i) => i.document.title)).toEqual(["Ursnif, MALWAREMESSIAGH", "Ransomware - Xorist"]);
  });
});

describe("mispToIocs() rules", () => {
  it("mispToIocs() splits regkey|value into AND(KeyPath, Text) and keeps only to_ids attributes (Xorist)", () => {
    const doc = onlyIoc(load("pymisp-circl-osint-xorist-57c4445b.json"));
    expect(values(doc, "FileItem/Md5sum")).toEqual(["0749bae92ca336a02c83d126e04ec628"]);
    expect(values(doc, "FileItem/Sha256sum")).toEqual(["b3c4ae251f8094fa15b510051835c657eaef2a6cea46075d3aec964b14a99f68"]);
    const registry = doc.criteria?.children.find((c) => c.kind === "indicator");
    expect(registry?.kind === "indicator" && registry.operator).toBe("AND");
    expect(registry?.kind === "indicator" && registry.children.map((c) => (c.kind === "item" ? `${c.term}=${c.value}` : ""))).toEqual([
      "RegistryItem/KeyPath=Software\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Run",
      "RegistryItem/Text=%TEMP%\\3Z4wnG9603it23y.exe",
    ]);
    expect(itemsOf(doc).some((i) => i.value.includes("virustotal") || i.value === "UPX packed")).toBe(false);
    expect(doc.authoredBy).toBe("CIRCL");
    expect(doc.keywords).toContain("tlp:white");
  });

  it("mispToIocs() reports to_ids members of objects it does not convert (SamSam pe-section hashes) and leaves out the non-to_ids mutex", () => {
    const { iocs } = mispToIocs(load("pymisp-samsam-mar-mainly_objects_2.json"));
    const doc = iocs[0]?.document as IocDocument;
    expect(values(doc, "FileItem/Md5sum")).toContain("222d7fde37ae344824a97087d473cdcd");
    expect(values(doc, "FileItem/Md5sum")).not.toContain("5e1317af9956be12deebdea49aae14f5");
    expect(values(doc, "ProcessItem/HandleList/Handle/Name")).toEqual([]);
    const sectionWarning = iocs[0]?.warnings.find((w) => w.message.includes("5e1317af9956be12deebdea49aae14f5"));
    expect(sectionWarning?.message).toMatch(/^attribute [0-9a-f-]{36} \(md5 "5e1317af9956be12deebdea49aae14f5"\) not converted: members of a MISP "pe-section" object are not converted$/);
  });

  it("mispToIocs() splits composites on the first | and reports unsupported types with their uuid", () => {
    const event = {
      Event: {
        uuid: "0b8f6f1e-0000-4000-8000-000000000001",
        info: "composites",
        Attribute: [
          { uuid: "a1", type: "ip-dst|port", category: "Network activity", to_ids: "1", value: "203.0.113.5|8443" },
          { uuid: "a2", type: "domain|ip", category: "Network activity", to_ids: true, value: "evil.example|203.0.113.6" },
          { uuid: "a3", type: "regkey|value", category: "Persistence mechanism", to_ids: true, value: "HKLM\\Run|a|b" },
          { uuid: "a4", type: "mutex", category: "Artifacts dropped", to_ids: true, value: "Global\\冰ǣ" },
          { uuid: "a5", type: "ssdeep", category: "Payload delivery", to_ids: true, value: "3:abc:def" },
          { uuid: "a6", type: "md5", category: "External analysis", to_ids: true, value: "ffffffffffffffffffffffffffffffff" },
        ],
      },
    };
    const { iocs } = mispToIocs(event);
    const doc = parseIoc(writeIoc(iocs[0]?.document as IocDocument)).document as IocDocument;
    expect(itemsOf(doc).map((i) => `${i.term}=${i.value}`)).toEqual([
      "PortItem/remoteIP=203.0.113.5",
      "PortItem/remotePort=8443",
      "DnsEntryItem/Host=evil.example",
      "DnsEntryItem/RecordData/IPv4Address=203.0.113.6",
      "RegistryItem/KeyPath=HKLM\\Run",
      "RegistryItem/Text=a|b",
      "ProcessItem/HandleList/Handle/Name=Global\\冰ǣ",
    ]);
    expect(iocs[0]?.warnings).toEqual([{ code: "unsupported-attribute", message: 'attribute a5 (ssdeep "3:abc:def") not converted: OpenIOC has no term for the MISP type "ssdeep"', source: "0b8f6f1e-0000-4000-8000-000000000001" }]);
  });

  it("mispToIocs() skips an event without indicators with the reason, and refuses what is not MISP naming the JSON path", () => {
    const { iocs, warnings } = mispToIocs({ Event: { uuid: "e", info: "links only", Attribute: [{ uuid: "l", type: "link", category: "External analysis", to_ids: false, value: "https://x.example" }] } });
    expect(iocs).toEqual([]);
    expect(warnings[0]?.message).toMatch(/^event "links only" skipped: no to_ids attribute/);
    expect(() => mispToIocs({ hello: 1 })).toThrow(/^\$: not a MISP event/);
    expect(() => mispToIocs({ Event: { uuid: "e", Attribute: [{ value: "x" }] } })).toThrow("$.Event.Attribute[0].type: an attribute needs a type");
  });
});
