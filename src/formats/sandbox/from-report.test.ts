/**
 * iocFromReport on every report of the corpus (test/data/sandbox-reports/, copied from the shared
 * corpus with its SOURCES.md) and on a hand-written generic report: what must come out, what must
 * be left out and why, and that every generated IOC reads back cleanly and evaluates.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compilePlan } from "../../core/compile/index.js";
import { createEvaluation, type HostRecord } from "../../core/evaluate/index.js";
import { checkIoc, itemsOf, parseIoc, type IocDocument } from "../../core/ioc/index.js";
import { detectSandboxFormat, iocFromReport, SandboxReportError, type IocFromReportResult } from "./index.js";

const corpus = fileURLToPath(new URL("../../../test/data/sandbox-reports/", import.meta.url));
const NOW = new Date("2026-11-28T06:00:00Z");

function read(relative: string): unknown {
  return JSON.parse(readFileSync(join(corpus, relative), "utf8")) as unknown;
}

function generate(report: unknown): Extract<IocFromReportResult, { generated: true }> {
  const result = iocFromReport(report, { now: NOW });
  if (!result.generated) throw new Error(`expected an IOC, got: ${result.reason}`);
  return result;
}

function documentOf(xml: string): IocDocument {
  const parsed = parseIoc(xml);
  expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (!parsed.document) throw new Error("no document");
  return parsed.document;
}

/** The values of the items on `term`. */
function valuesOf(xml: string, term: string): string[] {
  return itemsOf(documentOf(xml))
    .filter((i) => i.term === term)
    .map((i) => i.value);
}

function droppedReason(result: IocFromReportResult, value: string): string | undefined {
  return result.dropped.find((d) => d.value === value || d.value.startsWith(`${value} `))?.reason;
}

/** Evaluates `document` against the given records, as a scan would. */
function verdictOn(document: IocDocument, records: HostRecord[]): string {
  const plan = compilePlan([{ file: "generated.ioc", document }]);
  const evaluation = createEvaluation(plan, { availableDocuments: ["FileItem", "ProcessItem", "PortItem", "DnsEntryItem", "ServiceItem", "TaskItem"] });
  for (const record of records) evaluation.addRecord(record);
  evaluation.finish();
  return evaluation.verdicts()[0]?.verdict ?? "none";
}

const reports = ["cape", "cuckoo3", "triage", "vmray"].flatMap((dir) => readdirSync(join(corpus, dir)).map((f) => `${dir}/${f}`));

