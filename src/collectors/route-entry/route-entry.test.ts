import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectAll, createTestContext, runConformance } from "../conformance.js";
import { createHostView } from "../host-view.js";
import { routeEntryCollector } from "./route-entry.js";

const ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t1500\t0\t0
`;
const IPV6_ROUTE = `fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
`;

let root = "";
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "iocscan-route-"));
  await mkdir(join(root, "proc/net"), { recursive: true });
  await writeFile(join(root, "proc/net/route"), ROUTE);
  await writeFile(join(root, "proc/net/ipv6_route"), IPV6_ROUTE);
});
afterAll(async () => rm(root, { recursive: true, force: true }));

runConformance(routeEntryCollector, (fields) => createTestContext(createHostView("/"), fields), { label: "live" });
runConformance(routeEntryCollector, (fields) => createTestContext(createHostView(root), fields), { minRecords: 5, label: "fixture root" });

describe("routeEntryCollector", () => {
  it("routeEntryCollector decodes IPv4 routes (little-endian) and IPv6 routes (network order, prefix lengths)", async () => {
    const records = await collectAll(routeEntryCollector, createTestContext(createHostView(root)), undefined);
    expect(records.map((r) => r.fields)).toEqual([
      { Destination: "0.0.0.0", Gateway: "192.0.2.1", Netmask: "0.0.0.0", Interface: "eth0", Flags: "UG", MTU: "0", RouteType: "indirect" },
      { Destination: "192.0.2.0", Gateway: "0.0.0.0", Netmask: "255.255.255.0", Interface: "eth0", Flags: "U", MTU: "1500", RouteType: "direct" },
      { Destination: "fd00::", Gateway: "::", Netmask: "ffff:ffff:ffff:ffff::", Interface: "eth0", Flags: "U", RouteType: "direct" },
      { Destination: "::", Gateway: "fd00::1", Netmask: "::", Interface: "eth0", Flags: "UG", RouteType: "indirect" },
      { Destination: "::", Gateway: "::", Netmask: "::", Interface: "lo", Flags: "!", RouteType: "invalid" },
    ]);
    expect(records[1]?.id).toBe("192.0.2.0 255.255.255.0 0.0.0.0 eth0");
  });
});
