import { hostname, release } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFixtureRoot, type FixtureRoot } from "../_testdata/fixture-root.js";
import { collectAll, createTestContext, runConformance } from "../conformance.js";
import { createHostView } from "../host-view.js";
import { parseOsRelease } from "./host-files.js";
import { defaultRouteInterface, networkFields } from "./network.js";
import { formatUptime, systemInfoCollector } from "./system-info.js";

let fixture: FixtureRoot | undefined;
const host = (): ReturnType<typeof createHostView> => createHostView(fixture?.root ?? "/nonexistent");
beforeAll(async () => {
  const f = await createFixtureRoot("sysinfo");
  fixture = f;
  await f.file("/usr/lib/os-release", 'NAME="Fedora Linux"\nVERSION="40 (Server Edition)"\nPRETTY_NAME="Fedora Linux 40 (Server Edition)"\n');
  // An absolute link, as on the real system: it must resolve inside the image, not on this machine.
  await f.link("/etc/os-release", "/usr/lib/os-release");
  await f.file("/etc/hostname", "web-01\n");
  await f.link("/etc/localtime", "/usr/share/zoneinfo/Europe/Berlin");
});
afterAll(async () => fixture?.remove());

runConformance(systemInfoCollector, (fields) => createTestContext(createHostView("/"), fields), { minRecords: 1, label: "live" });
runConformance(systemInfoCollector, (fields) => createTestContext(host(), fields), { minRecords: 1, label: "fixture root" });

describe("systemInfoCollector", () => {
  it("systemInfoCollector describes an image from its files only", async () => {
    const records = await collectAll(systemInfoCollector, createTestContext(host()), undefined);
    expect(records).toEqual([
      { document: "SystemInfoItem", id: "web-01", fields: { hostname: "web-01", OS: "Fedora Linux 40 (Server Edition)", timezone: "Europe/Berlin" } },
    ]);
  });

  it("systemInfoCollector describes this computer with kernel, uptime and interfaces", async () => {
    const [record] = await collectAll(systemInfoCollector, createTestContext(createHostView("/")), undefined);
    expect(record?.id).toBe(hostname());
    expect(record?.fields["kernelVersion"]).toBe(release());
    expect(record?.fields["uptime"]).toMatch(/^\d+d \d+h \d+m \d+s$/);
    expect(record?.fields["networkArray/networkInfo/adapter"]).toContain("lo");
    expect(record?.fields["networkArray/networkInfo/ipArray/ipInfo/ipAddress"]).toContain("127.0.0.1");
  });

  it("networkFields takes the primary addresses from the default-route interface", () => {
    const lo = { address: "127.0.0.1", netmask: "255.0.0.0", family: "IPv4", mac: "00:00:00:00:00:00", internal: true, cidr: "127.0.0.1/8" } as const;
    const eth0 = [
      { address: "fe80::1", netmask: "ffff:ffff:ffff:ffff::", family: "IPv6", mac: "02:00:00:00:00:01", internal: false, cidr: null, scopeid: 2 },
      { address: "10.1.2.3", netmask: "255.255.0.0", family: "IPv4", mac: "02:00:00:00:00:01", internal: false, cidr: null },
    ] as const;
    const wlan = [{ address: "2001:db8::5", netmask: "ffff:ffff:ffff:ffff::", family: "IPv6", mac: "02:00:00:00:00:02", internal: false, cidr: null, scopeid: 0 }] as const;
    const fields = networkFields({ lo: [lo], wlan0: [...wlan], eth0: [...eth0] }, "eth0");
    expect(fields).toEqual({
      primaryIpAddress: "10.1.2.3",
      primaryIpv4Address: "10.1.2.3",
      primaryIpv6Address: "2001:db8::5",
      MAC: "02:00:00:00:00:01",
      "networkArray/networkInfo/adapter": ["lo", "wlan0", "eth0"],
      "networkArray/networkInfo/MAC": ["02:00:00:00:00:02", "02:00:00:00:00:01"],
      "networkArray/networkInfo/ipArray/ipInfo/ipAddress": ["127.0.0.1", "10.1.2.3"],
      "networkArray/networkInfo/ipArray/ipInfo/ipv6Address": ["2001:db8::5", "fe80::1"],
      "networkArray/networkInfo/ipArray/ipInfo/subnetMask": ["255.0.0.0", "255.255.0.0"],
    });
    expect(defaultRouteInterface("Iface\tDestination\tGateway\tFlags\neth0\t000200C0\t00000000\t0001\t0\neth1\t00000000\t010200C0\t0003\t0\n")).toBe("eth1");
  });

  it("parseOsRelease and formatUptime handle their formats", () => {
    expect(parseOsRelease('PRETTY_NAME="Debian \\"12\\""\nID=debian\n# c\n')).toEqual(new Map([["PRETTY_NAME", 'Debian "12"'], ["ID", "debian"]]));
    expect(formatUptime(3 * 86_400 + 4 * 3600 + 5 * 60 + 6.7)).toBe("3d 4h 5m 6s");
  });
});
