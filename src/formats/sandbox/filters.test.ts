/**
 * The building blocks of the noise filters, on the shipped lists: warninglist matching by list
 * type, path and registry-key generalisation, and the sample-tree rules.
 */
import { describe, expect, it } from "vitest";
import { generalisedTail, profileUser, splitRegistryKey } from "./paths.js";
import { sampleTree, verdictOfScore } from "./process-tree.js";
import { scheduledTaskName } from "./select.js";
import { warninglistHit, warninglists } from "./warninglists.js";

describe("MISP warninglists from the package's data folder", () => {
  it("loads the 13 shipped lists once", () => {
    expect(warninglists()).toHaveLength(13);
    expect(warninglists()).toBe(warninglists());
  });

  it("matches CIDR lists on addresses only", () => {
    expect(warninglistHit("ip", "10.20.30.40")).toBe("rfc1918");
    expect(warninglistHit("ip", "239.255.255.250")).toBe("multicast");
    expect(warninglistHit("ip", "41.220.119.246")).toBeUndefined();
    expect(warninglistHit("domain", "10.20.30.40")).toBeUndefined();
  });

  it("matches string lists exactly, with a leading dot as a suffix, case-insensitively", () => {
    expect(warninglistHit("domain", "OCSP.DIGICERT.COM")).toBe("crl-hostname");
    // microsoft-win10-connection-endpoints lists ".akamaiedge.net"
    expect(warninglistHit("domain", "e1723.g.akamaiedge.net")).toMatch(/^microsoft/);
    expect(warninglistHit("domain", "akamaiedge.net.evil.example")).toBeUndefined();
  });

  it("matches hostname lists on the name and every name below it", () => {
    expect(warninglistHit("domain", "api.ipify.org")).toBe("whats-my-ip");
    expect(warninglistHit("domain", "v2.api.ipify.org")).toBe("whats-my-ip");
    expect(warninglistHit("domain", "notipify.org")).toBeUndefined();
  });

  it("applies hash lists to hashes and URL lists to a URL's host", () => {
    expect(warninglistHit("hash", "D41D8CD98F00B204E9800998ECF8427E")).toMatch(/^(empty-hashes|common-ioc-false-positive)$/);
    expect(warninglistHit("url", "https://api.ipify.org/?format=json")).toBe("whats-my-ip");
    expect(warninglistHit("url", "http://41.220.119.246/enable/codec/")).toBeUndefined();
  });
});

describe("path and registry generalisation", () => {
  it("keeps the part after the user profile, or the path without its drive", () => {
    expect(generalisedTail("C:\\Users\\comp\\AppData\\Roaming\\Microsoft\\Jxoqwnx\\jxoqwn.exe")).toBe("\\AppData\\Roaming\\Microsoft\\Jxoqwnx\\jxoqwn.exe");
    expect(generalisedTail("c:\\Documents and Settings\\Admin\\Local Settings\\x.dll")).toBe("\\Local Settings\\x.dll");
    expect(generalisedTail("\\??\\C:\\Windows\\SysWOW64\\structsreadand.exe")).toBe("\\Windows\\SysWOW64\\structsreadand.exe");
    expect(generalisedTail("/tmp/x")).toBeUndefined();
    expect(profileUser("C:\\Users\\TFzWCExo\\AppData\\Local\\Temp\\a.exe")).toBe("TFzWCExo");
  });

  it("splits keys into hive and path, reading one user's SID as the current user", () => {
    expect(splitRegistryKey("HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run")).toEqual({ hive: "HKEY_CURRENT_USER", keyPath: "Software\\Microsoft\\Windows\\CurrentVersion\\Run" });
    expect(splitRegistryKey("\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services\\x")).toEqual({ hive: "HKEY_LOCAL_MACHINE", keyPath: "SYSTEM\\ControlSet001\\Services\\x" });
    expect(splitRegistryKey("HKEY_USERS\\S-1-5-21-1-2-3-1000\\Software\\x")).toEqual({ hive: "HKEY_CURRENT_USER", keyPath: "Software\\x" });
    expect(splitRegistryKey("Software\\x")).toBeUndefined();
  });

  it("reads the task name of schtasks /create, quoted or not", () => {
    expect(scheduledTaskName('schtasks.exe  /create /sc onstart /tn "NEMTY_X" /tr "C:\\a.exe"')).toBe("NEMTY_X");
    expect(scheduledTaskName('"C:\\Windows\\system32\\schtasks.exe" /create /tn {BA12B07A-F2EB-4487-9939-A22A7133BA0F} /tr x')).toBe("{BA12B07A-F2EB-4487-9939-A22A7133BA0F}");
    expect(scheduledTaskName("schtasks /delete /tn x")).toBeUndefined();
  });
});

describe("the sample's process tree", () => {
  const processes = [
    { id: "1", name: "sample.exe", image: "C:\\Users\\u\\sample.exe" },
    { id: "2", parentId: "1", name: "cmd.exe" },
    { id: "3", parentId: "99", name: "services.exe" },
    { id: "4", parentId: "3", name: "copy.exe", image: "C:\\Windows\\SysWOW64\\copy.exe" },
    { id: "5", parentId: "3", name: "svchost.exe" },
    { id: "6", parentId: "3", name: "explorer.exe" },
    { id: "7", parentId: "3", name: "dllhost.exe", image: "C:\\ProgramData\\x\\dllhost.exe" },
  ];

  it("takes descendants, stranger programs, injection targets of the tree and images the tree wrote", () => {
    const tree = sampleTree(processes, ["1"], { injections: [{ from: "1", to: "6" }, { from: "5", to: "3" }], writtenPaths: ["C:\\ProgramData\\x\\dllhost.exe"] });
    expect([...tree].sort()).toEqual(["1", "2", "4", "6", "7"]);
  });

  it("is empty when the sample's process is unknown", () => {
    expect(sampleTree(processes, []).size).toBe(0);
  });

  it("reads a 0-10 score as a verdict", () => {
    expect([verdictOfScore(10), verdictOfScore(5), verdictOfScore(0), verdictOfScore(undefined)]).toEqual(["malicious", "suspicious", "clean", "unknown"]);
  });
});