describe("every report of the corpus", () => {
  it("has the corpus at hand (10 reports)", () => {
    expect(reports).toHaveLength(10);
  });

  it.each(reports)("%s: is recognised, and yields an IOC that reads back cleanly and matches the sample, or says why not", (file) => {
    const report = read(file);
    expect(detectSandboxFormat(report)).toBe(file.split("/")[0]);
    const result = iocFromReport(report, { now: NOW });
    if (!result.generated) {
      expect(result.reason.length).toBeGreaterThan(10);
      return;
    }
    const document = documentOf(result.xml);
    expect(itemsOf(document)).toHaveLength(result.items);
    const check = checkIoc(document, { platform: "linux" });
    // No unknown term, no mis-spelled term, no value the term cannot hold. Registry values and
    // browser history are the only terms Linux collectors have no source for (IOC021).
    const windowsOnly = /^"(RegistryItem|UrlHistoryItem)\//;
    expect(check.diagnostics.filter((d) => d.severity !== "info" || d.code === "IOC027").filter((d) => !(d.code === "IOC021" && windowsOnly.test(d.message)))).toEqual([]);
    const windowsOnlyItems = itemsOf(document).filter((i) => /^(RegistryItem|UrlHistoryItem)\//.test(i.term)).length;
    expect(check.supportedItems).toBe(check.items - windowsOnlyItems);
    // Never sandbox-only values: pids, the analysis VM's user profile paths.
    expect(result.xml).not.toMatch(/ProcessItem\/(pid|parentpid)|\\Users\\|Documents and Settings/i);

    const { sample } = result.summary;
    const fields: Record<string, string | number> = { FullPath: "/srv/share/x.exe", FileName: "x.exe" };
    if (sample.md5) fields["Md5sum"] = sample.md5;
    if (sample.sha1) fields["Sha1sum"] = sample.sha1;
    if (sample.sha256) fields["Sha256sum"] = sample.sha256;
    if (sample.size !== undefined) fields["SizeInBytes"] = sample.size;
    const sampleRecord: HostRecord = { document: "FileItem", id: "/srv/share/x.exe", fields };
    expect(verdictOn(document, [sampleRecord])).toBe("true");
    const other: HostRecord = {
      document: "FileItem",
      id: "/srv/share/y.exe",
      fields: { ...fields, FullPath: "/srv/share/y.exe", Md5sum: "0".repeat(32), Sha1sum: "0".repeat(40), Sha256sum: "0".repeat(64) },
    };
    expect(verdictOn(document, [other])).not.toBe("true");
  });

  it("gives the same bytes for the same report (stable ids)", () => {
    const report = read("cape/cape-v2.2-qakbot-0000a657-trimmed.json");
    expect(generate(report).xml).toBe(generate(report).xml);
  });
});

describe("CAPE QakBot", () => {
  const result = generate(read("cape/cape-v2.2-qakbot-0000a657-trimmed.json"));

  it("yields the sample's and the dropped files' hashes", () => {
    const md5s = valuesOf(result.xml, "FileItem/Md5sum");
    expect(md5s).toContain("e2147b5333879f98d515cd9aa905d489");
    expect(md5s).toEqual(expect.arrayContaining(["9c468fb9a24b62808fb6992d323f0f64", "9e1fe9f990ae60f73292afd8eb384102", "c200314eaf681ed54fa828521abf8ba0"]));
  });

  it("leaves out calc.exe, copied over the sample by `type calc.exe > sample.exe`, and says why", () => {
    expect(result.xml).not.toContain("60b7c0fead45f2066e5b805a91f4f0fc");
    expect(droppedReason(result, "C:\\Users\\comp\\AppData\\Local\\Temp\\0000A65749F5902C4D82.exe")).toMatch(/^known-good:copy-of C:\\Windows\\System32\\calc\.exe/);
  });

  it("yields the eight C2 addresses the signatures confirm, and not the unconfirmed CDN address or the resolver", () => {
    expect(valuesOf(result.xml, "PortItem/remoteIP").sort()).toEqual(
      ["216.201.159.118", "65.173.74.217", "66.222.88.126", "71.190.202.120", "216.109.9.227", "47.40.29.239", "185.219.83.73", "63.140.135.35"].sort(),
    );
    expect(droppedReason(result, "23.49.13.33")).toBe("unconfirmed:no-process-attribution");
    expect(droppedReason(result, "1.1.1.1")).toBe("public-dns-resolver");
  });

  it("yields the Run value, the scheduled tasks and the mutexes, and leaves out OS noise", () => {
    expect(valuesOf(result.xml, "RegistryItem/ValueName")).toEqual(["yfeaxxbea"]);
    expect(valuesOf(result.xml, "RegistryItem/KeyPath")).toEqual(["Software\\Microsoft\\Windows\\CurrentVersion\\Run"]);
    expect(valuesOf(result.xml, "TaskItem/Name")).toContain("{BA12B07A-F2EB-4487-9939-A22A7133BA0F}");
    const mutexes = valuesOf(result.xml, "ProcessItem/HandleList/Handle/Name");
    expect(mutexes).toContain("jxoqwn");
    expect(mutexes).not.toContain("IESQMMUTEX_0_208");
    expect(droppedReason(result, "IESQMMUTEX_0_208")).toBe("os-mutex:ie-telemetry");
    expect(result.xml).not.toMatch(/Wpad|index\.dat|Cookies/i);
  });

  it("generalises dropped paths past the analysis VM's profile", () => {
    expect(valuesOf(result.xml, "FileItem/FullPath")).toContain("\\AppData\\Roaming\\Microsoft\\Jxoqwnx\\jxoqwn.exe");
  });
});

describe("Cuckoo3 Emotet (post.json with pre.json)", () => {
  const result = generate({ post: read("cuckoo3/cuckoo3-emotet-post.json"), pre: read("cuckoo3/cuckoo3-emotet-pre.json") });

  it("yields exactly the two C2 addresses and their URLs", () => {
    expect(valuesOf(result.xml, "PortItem/remoteIP").sort()).toEqual(["37.157.194.134", "41.220.119.246"]);
    expect(valuesOf(result.xml, "UrlHistoryItem/URL").sort()).toEqual(["http://37.157.194.134:443/window/window/sess/merge/", "http://41.220.119.246/enable/codec/"]);
  });

  it("yields no Microsoft or CRL host, and drops their addresses through the CNAME chains", () => {
    expect(valuesOf(result.xml, "DnsEntryItem/Host")).toEqual([]);
    expect(result.xml).not.toMatch(/microsoft|windowsupdate|digicert|passport|msftncsi|live\.com/i);
    // ctldl.windowsupdate.com reaches 13.107.4.50 only through several CNAMEs.
    expect(droppedReason(result, "13.107.4.50")).toBe("address-of:ctldl.windowsupdate.com");
    expect(droppedReason(result, "clientconfig.passport.net")).toMatch(/^noise-domain:/);
  });

  it("keeps the persistent copy started by services.exe, matched by ends-with, and the sample's hashes", () => {
    const paths = itemsOf(documentOf(result.xml)).filter((i) => i.term === "FileItem/FullPath");
    expect(paths.map((p) => [p.condition, p.value])).toContainEqual(["ends-with", "\\Windows\\SysWOW64\\structsreadand.exe"]);
    expect(result.xml).not.toContain("TFzWCExo");
    expect(valuesOf(result.xml, "FileItem/Sha256sum")).toEqual(["cbdb56e796b3fefb8c911e4f9237047d2d805dceccbea3dbac1ff87328e5f425"]);
  });

  it("says why post.json alone yields nothing: its sample hashes are in pre.json", () => {
    const alone = iocFromReport(read("cuckoo3/cuckoo3-emotet-post.json"));
    expect(alone).toMatchObject({ generated: false, reason: "the report names no hash of the sample" });
  });
});

describe("reports that must yield no IOC", () => {
  it("the clean VMRay report, with the reason", () => {
    const result = iocFromReport(read("vmray/vmray-summary_v2-clean-mutex-eb12873c.json"));
    expect(result).toMatchObject({ generated: false, summary: { format: "vmray", verdict: "clean" } });
    expect(result.generated ? "" : result.reason).toMatch(/^verdict clean/);
  });

  it("the empty CAPE report, with the reason", () => {
    const result = iocFromReport(read("cape/cape-v2.4-2ebadd04-empty-behavior.json"));
    expect(result).toMatchObject({ generated: false, summary: { format: "cape", score: 0 } });
    expect(result.generated ? "" : result.reason).toMatch(/^verdict clean \(score 0\)/);
  });
});

describe("noise-only and other reports", () => {
  it("CAPE d4690038 (Microsoft background traffic) yields no Microsoft domain and no network value at all", () => {
    const result = generate(read("cape/cape-v2.2-d4690038-network.json"));
    expect(valuesOf(result.xml, "DnsEntryItem/Host")).toEqual([]);
    expect(valuesOf(result.xml, "PortItem/remoteIP")).toEqual([]);
    expect(result.xml).not.toMatch(/microsoft|msn\.com|bing|live\.com/i);
  });

  it("CAPE SunCrypt keeps the ransom note's name and the unclear mutex, not renamed victim files or OS mutexes", () => {
    const result = generate(read("cape/cape-v2.4-suncrypt-0a0882b8-trimmed.json"));
    expect(valuesOf(result.xml, "FileItem/FileName")).toContain("YOUR_FILES_ARE_ENCRYPTED.HTML");
    expect(valuesOf(result.xml, "ProcessItem/HandleList/Handle/Name")).toEqual(["LowDiskOnM"]);
    expect(result.xml).not.toMatch(/msocache\\all users\\[^<]*\.[0-9a-f]{64}|CicLoadWinStaWinSta0|MSCTF|ZonesCacheCounterMutex|VSS\\Diag/i);
    expect(result.dropped.some((d) => d.reason === "os-by-product:renamed-victim-file")).toBe(true);
  });

  it("Triage Nemty yields no domain, keeps the ransom note's name, and keeps the e-mail addresses as context only", () => {
    const result = generate(read("triage/triage-nemty-behavioral1.json"));
    expect(valuesOf(result.xml, "DnsEntryItem/Host")).toEqual([]);
    expect(valuesOf(result.xml, "FileItem/FileName")).toEqual(["NEMTY_XHNNB1O-DECRYPT.txt"]);
    expect(result.xml).not.toContain("tutanota");
    expect(droppedReason(result, "elzmflqxj@tutanota.de")).toMatch(/^context-only/);
  });

  it("the Triage sample summary gives a hash-only IOC", () => {
    const result = generate(read("triage/triage-nemty-sample-summary.json"));
    expect(result.items).toBe(1);
    expect(valuesOf(result.xml, "FileItem/Sha256sum")).toEqual(["2ebe4c68225206161c70cf3e0da39294e9353ee295db2dc5d4f86ce7901210c5"]);
  });

  it("VMRay suspicious yields the domain VMRay flagged, and leaves the others out with VMRay's triage as the reason", () => {
    const result = generate(read("vmray/vmray-summary_v2-suspicious-86d8257a.json"));
    expect(valuesOf(result.xml, "DnsEntryItem/Host")).toEqual(["werfault.com"]);
    expect(droppedReason(result, "162.159.36.2")).toBe("not-flagged-as-ioc-by-sandbox");
  });
});

describe("the generic format", () => {
  const report = read("generic/acme-loader.json");
  const result = generate(report);

  it("is recognised and yields every kind of indicator it lists", () => {
    expect(detectSandboxFormat(report)).toBe("generic");
    expect(result.summary).toMatchObject({ format: "generic", verdict: "malicious", score: 92, reportId: "acme-2026-11-27-0042", detectedOn: { hostname: "ws-finance-07" } });
    expect(valuesOf(result.xml, "FileItem/Md5sum")).toEqual(["0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"]);
    expect(valuesOf(result.xml, "FileItem/FullPath")).toEqual(["\\AppData\\Roaming\\AcmeSync\\acmesync.exe"]);
    expect(valuesOf(result.xml, "RegistryItem/ValueName")).toEqual(["AcmeSync"]);
    expect(valuesOf(result.xml, "ServiceItem/name")).toEqual(["AcmeSyncSvc"]);
    expect(valuesOf(result.xml, "TaskItem/Name")).toEqual(["AcmeSyncUpdate"]);
    expect(valuesOf(result.xml, "ProcessItem/HandleList/Handle/Name")).toEqual(["AcmeLoaderSingleton"]);
    expect(valuesOf(result.xml, "PortItem/remoteIP")).toEqual(["91.215.85.17"]);
    expect(valuesOf(result.xml, "DnsEntryItem/Host")).toEqual(["update.acme-sync-cdn.example"]);
    expect(valuesOf(result.xml, "ProcessItem/arguments")).toEqual(["-nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA"]);
    expect(result.fileName).toBe("sandbox-a3f5c0e1b2d4a6f8.ioc");
  });

  it("still filters what the sender listed", () => {
    expect(droppedReason(result, "ctldl.windowsupdate.com")).toMatch(/^warninglist:/);
    expect(droppedReason(result, "api.ipify.org")).toBe("warninglist:whats-my-ip");
    expect(droppedReason(result, "192.168.56.1")).toBe("warninglist:rfc1918");
    expect(droppedReason(result, "8.8.8.8")).toBe("public-dns-resolver");
    expect(droppedReason(result, "Local\\ZonesCacheCounterMutex")).toBe("os-mutex:ie-zones");
    expect(droppedReason(result, "C:\\Users\\analyst\\Desktop\\empty.txt")).toMatch(/^warninglist:(empty-hashes|common-ioc-false-positive)$/);
  });

  it("a clean verdict yields nothing, and a benign sample hash yields nothing", () => {
    const base = report as Record<string, unknown>;
    expect(iocFromReport({ ...base, verdict: "clean" })).toMatchObject({ generated: false, reason: "verdict clean (score 92): nothing to look for" });
    const empty = iocFromReport({ ...base, sample: { md5: "d41d8cd98f00b204e9800998ecf8427e" } });
    expect(empty.generated ? "" : empty.reason).toMatch(/known-benign list/);
  });
});

describe("broken input", () => {
  const generic = read("generic/acme-loader.json") as Record<string, unknown>;

  it("names the JSON path and the cause", () => {
    const cases: [unknown, string, RegExp][] = [
      [{ ...generic, sample: { md5: "xyz" } }, "$.sample.md5", /32 hex digits/],
      [{ ...generic, verdict: "evil" }, "$.verdict", /./],
      [{ ...generic, files: [{ path: "C:\\a.exe", sha265: "00" }] }, "$.files[0]", /sha265/],
      [{ ...generic, sample: {} }, "$.sample", /at least one of md5, sha1, sha256/],
    ];
    for (const [report, path, cause] of cases) {
      let error: unknown;
      try {
        iocFromReport(report);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SandboxReportError);
      expect((error as SandboxReportError).jsonPath).toBe(path);
      expect((error as SandboxReportError).message).toMatch(cause);
    }
  });

  it("a report of a known format with a field of the wrong type names that field", () => {
    const cape = read("cape/cape-v2.2-qakbot-0000a657-trimmed.json") as { behavior: Record<string, unknown> };
    const broken = { ...cape, behavior: { ...cape.behavior, processtree: { not: "a list" } } };
    expect(() => iocFromReport(broken)).toThrow(new SandboxReportError("$.behavior.processtree", "expected an array, got an object"));
    expect(() => iocFromReport({ ...(cape as object), malscore: "high" })).toThrow(/^\$\.malscore: expected a number/);
  });

  it("JSON that is no known report yields no IOC and no summary; --format forces a parser", () => {
    expect(iocFromReport({ hello: "world" })).toMatchObject({ generated: false, dropped: [] });
    expect(iocFromReport({ hello: "world" }).summary).toBeUndefined();
    expect(() => iocFromReport([1, 2], { format: "cape" })).toThrow(SandboxReportError);
    expect(() => iocFromReport({ hello: "world" }, { format: "generic" })).toThrow(/^\$\.format: /);
  });
});
