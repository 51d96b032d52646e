/**
 * The network part of SystemInfoItem, from `os.networkInterfaces()` of the running machine: every
 * adapter, MAC and address, and the primary addresses, i.e. those of the default-route interface.
 *
 * @module
 */
import type { NetworkInterfaceInfo } from "node:os";
import type { DraftFields } from "../_shared/record.js";

const ZERO_MAC = "00:00:00:00:00:00";

/** The interface of the IPv4 default route in /proc/net/route text, if any. */
export function defaultRouteInterface(routeText: string | undefined): string | undefined {
  const m = /^(\S+)\s+00000000\s+[0-9A-Fa-f]{8}\s+[0-9A-Fa-f]*[13579BDFbdf]\s/m.exec(routeText ?? "");
  return m?.[1];
}

function isLinkLocal(address: NetworkInterfaceInfo): boolean {
  return address.family === "IPv6" && /^fe[89ab]/i.test(address.address);
}

/** SystemInfoItem network fields from the interface table; `primary` names the default-route interface. */
export function networkFields(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>, primary: string | undefined): DraftFields {
  const entries = Object.entries(interfaces).map(([name, list]) => [name, list ?? []] as const);
  const all = entries.flatMap(([name, list]) => list.map((address) => ({ name, address })));
  // Candidates for "primary": the default-route interface first, then any non-loopback one.
  const ranked = [...all.filter((a) => a.name === primary), ...all.filter((a) => a.name !== primary && !a.address.internal)];
  const v4 = ranked.find((a) => a.address.family === "IPv4");
  const v6 = ranked.find((a) => a.address.family === "IPv6" && !isLinkLocal(a.address));
  const main = v4 ?? v6;
  const unique = (values: string[]): string[] => [...new Set(values)];
  return {
    primaryIpAddress: main?.address.address,
    primaryIpv4Address: v4?.address.address,
    primaryIpv6Address: v6?.address.address,
    MAC: main === undefined || main.address.mac === ZERO_MAC ? undefined : main.address.mac,
    "networkArray/networkInfo/adapter": entries.map(([name]) => name),
    "networkArray/networkInfo/MAC": unique(all.map((a) => a.address.mac).filter((mac) => mac !== ZERO_MAC)),
    "networkArray/networkInfo/ipArray/ipInfo/ipAddress": all.filter((a) => a.address.family === "IPv4").map((a) => a.address.address),
    "networkArray/networkInfo/ipArray/ipInfo/ipv6Address": all.filter((a) => a.address.family === "IPv6").map((a) => a.address.address),
    "networkArray/networkInfo/ipArray/ipInfo/subnetMask": all.filter((a) => a.address.family === "IPv4").map((a) => a.address.netmask),
  };
}
